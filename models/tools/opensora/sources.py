"""The three published checkpoint folders, read as published: which is which, their config.json, their tensors.

- `hpcai-tech/OpenSora-STDiT-v3`: config.json (`model_type` "STDiT3") + model.safetensors.
- `hpcai-tech/OpenSora-VAE-v1.2`: config.json (`model_type` "VideoAutoencoderPipeline") + model.safetensors.
- `DeepFloyd/t5-v1_1-xxl`: config.json (`model_type` "t5"), spiece.model, tokenizer_config.json, and the
  weights as pickled shards `pytorch_model-0000N-of-0000M.bin` + `pytorch_model.bin.index.json`, or safetensors
  shards + `model.safetensors.index.json` (a single `pytorch_model.bin` / `model.safetensors` also works).

A source answers `keys()`, `shape(key)`, and `read(key)` → float32 tensor, one
tensor at a time (pickled shards through pickle_lazy.py; only a legacy-format pickle is loaded whole, one shard
at a time, so memory holds at most one shard plus the unit being built).
"""
import gc
import os
import pickle
import zipfile

import torch

import pickle_lazy
import safetensors_io
from untrusted_files import ImportRefused, read_json, regular_file  # noqa: F401  (ImportRefused: re-exported)


TIED_ALIAS = "encoder.embed_tokens.weight"  # T5's embedding again (tied to `shared.weight`) in pickled files
MAX_CONFIG_BYTES = 1024 * 1024  # a config.json is a few KB
MAX_INDEX_BYTES = 64 * 1024 * 1024  # T5-XXL's index is ~20 KB; generous for any sharded checkpoint


ROLES = {
    "stdit": {"flag": "--stdit", "model_type": "STDiT3", "published": "hpcai-tech/OpenSora-STDiT-v3"},
    "vae": {"flag": "--vae", "model_type": "VideoAutoencoderPipeline", "published": "hpcai-tech/OpenSora-VAE-v1.2"},
    "t5": {"flag": "--t5", "model_type": "t5", "published": "DeepFloyd/t5-v1_1-xxl"},
}


def read_config(folder, role):
    """config.json of a folder given for `role`; refuses a missing/invalid file or a folder of another role."""
    spec = ROLES[role]
    if not os.path.isdir(folder):
        raise ImportRefused(f"{spec['flag']} {folder}: not a folder")
    path = regular_file(folder, "config.json")
    if path is None:
        raise ImportRefused(f"{os.path.join(folder, 'config.json')}: missing; {spec['flag']} expects the "
                            f"{spec['published']} folder")
    cfg = read_json(path, MAX_CONFIG_BYTES)
    if not isinstance(cfg, dict):
        raise ImportRefused(f"{path}: not a JSON object")
    found = cfg.get("model_type")
    if found != spec["model_type"]:
        others = [r for r, s in ROLES.items() if s["model_type"] == found]
        hint = (f" — that is the {ROLES[others[0]]['published']} folder; pass it to {ROLES[others[0]]['flag']}"
                if others else "")
        shown = found if isinstance(found, str) and len(found) <= 60 else type(found).__name__
        raise ImportRefused(f"{path}: model_type is {shown!r}, but {spec['flag']} expects {spec['model_type']!r} "
                            f"({spec['published']}){hint}")
    return cfg


def config_int(cfg, path, field):
    value = cfg.get(field)
    if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
        raise ImportRefused(f"{path}: field {field!r} must be a positive integer, found {value!r}")
    return value


class SafetensorsSource:
    def __init__(self, path):
        try:
            self.file = safetensors_io.SafetensorsFile(path)
        except safetensors_io.FormatError as err:
            raise ImportRefused(str(err)) from None
        self.path = path

    def keys(self):
        return list(self.file.tensors)

    def label(self):
        return self.path

    def shape(self, key):
        return self.file.tensors[key].shape

    def file_of(self, key):
        return self.path

    def read(self, key):
        return self.file.read(key)


def open_single_file_folder(folder, role):
    path = regular_file(folder, "model.safetensors")
    if path is None:
        raise ImportRefused(f"{os.path.join(folder, 'model.safetensors')}: missing; {ROLES[role]['flag']} expects "
                            f"config.json + model.safetensors as published in {ROLES[role]['published']}")
    return SafetensorsSource(path)


class ShardedSource:
    """T5 weights: an index (weight_map: key → shard file) over safetensors or pickled shards.

    Safetensors shards and pickled shards in PyTorch's zip format are read one tensor at a time (their key
    lists and shapes are checked against the index when opened). A pickled shard in the legacy format is
    loaded whole when first needed, one shard at a time, its tensors dropped as the units take them.
    """

    def __init__(self, folder, index_name, weight_map):
        self.folder, self.index_path = folder, os.path.join(folder, index_name)
        self.weight_map = weight_map
        self.loaded_name, self.loaded = None, None
        self.lazy = {}  # shard file → SafetensorsSource or LazyShard
        shards = sorted(set(weight_map.values()))
        for shard in shards:
            path = regular_file(folder, shard, f"shard {shard!r} named by {index_name}")
            if path is None:
                path = os.path.join(folder, shard)
                keys = [k for k, s in weight_map.items() if s == shard]
                raise ImportRefused(f"{self.index_path}: names shard {shard!r} (for {len(keys)} keys, e.g. "
                                    f"'{keys[0]}') but {path} does not exist")
        for shard in shards:
            path = os.path.join(folder, shard)
            src = SafetensorsSource(path) if shard.endswith(".safetensors") else open_lazy_pickle(path)
            if src is not None:
                self.check_listing(shard, src.keys())
                self.lazy[shard] = src

    def check_listing(self, shard, keys):
        path = os.path.join(self.folder, shard)
        listed = {k for k, s in self.weight_map.items() if s == shard}
        absent = sorted(listed - set(keys))
        if absent:
            raise ImportRefused(f"{path}: lacks '{absent[0]}', which {self.index_path} places in it")
        extra = sorted(set(keys) - listed - {TIED_ALIAS})
        if extra:
            raise ImportRefused(f"{path}: holds '{extra[0]}', which {self.index_path} does not list")

    def keys(self):
        return list(self.weight_map)

    def label(self):
        return self.index_path

    def shape(self, key):
        shard = self.weight_map[key]
        return self.lazy[shard].shape(key) if shard in self.lazy else None

    def file_of(self, key):
        return os.path.join(self.folder, self.weight_map[key])

    def read(self, key):
        shard = self.weight_map[key]
        if shard in self.lazy:
            try:
                t = self.lazy[shard].read(key)
            except pickle.UnpicklingError as err:
                raise ImportRefused(f"{self.file_of(key)}: {err}") from None
            return t.to(torch.float32).contiguous()
        if self.loaded_name != shard:
            self.loaded_name, self.loaded = None, None
            gc.collect()
            self.loaded = load_pickled_shard(os.path.join(self.folder, shard))
            self.check_listing(shard, self.loaded)
            self.loaded_name = shard
        # each key is read once: drop it from the shard so its memory goes as the units take their tensors
        t = self.loaded.pop(key)
        if key == "shared.weight":
            self.loaded.pop(TIED_ALIAS, None)
        return t.to(torch.float32).contiguous()

    def release(self):
        self.loaded_name, self.loaded = None, None
        gc.collect()


def open_lazy_pickle(path):
    """A LazyShard over a zip-format torch file; None for the legacy format (loaded whole instead)."""
    try:
        return pickle_lazy.LazyShard(path)
    except pickle_lazy.NotZipFormat:
        return None
    except (pickle.UnpicklingError, EOFError, ValueError, TypeError, KeyError, AttributeError, IndexError,
            zipfile.BadZipFile) as err:
        raise ImportRefused(f"{path}: not a readable PyTorch weights file ({type(err).__name__}: "
                            f"{str(err).splitlines()[0] if str(err) else 'no detail'})") from None


def load_pickled_shard(path):
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as err:  # torch raises many types for a damaged or foreign pickle
        raise ImportRefused(f"{path}: not a readable PyTorch weights file ({type(err).__name__}: "
                            f"{str(err).splitlines()[0] if str(err) else 'no detail'})") from None
    if not isinstance(state, dict) or not all(isinstance(v, torch.Tensor) for v in state.values()):
        raise ImportRefused(f"{path}: not a state dict of tensors")
    return state


def check_weight_map(path, index):
    """The index's weight_map: key → the file name of a shard beside the index (never a path)."""
    weight_map = index.get("weight_map") if isinstance(index, dict) else None
    if not isinstance(weight_map, dict) or not weight_map:
        raise ImportRefused(f"{path}: needs a non-empty \"weight_map\" of key → shard file name")
    for key, shard in weight_map.items():
        shown = key if len(key) <= 80 else key[:77] + "…"
        if not isinstance(shard, str) or not shard:
            raise ImportRefused(f"{path}: weight_map maps '{shown}' to {type(shard).__name__}, not a shard file name")
        if shard in (os.curdir, os.pardir) or "/" in shard or "\\" in shard or "\0" in shard:
            named = shard if len(shard) <= 80 else shard[:77] + "…"
            raise ImportRefused(f"{path}: weight_map maps '{shown}' to {named!r}, which is not a file name beside the "
                                "index (shards must sit in the same folder)")
    return weight_map


def open_t5_weights(folder):
    for index_name in ("model.safetensors.index.json", "pytorch_model.bin.index.json"):
        path = regular_file(folder, index_name)
        if path is not None:
            weight_map = check_weight_map(path, read_json(path, MAX_INDEX_BYTES))
            return ShardedSource(folder, index_name, weight_map)
    single = regular_file(folder, "model.safetensors")
    if single is not None:
        return SafetensorsSource(single)
    single = regular_file(folder, "pytorch_model.bin")
    if single is not None:
        lazy = open_lazy_pickle(single)
        keys = lazy.keys() if lazy is not None else list(load_pickled_shard(single))
        return ShardedSource(folder, "pytorch_model.bin", {k: "pytorch_model.bin" for k in keys})
    raise ImportRefused(f"{folder}: no T5 weights: expected pytorch_model.bin.index.json + "
                        "pytorch_model-0000N-of-0000M.bin shards (or model.safetensors.index.json + shards)")

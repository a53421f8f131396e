"""Weightless ONNX templates of every Open-Sora 1.2 unit kind, for the studio's Node importer
(src/main/importer/opensora): graphs are code, weights are data.

    npm run templates                                       (= all configurations into models/templates/opensora-1.2)
    /usr/bin/python3 models/tools/opensora/make_templates.py --out DIR [--config tiny|opensora-1.2 …]

For each configuration this writes random checkpoints in the published layouts (write_checkpoints.py: `tiny` =
the test package's sizes, `small` = the model-tools tests' sizes, `opensora-1.2` = the published widths with two
blocks per stack), imports them with
import_model.py, and turns one unit of each kind into a template: the exported graph with every initializer's
data removed, plus, per initializer, the checkpoint key it comes from and its transform. The source of each
initializer is found by value (every checkpoint tensor is random, so an initializer equals exactly one tensor, as
it is or transposed; "as it is" includes the same values in another shape, such as a temporal-VAE Conv3d weight read
as the Conv2d weight [Cout, Cin·kt, kh, kw] its export uses); an initializer that matches none (a constant the exporter computed from weights) stops the
tool, since a template could not declare it. Block templates use the key pattern of block 1 (`{i}` for the
index) and are checked against block 0 (initializer by initializer; their names keep block 1's index, which
only names them).

Per role (t5, stdit, vae) and configuration, DIR/<role>/<config>/ holds the graphs and `template.json`: the sizes
the configuration stands for (`facts`), the complete checkpoint key → shape list (`keys`, with `blockKeys`
repeated per block), and the units. The same command gives the same bytes (the models suite checks it).
`--vae-only` (`--stdit-only`) remakes just DIR/vae/<config>/ (DIR/stdit/<config>/), with the same bytes as a full run
(the graphs do not depend on the other checkpoints), from the configuration's VAE (STDiT3) beside small checkpoints
of the other roles.
"""
import argparse
import json
import os
import re
import shutil
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
sys.path.insert(0, HERE)

import numpy as np  # noqa: E402
import onnx  # noqa: E402
import torch  # noqa: E402
from onnx import numpy_helper  # noqa: E402

import import_model  # noqa: E402
import layouts  # noqa: E402
import sources  # noqa: E402
import t5_encoder  # noqa: E402
import write_checkpoints  # noqa: E402

# configuration → write_checkpoints.py --size: the test package's, the model-tools tests' and the published widths
CONFIGS = {"tiny": "tiny", "small": "small", "opensora-1.2": "wide"}
# unit kind → (role, unit id whose graph becomes the template, unit id it is checked against with index 0)
KINDS = {
    "text.embed": ("t5", "text.embed", None),
    "text.block.first": ("t5", "text.block.00", None),
    "text.block": ("t5", "text.block.01", None),
    "text.final": ("t5", "text.final", None),
    "denoiser.embedder": ("stdit", "denoiser.embedder", None),
    "denoiser.block": ("stdit", "denoiser.block.01", "denoiser.block.00"),
    "denoiser.block.tdtm": ("stdit", "denoiser.block.01.tdtm", "denoiser.block.00.tdtm"),
    "denoiser.final": ("stdit", "denoiser.final", None),
    "vae.temporal": ("vae", "vae.temporal", None),
    "vae.spatial": ("vae", "vae.spatial", None),
    "vae.spatial_encoder": ("vae", "vae.spatial_encoder", None),
    "vae.temporal_encoder": ("vae", "vae.temporal_encoder", None),
}
ROLES = ("stdit", "vae", "t5")
BLOCK_KEY = {"t5": re.compile(r"^(encoder\.block\.)(\d+)(\..*)$"),
             "stdit": re.compile(r"^((?:spatial|temporal)_blocks\.)(\d+)(\..*)$")}


class Checkpoint:
    """The random checkpoint tensors of one role, as float32 numpy arrays, read on demand by element count."""

    def __init__(self, source):
        self.source = source
        self.shapes = {k: tuple(source.shape(k)) for k in source.keys() if source.shape(k) is not None}
        self.by_numel = {}
        for key, shape in self.shapes.items():
            self.by_numel.setdefault(int(np.prod(shape, dtype=np.int64)), []).append(key)
        self.cache = {}

    def value(self, key):
        if key not in self.cache:
            if len(self.cache) > 64:
                self.cache.clear()
            self.cache[key] = self.source.read(key).numpy()
        return self.cache[key]

    def match(self, array, unit_id, name):
        """(key, transpose) of the one tensor `array` equals, as it is or transposed."""
        found = []
        for key in self.by_numel.get(array.size, []):
            value = self.value(key)
            if np.array_equal(value.ravel(), array.ravel()):
                found.append((key, False))
            elif value.ndim == 2 and np.array_equal(value.T.ravel(), array.ravel()):
                found.append((key, True))
        if len(found) != 1:
            raise SystemExit(f"make_templates: {unit_id} initializer {name} {list(array.shape)} matches "
                             f"{len(found)} checkpoint tensors ({found[:3]}); a template cannot declare it")
        return found[0]


def generalize(role, key, index):
    """Block key of block `index` → its pattern with `{i}`; other keys unchanged."""
    pattern = BLOCK_KEY.get(role)
    m = pattern.match(key) if pattern else None
    if m and int(m.group(2)) == index:
        return m.group(1) + "{i}" + m.group(3)
    return key


def key_list(role, shapes):
    """{keys: {key: shape}, blockKeys: {pattern: shape}} from a two-block checkpoint (blocks 0 and 1)."""
    block = {generalize(role, k, 1): list(s) for k, s in shapes.items() if generalize(role, k, 1) != k}
    fixed = {k: list(s) for k, s in shapes.items()
             if generalize(role, k, 1) == k and generalize(role, k, 0) not in block}
    return {"keys": dict(sorted(fixed.items())), "blockKeys": dict(sorted(block.items()))}


def io_spec(graph, kind):
    return import_model.onnx_io.graph_io_spec(graph, kind)


def unit_template(pkg, unit_id, role, ckpt, check_id):
    """(stripped graph, initializer declarations) of one unit of the imported package."""
    model = onnx.load(os.path.join(pkg, unit_id + ".onnx"), load_external_data=False)
    onnx.external_data_helper.load_external_data_for_model(model, pkg)
    index = int(unit_id.split(".")[2]) if role in BLOCK_KEY and unit_id.count(".") >= 2 and \
        unit_id.split(".")[2].isdigit() else None
    decls = []
    for init in model.graph.initializer:
        array = numpy_helper.to_array(init)
        if array.dtype != np.float32:
            raise SystemExit(f"make_templates: {unit_id} initializer {init.name} is {array.dtype}, not float32")
        key, transpose = ckpt.match(array, unit_id, init.name)
        decl = {"name": init.name, "key": generalize(role, key, index) if index is not None else key,
                "dims": [int(d) for d in init.dims]}
        if transpose:
            decl["transform"] = "transpose"
        decls.append(decl)
        init.ClearField("raw_data")
        del init.external_data[:]
        init.data_location = onnx.TensorProto.EXTERNAL
    if check_id:
        other = onnx.load(os.path.join(pkg, check_id + ".onnx"), load_external_data=False)
        onnx.external_data_helper.load_external_data_for_model(other, pkg)
        for decl, init in zip(decls, other.graph.initializer):
            array = numpy_helper.to_array(init)
            want = ckpt.value(decl["key"].replace("{i}", "0"))
            want = want.T if decl.get("transform") == "transpose" else want
            if list(init.dims) != decl["dims"] or not np.array_equal(want.ravel(), array.ravel()):
                raise SystemExit(f"make_templates: {check_id} initializer {init.name} is not {decl['key']} of block 0")
    return model, {"file": "", "initializers": decls, "inputs": io_spec(model, "inputs"),
                   "outputs": io_spec(model, "outputs")}


def facts(role, inputs):
    if role == "t5":
        cfg = inputs.t5cfg
        return {field: getattr(cfg, field) for field in t5_encoder.T5Config.FIELDS if field != "num_layers"}
    if role == "stdit":
        return {k: v for k, v in inputs.mcfg.items() if k not in ("depth", "input_sq_size")}
    spatial, temporal = inputs.spatial, inputs.temporal
    return {"spatial": spatial.as_dict(), "temporal": temporal.as_dict(), "timeFactor": temporal.time_factor,
            "latentChannels": spatial.latent_channels, "spatialFactor": 2 ** (len(spatial.block_out_channels) - 1)}


def write_one_role_checkpoints(ckpt_dir, config, role):
    """The configuration's VAE or STDiT3 beside the small other two (a matching set), so an import exports that role
    at its size without the configuration's other checkpoints (T5-XXL-wide units take most of the 16 minutes of the
    published configuration). A role's templates do not depend on the other checkpoints."""
    gen = torch.Generator().manual_seed(1)
    small_stdit, t5, small_spatial, small_temporal = write_checkpoints.SIZES["small"]
    stdit, _, spatial, temporal = write_checkpoints.SIZES[CONFIGS[config]]
    if role == "vae":
        stdit = small_stdit
    else:  # the small T5 at the width the STDiT3 reads (caption_channels = d_model)
        spatial, temporal = small_spatial, small_temporal
        t5 = dict(t5, d_model=stdit["caption_channels"])
    write_checkpoints.write_stdit(os.path.join(ckpt_dir, "stdit"), gen, stdit)
    write_checkpoints.write_vae(os.path.join(ckpt_dir, "vae"), gen, spatial, temporal)
    write_checkpoints.write_t5(os.path.join(ckpt_dir, "t5"), gen, "safetensors", t5)


def make_config(config, out_root, scratch, roles=ROLES):
    ckpt_dir, pkg = os.path.join(scratch, "ckpt"), os.path.join(scratch, "pkg")
    if len(roles) == 1:
        write_one_role_checkpoints(ckpt_dir, config, roles[0])
    else:
        write_checkpoints.main(["--out", ckpt_dir, "--size", CONFIGS[config], "--t5-format", "safetensors",
                                "--seed", "1", "--t5-blocks", "2"])
    folders = {role: os.path.join(ckpt_dir, role) for role in ROLES}
    code = import_model.main(["--stdit", folders["stdit"], "--vae", folders["vae"], "--t5", folders["t5"],
                              "--out", pkg, "--progress-json"])
    if code != 0:
        raise SystemExit(f"make_templates: import_model refused the {config} checkpoints")
    args = argparse.Namespace(**folders)
    inputs = import_model.Inputs(args)
    sources_by_role = {"stdit": inputs.stdit, "vae": inputs.vae, "t5": inputs.t5}
    for role, source in sources_by_role.items():
        if role not in roles:
            continue
        ckpt = Checkpoint(source)
        folder = os.path.join(out_root, role, config)
        shutil.rmtree(folder, ignore_errors=True)
        os.makedirs(folder)
        units = {}
        for kind, (kind_role, unit_id, check_id) in KINDS.items():
            if kind_role != role:
                continue
            model, entry = unit_template(pkg, unit_id, role, ckpt, check_id)
            entry["file"] = kind + ".onnx"
            import_model.onnx_io.save_graph(model, folder, entry["file"])
            units[kind] = entry
        doc = {"role": role, "config": config, "facts": facts(role, inputs), **key_list(role, ckpt.shapes),
               "units": units}
        with open(os.path.join(folder, "template.json"), "w") as f:
            json.dump(doc, f, indent=1)
            f.write("\n")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", required=True)
    ap.add_argument("--config", action="append", choices=sorted(CONFIGS))
    only = ap.add_mutually_exclusive_group()
    only.add_argument("--vae-only", action="store_true",
                      help="remake only the VAE templates (minutes for the published configuration instead of ≈ 16)")
    only.add_argument("--stdit-only", action="store_true", help="remake only the STDiT3 (denoiser) templates")
    args = ap.parse_args(argv)
    roles = ("vae",) if args.vae_only else ("stdit",) if args.stdit_only else ROLES
    for config in args.config or list(CONFIGS):
        with tempfile.TemporaryDirectory(prefix=f"templates-{config}-") as scratch:
            make_config(config, os.path.abspath(args.out), scratch, roles)
    return 0


if __name__ == "__main__":
    sys.exit(main())

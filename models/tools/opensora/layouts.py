"""What each checkpoint must contain: sizes read from its tensors and config.json, the exact key → shape map
that the mirror modules expect for those sizes, and the strict comparison that names every offending key.

Expected maps are built from the mirror modules themselves (constructed without running their random
initializers, so a full-size map costs no compute and untouched memory only), one part at a time.
"""
import contextlib
import os
import sys

import torch
import torch.nn as nn

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import stdit3  # noqa: E402  (models/tools/stdit3.py: STDiT3 with Open-Sora 1.2's exact parameter names)

import t5_encoder  # noqa: E402
import vae_spatial  # noqa: E402
import vae_temporal  # noqa: E402
from sources import TIED_ALIAS, ImportRefused  # noqa: E402

SPATIAL_PREFIX = "spatial_vae.module."
TEMPORAL_PREFIX = "temporal_vae."


@contextlib.contextmanager
def without_init():
    """Build modules with uninitialized storage (their weights are loaded or only their shapes are read)."""
    names = [n for n in dir(nn.init) if n.endswith("_") and not n.startswith("_")]
    saved = {n: getattr(nn.init, n) for n in names}
    try:
        for n in names:
            setattr(nn.init, n, lambda tensor, *a, **k: tensor)
        with torch.no_grad():
            yield
    finally:
        for n, fn in saved.items():
            setattr(nn.init, n, fn)


def shapes_of(module, prefix=""):
    return {prefix + k: tuple(v.shape) for k, v in module.state_dict().items()}


# ----- STDiT3 -----
def stdit_config(shapes, cfg, cfg_path, weights_path):
    """Model config for stdit3.STDiT3 from the tensors, cross-checked with config.json."""
    def need(key):
        if key not in shapes:
            raise ImportRefused(f"{weights_path}: missing key '{key}', needed to read the model's sizes")
        return shapes[key]
    for key in ("x_embedder.proj.weight", "final_layer.linear.weight", "y_embedder.y_proj.fc1.weight",
                "y_embedder.y_embedding"):
        if any(d <= 0 for d in need(key)) or len(need(key)) < 2:
            raise ImportRefused(f"{weights_path}: '{key}' has shape {list(need(key))}, not an STDiT3 one")
    hidden, cin = need("x_embedder.proj.weight")[0], need("x_embedder.proj.weight")[1]
    patch = list(need("x_embedder.proj.weight")[2:])
    if patch != [1, 2, 2]:
        raise ImportRefused(f"{weights_path}: 'x_embedder.proj.weight' has patch {patch}; only Open-Sora 1.2's "
                            "[1, 2, 2] is supported")
    depth = 0
    while f"spatial_blocks.{depth}.scale_shift_table" in shapes:
        depth += 1
    qk_norm = "spatial_blocks.0.attn.q_norm.weight" in shapes
    head_dim = shapes["spatial_blocks.0.attn.q_norm.weight"][0] if qk_norm else None
    heads = hidden // head_dim if qk_norm else cfg.get("num_heads")
    out = need("final_layer.linear.weight")[0] // (patch[0] * patch[1] * patch[2])
    derived = {
        "hidden_size": hidden, "depth": depth, "num_heads": heads, "patch_size": patch, "in_channels": cin,
        "pred_sigma": out == 2 * cin, "caption_channels": need("y_embedder.y_proj.fc1.weight")[1],
        "model_max_length": need("y_embedder.y_embedding")[0], "qk_norm": qk_norm,
        "mlp_ratio": need("spatial_blocks.0.mlp.fc1.weight")[0] / hidden if depth else cfg.get("mlp_ratio", 4.0),
    }
    for field, value in derived.items():
        if field in cfg and cfg[field] != value and not (field == "mlp_ratio" and abs(cfg[field] - value) < 1e-6):
            stated = cfg[field] if isinstance(cfg[field], (int, float, bool)) else type(cfg[field]).__name__
            raise ImportRefused(f"{cfg_path}: {field} is {stated!r} but the tensors in model.safetensors "
                                f"say {value!r}")
    if not isinstance(heads, int) or isinstance(heads, bool) or heads <= 0 or hidden % heads:
        shown = heads if isinstance(heads, (int, float)) else type(heads).__name__
        raise ImportRefused(f"{cfg_path}: num_heads {shown} does not divide hidden_size {hidden}")
    if patch != [1, 2, 2]:
        raise ImportRefused(f"{weights_path}: 'x_embedder.proj.weight' has patch {patch}; only Open-Sora 1.2's "
                            "[1, 2, 2] is supported")
    if out not in (cin, 2 * cin):
        raise ImportRefused(f"{weights_path}: 'final_layer.linear.weight' gives {out} channels per patch, "
                            f"expected {cin} or {2 * cin}")
    if depth == 0:
        raise ImportRefused(f"{weights_path}: missing key 'spatial_blocks.0.scale_shift_table' (no STDiT3 blocks)")
    derived["input_sq_size"] = cfg.get("input_sq_size", 512)
    if not isinstance(derived["input_sq_size"], int) or not 1 <= derived["input_sq_size"] <= 16384:
        raise ImportRefused(f"{cfg_path}: input_sq_size must be an integer from 1 to 16384")
    return derived


def stdit_parts(mcfg):
    """(unit id, key prefix, factory) for every part; the head part holds embedders, final layer and rope."""
    head_cfg = dict(mcfg, depth=0)
    parts = [("denoiser.head", "", lambda: stdit3.STDiT3(head_cfg))]
    for i in range(mcfg["depth"]):
        parts.append((f"denoiser.block.{i:02d}", "", (lambda i=i: block_pair(mcfg, i))))
    return parts


class BlockPair(nn.Module):
    """spatial_blocks.i + temporal_blocks.i, keyed as in the full model."""

    def __init__(self, mcfg, i):
        super().__init__()
        make = lambda temporal: stdit3.STDiT3Block(mcfg["hidden_size"], mcfg["num_heads"],  # noqa: E731
                                                   mcfg.get("mlp_ratio", 4.0), temporal, mcfg.get("qk_norm", True))
        self.spatial_blocks = nn.ModuleDict({str(i): make(False)})
        self.temporal_blocks = nn.ModuleDict({str(i): make(True)})
        self.index = str(i)

    @property
    def spatial(self):
        return self.spatial_blocks[self.index]

    @property
    def temporal(self):
        return self.temporal_blocks[self.index]


def block_pair(mcfg, i):
    return BlockPair(mcfg, i)


# ----- VAE -----
def vae_sizes(shapes, path):
    try:
        spatial = vae_spatial.SpatialSizes.from_shapes(shapes, SPATIAL_PREFIX)
        temporal = vae_temporal.TemporalSizes.from_shapes(shapes, TEMPORAL_PREFIX)
    except KeyError as err:
        raise ImportRefused(f"{path}: cannot read the VAE's sizes: missing key {err.args[0]!r}") from None
    if temporal.latent_channels != spatial.latent_channels or temporal.channels != spatial.latent_channels:
        raise ImportRefused(f"{path}: temporal VAE works on {temporal.channels} channels but the image VAE's "
                            f"latent has {spatial.latent_channels}")
    return spatial, temporal


def vae_parts(spatial, temporal):
    def whole():
        root = nn.Module()
        root.spatial_vae = nn.Module()
        root.spatial_vae.module = vae_spatial.AutoencoderKL(spatial)
        root.temporal_vae = vae_temporal.VAETemporal(temporal)
        root.register_buffer("scale", torch.ones(1, spatial.latent_channels, 1, 1, 1))
        root.register_buffer("shift", torch.zeros(1, spatial.latent_channels, 1, 1, 1))
        return root
    return whole


# ----- T5 -----
# Sane ranges for T5 config.json fields (T5-XXL: d_model 4096, d_kv 64, d_ff 10240, 24 layers, 64 heads, 32128
# pieces, 32 buckets, distance 128), checked before anything is built from them.
T5_BOUNDS = {"d_model": (1, 65536), "d_kv": (1, 4096), "d_ff": (1, 262144), "num_layers": (1, 256),
             "num_heads": (1, 1024), "vocab_size": (1, 1 << 20), "relative_attention_num_buckets": (2, 4096),
             "relative_attention_max_distance": (1, 1 << 20)}


def bounded_int(cfg, cfg_path, field, low, high):
    value = cfg[field]
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        shown = value if isinstance(value, (int, float)) and not isinstance(value, bool) else type(value).__name__
        raise ImportRefused(f"{cfg_path}: {field} is {shown}; it must be an integer from {low} to {high}")
    return value


def t5_block_count(keys):
    """How many encoder blocks the weights hold (encoder.block.N.…, numbered 0…N−1); None when that is unclear."""
    indices = set()
    for key in keys:
        if key.startswith("encoder.block."):
            number = key[len("encoder.block."):].split(".", 1)[0]
            if number.isdigit():
                indices.add(int(number))
    return len(indices) if indices and indices == set(range(len(indices))) else None


def t5_config(cfg, shapes, cfg_path, keys=()):
    """T5Config from config.json, every size within bounds and consistent with the tensors before any is used."""
    for field in t5_encoder.T5Config.FIELDS:
        if field not in cfg:
            raise ImportRefused(f"{cfg_path}: missing field {field!r}")
    if cfg.get("feed_forward_proj", "gated-gelu") != "gated-gelu":
        shown = cfg["feed_forward_proj"] if isinstance(cfg["feed_forward_proj"], str) else "not a string"
        raise ImportRefused(f"{cfg_path}: feed_forward_proj is {shown[:60]!r}; only T5 v1.1's 'gated-gelu' is supported")
    for field, (low, high) in T5_BOUNDS.items():
        bounded_int(cfg, cfg_path, field, low, high)
    eps = cfg["layer_norm_epsilon"]
    if not isinstance(eps, (int, float)) or isinstance(eps, bool) or not 0 < eps < 1:
        raise ImportRefused(f"{cfg_path}: layer_norm_epsilon must be a number between 0 and 1")
    t5 = t5_encoder.T5Config(cfg)
    blocks = t5_block_count(keys)
    if blocks is not None and blocks != t5.num_layers:
        raise ImportRefused(f"{cfg_path}: num_layers is {t5.num_layers} but the weights hold {blocks} encoder blocks")
    expected = {"shared.weight": (t5.vocab_size, t5.d_model),
                "encoder.block.0.layer.0.SelfAttention.q.weight": (t5.inner, t5.d_model),
                "encoder.block.0.layer.0.SelfAttention.relative_attention_bias.weight":
                    (t5.relative_attention_num_buckets, t5.num_heads),
                "encoder.block.0.layer.1.DenseReluDense.wi_0.weight": (t5.d_ff, t5.d_model)}
    fields = {"shared.weight": "vocab_size × d_model",
              "encoder.block.0.layer.0.SelfAttention.q.weight": "num_heads·d_kv × d_model",
              "encoder.block.0.layer.0.SelfAttention.relative_attention_bias.weight":
                  "relative_attention_num_buckets × num_heads",
              "encoder.block.0.layer.1.DenseReluDense.wi_0.weight": "d_ff × d_model"}
    for key, shape in expected.items():
        found = shapes.get(key)
        if found is not None and tuple(found) != shape:
            raise ImportRefused(f"{cfg_path}: {fields[key]} is {list(shape)} but '{key}' is {list(found)}")
    return t5


# ----- strict comparison -----
KEYS_SHOWN = 5  # per kind of problem and source: a file with 50,000 stray keys gives a few lines and a count


def short_key(key):
    return key if len(key) <= 120 else key[:117] + "…"


def compare(expected, source, label):
    """Problems (strings naming key and file) between an expected {key: shape} and a source's keys/shapes; at most
    KEYS_SHOWN of each kind, then a line counting the rest."""
    got = set(source.keys())
    missing, mismatched, unexpected = [], [], []
    for key in sorted(expected):
        if key not in got:
            missing.append(f"{label}: missing key '{key}' (expected shape {list(expected[key])})")
        else:
            shape = source.shape(key)
            if shape is not None and tuple(shape) != expected[key]:
                mismatched.append(f"{source.file_of(key)}: shape mismatch for '{key}': file has {list(shape)}, "
                                  f"expected {list(expected[key])}")
    for key in sorted(got - set(expected)):
        if label.startswith("t5") and key == TIED_ALIAS:
            continue
        unexpected.append(f"{source.file_of(key)}: unexpected key '{short_key(key)}'")
    problems = []
    for kind, lines in (("missing keys", missing), ("mismatched shapes", mismatched), ("unexpected keys", unexpected)):
        problems += lines[:KEYS_SHOWN]
        if len(lines) > KEYS_SHOWN:
            problems.append(f"{label}: … and {len(lines) - KEYS_SHOWN} more {kind} ({len(lines)} in all)")
    return problems


def refuse_if(problems):
    if problems:
        shown = problems[:20]
        more = f"\n  … and {len(problems) - 20} more" if len(problems) > 20 else ""
        raise ImportRefused("checkpoint does not match the Open-Sora 1.2 layout:\n  " + "\n  ".join(shown) + more)


def read_checked(source, key, shape):
    t = source.read(key)
    if tuple(t.shape) != tuple(shape):
        raise ImportRefused(f"{source.file_of(key)}: shape mismatch for '{key}': file has {list(t.shape)}, "
                            f"expected {list(shape)}")
    return t


def load_strict(module, prefix, source, keys=None):
    """Fill `module` from `source` one tensor at a time, checking each shape. Checkpoint key = prefix + module
    key, or keys(module key) when given."""
    state = {}
    for key, shape in shapes_of(module).items():
        state[key] = read_checked(source, keys(key) if keys else prefix + key, shape)
    module.load_state_dict(state, strict=True)
    return module

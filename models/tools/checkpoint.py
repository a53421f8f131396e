"""Checkpoint layout, atomic save, and strict validation against the configs (the exporter refuses mismatches)."""
import os

import torch

import data
from latent import LatentDecoder, PatchPCAEncoder
from stdit3 import STDiT3
from text_encoder import TextEncoder

FORMAT_TAG = "shapes-tiny-checkpoint-1"
COMPONENTS = ("denoiser", "text", "decoder", "encoder")


class CheckpointMismatch(Exception):
    pass


LATENT_FORMAT_TAG = "shape-latent-1"  # train_latent.py's checkpoints
DECODER_KEYS = ("latent_channels", "channels", "temporal_factor", "spatial_factor", "full_res_blocks")


def decoder_config(ckpt, default):
    """The decoder config a checkpoint's decoder was built with: a train_latent.py checkpoint's config, or the
    `decoder_config` a denoiser checkpoint records (from swap_decoder.py or train.py); checkpoints made before
    decoders could differ from config/decoder.json record none and get the default."""
    cfg = ckpt.get("config") if ckpt.get("format") == LATENT_FORMAT_TAG else ckpt.get("decoder_config")
    return {k: v for k, v in cfg.items() if k in DECODER_KEYS} if cfg else dict(default)


def differing_encoder_tensor(state_a, state_b, atol=1e-6):
    """The name of the first encoder tensor that differs between two state dicts (None: the same latent)."""
    for k, v in state_a.items():
        if not torch.allclose(v.cpu(), state_b[k].cpu(), atol=atol):
            return k
    return None


def configs_for(ckpt, cfgs):
    """The configs a checkpoint was trained with: the denoiser and decoder configs it records (older checkpoints
    predate the temporal pos-emb, so they get none)."""
    denoiser = ckpt.get("denoiser_config") or dict(cfgs["denoiser"], temporal_pos_embed_frames=0)
    return dict(cfgs, denoiser=denoiser, decoder=decoder_config(ckpt, cfgs["decoder"]))


def build_modules(cfgs):
    """cfgs: {denoiser, text, decoder} config dicts -> modules keyed like the checkpoint components."""
    dec = cfgs["decoder"]
    return {
        "denoiser": STDiT3(cfgs["denoiser"]),
        "text": TextEncoder(cfgs["text"]),
        "decoder": LatentDecoder(dec),
        "encoder": PatchPCAEncoder(dec["spatial_factor"], dec["latent_channels"]),
    }


def mismatches(component, module, state):
    """Human-readable problems between a module's expected keys/shapes and a state dict."""
    expected = {k: tuple(v.shape) for k, v in module.state_dict().items()}
    got = {k: tuple(v.shape) for k, v in state.items()}
    problems = [f"{component}: missing key '{k}' (expected shape {list(s)})"
                for k, s in expected.items() if k not in got]
    problems += [f"{component}: unexpected key '{k}' (shape {list(s)})" for k, s in got.items() if k not in expected]
    problems += [f"{component}: shape mismatch for '{k}': checkpoint {list(got[k])}, config expects {list(s)}"
                 for k, s in expected.items() if k in got and got[k] != s]
    return problems


def weights_for_export(ckpt):
    """EMA weights for the trained components when present, else the raw weights."""
    ema = ckpt.get("ema") or {}
    return {c: ema.get(c, ckpt.get(c)) for c in COMPONENTS}


def load_into(modules, states):
    problems = []
    for name in COMPONENTS:
        state = states.get(name)
        if state is None:
            problems.append(f"{name}: component missing from checkpoint")
            continue
        problems += mismatches(name, modules[name], state)
    if problems:
        raise CheckpointMismatch("checkpoint does not match its config:\n  " + "\n  ".join(problems))
    for name in COMPONENTS:
        modules[name].load_state_dict(states[name], strict=True)


def save_atomic(obj, path):
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    tmp = path + ".tmp"
    torch.save(obj, tmp)
    os.replace(tmp, path)


def vocab_words():
    from text_encoder import WordTokenizer
    return WordTokenizer.build(data.caption_words(), 2).words


def released(ck):
    """The denoiser checkpoint to commit: its EMA weights (what the exporter takes) stand in for the raw ones; no
    optimizer, RNG or EMA copies. Exports and evaluates like the full checkpoint; it cannot resume training."""
    ema = ck.get("ema") or {}
    out = {k: v for k, v in ck.items() if k not in ("optimizer", "torch_rng", "ema")}
    out.update({k: ema[k] for k in ema})
    out["released_from_step"] = ck.get("step")
    return out

"""The Open-Sora 1.2 package's ONNX units (models/FORMAT.md, "Open-Sora 1.2 packages"): one nn.Module wrapper
per unit kind, its output names, symbolic axes, and example inputs at a given geometry.

Denoiser units reuse the built-in package's wrappers and inputs (models/tools/units.py): the STDiT3 stages are
the same graphs. Text and VAE units are Open-Sora-specific.
"""
import os
import sys

import torch
import torch.nn as nn

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import units as builtin_units  # noqa: E402

T5_PAD_BIAS = -1e9  # additive key bias for padding: T5 scores are unscaled, so a large margin

OUTPUTS = {
    "text.embed": ["h"],
    "text.block.first": ["h_out", "pos_bias"],
    "text.block": ["h_out"],
    "text.final": ["text_emb"],
    "denoiser.embedder": [*builtin_units.OUTPUTS["denoiser.embedder"], "t0_mlp", "t0_emb"],
    "denoiser.block": builtin_units.OUTPUTS["denoiser.block"],
    "denoiser.final": builtin_units.OUTPUTS["denoiser.final"],
    "vae.temporal": ["x_z"],
    "vae.spatial": ["frames"],
    "vae.spatial_encoder": ["x_z"],
    "vae.temporal_encoder": ["z"],
}

_TEXT = {"h": {0: "B", 1: "L"}, "attn_bias": {0: "B", 1: "L"}, "h_out": {0: "B", 1: "L"},
         "pos_bias": {2: "L", 3: "L"}}
AXES = {
    "text.embed": {"input_ids": {0: "B", 1: "L"}, "h": {0: "B", 1: "L"}},
    "text.block.first": _TEXT,
    "text.block": _TEXT,
    "text.final": {"h": {0: "B", 1: "L"}, "text_emb": {0: "B", 1: "L"}},
    "vae.temporal": {"z": {0: "B", 2: "Tz", 3: "H", 4: "W"}, "x_z": {0: "B", 2: "Fz", 3: "H", 4: "W"}},
    "vae.spatial": {"x_z": {0: "N", 2: "H", 3: "W"}, "frames": {0: "N", 2: "Hpx", 3: "Wpx"}},
    "vae.spatial_encoder": {"frames": {0: "N", 2: "Hpx", 3: "Wpx"}, "x_z": {0: "N", 2: "H", 3: "W"}},
    "vae.temporal_encoder": {"x_z": {0: "B", 2: "Fz", 3: "H", 4: "W"}, "z": {0: "B", 2: "Tz", 3: "H", 4: "W"}},
}


# The Open-Sora denoiser units add v1.2.0's reference-frame conditioning to the built-in graphs: the embedder also
# returns the timestep-0 embeddings, blocks and final layer take the per-frame mask (models/FORMAT.md).
_FRAME_MASK_AXES = {
    "denoiser.embedder": {"t0_mlp": {0: "B"}, "t0_emb": {0: "B"}},
    "denoiser.block": {"x_mask": {0: "B", 1: "T"}, "t0_mlp": {0: "B"}},
    "denoiser.final": {"x_mask": {0: "B", 1: "T"}, "t0_emb": {0: "B"}},
}


def axes_for(kind, tdtm=False):
    if kind.startswith("denoiser."):
        return {**builtin_units.axes_for(kind, tdtm), **_FRAME_MASK_AXES[kind]}
    return {k: dict(v) for k, v in AXES[kind].items()}


class BlockPairUnit(nn.Module):
    """denoiser.block.NN: spatial block NN then temporal block NN (TDTM variant: merged attention), each with the
    frame mask x_mask [B, T] (True: generate at t, False: reference at t = 0)."""

    def __init__(self, pair, tdtm):
        super().__init__()
        self.pair, self.tdtm = pair, tdtm

    def forward(self, x, y_tok, y_bias, t_mlp, rope_cos, rope_sin, x_mask, t0_mlp):
        x = self.pair.spatial(x, y_tok, y_bias, t_mlp, rope_cos, rope_sin, self.tdtm, x_mask, t0_mlp)
        return self.pair.temporal(x, y_tok, y_bias, t_mlp, rope_cos, rope_sin, self.tdtm, x_mask, t0_mlp)


class DenoiserEmbedder(nn.Module):
    """denoiser.embedder with the timestep-0 embeddings the reference frames are modulated with."""

    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, z, timestep, fps, pos_emb, y):
        return self.model.embed(z, timestep, fps, pos_emb, y, with_t0=True)


class DenoiserFinal(nn.Module):
    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, x, t_emb, z, timestep, x_mask, t0_emb):
        return self.model.final(x, t_emb, z, timestep, x_mask, t0_emb)


def denoiser_embedder(head):
    return DenoiserEmbedder(head)


def denoiser_final(head):
    return DenoiserFinal(head)


def example_frame_mask(batch, frames):
    """Reference frames at the start (1 frame in sample 0, 2 in sample 1, …), the rest generated."""
    mask = torch.ones(batch, frames, dtype=torch.bool)
    for i in range(batch):
        mask[i, : min(frames - 1, i + 1)] = False
    return mask


class Geometry:
    """Sizes of example inputs: batch, text length, latent frames/height/width, VAE chunk and micro-batch."""

    def __init__(self, batch, text_len, frames, height, width, height_px, width_px, fps, chunk_frames,
                 frame_batch):
        self.b, self.l, self.t, self.h, self.w = batch, text_len, frames, height, width
        self.height_px, self.width_px, self.fps = height_px, width_px, fps
        self.chunk_frames, self.frame_batch = chunk_frames, frame_batch

    def builtin(self):
        return builtin_units.Geometry(self.b, self.t, self.h, self.w, self.l, self.height_px, self.width_px,
                                      self.fps)


def text_bias(batch, length):
    """Sample 0 uses every token; later samples end with padding (as prompts of different lengths do)."""
    bias = torch.zeros(batch, length)
    for i in range(1, batch):
        bias[i, max(1, length - 3 * i):] = T5_PAD_BIAS
    return bias


def example_inputs(kind, ctx, g, gen, tdtm=False):
    """Ordered {name: tensor} for one unit kind. ctx: {"t5": T5Config, "stdit": model cfg, "vae_channels": int,
    "vae_time_factor": int}. VAE encoder inputs: frames uniform in [-1, 1] at the geometry's pixel size; a chunk of
    chunk_frames · time factor image-VAE latent frames (what the engine feeds after the causal front padding)."""
    r = lambda *shape: torch.randn(*shape, generator=gen)  # noqa: E731
    if kind.startswith("denoiser."):
        inputs = builtin_units.example_inputs(kind, ctx["stdit"], {"hidden_size": ctx["stdit"]["caption_channels"]},
                                              g.builtin(), gen, tdtm=tdtm)
        c = ctx["stdit"]["hidden_size"]
        if kind == "denoiser.block":
            inputs.update(x_mask=example_frame_mask(g.b, g.t), t0_mlp=r(g.b, 6 * c) * 0.5)
        elif kind == "denoiser.final":
            inputs.update(x_mask=example_frame_mask(g.b, g.t), t0_emb=r(g.b, c))
        return inputs
    t5 = ctx["t5"]
    if kind == "text.embed":
        return {"input_ids": torch.randint(0, t5.vocab_size, (g.b, g.l), generator=gen, dtype=torch.int64)}
    if kind == "text.block.first":
        return {"h": r(g.b, g.l, t5.d_model), "attn_bias": text_bias(g.b, g.l)}
    if kind == "text.block":
        return {"h": r(g.b, g.l, t5.d_model), "attn_bias": text_bias(g.b, g.l),
                "pos_bias": r(1, t5.num_heads, g.l, g.l)}
    if kind == "text.final":
        return {"h": r(g.b, g.l, t5.d_model) * 3.0}
    if kind == "vae.temporal":
        return {"z": r(g.b, ctx["vae_channels"], g.chunk_frames, g.h, g.w)}
    if kind == "vae.spatial":
        return {"x_z": r(g.frame_batch, ctx["vae_channels"], g.h, g.w) * 3.0}
    if kind == "vae.spatial_encoder":
        return {"frames": torch.rand(g.frame_batch, 3, g.height_px, g.width_px, generator=gen) * 2.0 - 1.0}
    if kind == "vae.temporal_encoder":
        return {"x_z": r(g.b, ctx["vae_channels"], g.chunk_frames * ctx["vae_time_factor"], g.h, g.w)}
    raise ValueError(kind)

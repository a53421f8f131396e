"""One nn.Module wrapper per package unit (models/FORMAT.md), with example inputs and symbolic axes.

Each `Unit` knows its id, file name, input/output names and how to build example inputs for a given clip
geometry; the exporter traces it, and the parity writer runs the same wrapper in PyTorch.
"""
import torch
import torch.nn as nn

import stdit3


class TextEmbed(nn.Module):
    def __init__(self, enc):
        super().__init__()
        self.enc = enc

    def forward(self, input_ids):
        return self.enc.embed(input_ids)


class TextBlock(nn.Module):
    def __init__(self, enc, i):
        super().__init__()
        self.block = enc.blocks[i]

    def forward(self, h, attn_bias):
        return self.block(h, attn_bias)


class TextFinal(nn.Module):
    def __init__(self, enc):
        super().__init__()
        self.norm = enc.final_norm

    def forward(self, h):
        return self.norm(h)


class DenoiserEmbedder(nn.Module):
    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, z, timestep, fps, pos_emb, y):
        return self.model.embed(z, timestep, fps, pos_emb, y)


class DenoiserBlockPair(nn.Module):
    def __init__(self, model, i, tdtm):
        super().__init__()
        self.spatial = model.spatial_blocks[i]
        self.temporal = model.temporal_blocks[i]
        self.tdtm = tdtm

    def forward(self, x, y_tok, y_bias, t_mlp, rope_cos, rope_sin):
        x = self.spatial(x, y_tok, y_bias, t_mlp, rope_cos, rope_sin, self.tdtm)
        return self.temporal(x, y_tok, y_bias, t_mlp, rope_cos, rope_sin, self.tdtm)


class DenoiserFinal(nn.Module):
    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, x, t_emb, z, timestep):
        return self.model.final(x, t_emb, z, timestep)


class Decoder(nn.Module):
    def __init__(self, dec):
        super().__init__()
        self.dec = dec

    def forward(self, z):
        return self.dec(z)


class Geometry:
    """Clip geometry for example inputs: batch, latent frames/height/width, text length."""

    def __init__(self, batch, frames, height, width, text_len, height_px, width_px, fps):
        self.b, self.t, self.h, self.w, self.l = batch, frames, height, width, text_len
        self.height_px, self.width_px, self.fps = height_px, width_px, fps
        self.s = (height // 2) * (width // 2)


def text_bias(g, valid):
    mask = torch.zeros(g.b, g.l)
    for i in range(g.b):
        mask[i, : max(1, valid - i)] = 1.0
    return stdit3.caption_bias(mask)


def example_inputs(kind, model_cfg, text_cfg, g, gen, tdtm=False, vocab_size=None):
    """Realistic random inputs of one unit kind, as an ordered dict name -> tensor."""
    c = model_cfg["hidden_size"]
    d = text_cfg["hidden_size"]
    hd = c // model_cfg["num_heads"]
    cin = model_cfg["in_channels"]
    r = lambda *shape: torch.randn(*shape, generator=gen)
    if kind == "text.embed":
        return {"input_ids": torch.randint(0, vocab_size, (g.b, g.l), generator=gen, dtype=torch.int64)}
    if kind == "text.block":
        return {"h": r(g.b, g.l, d), "attn_bias": text_bias(g, g.l - 3)}
    if kind == "text.final":
        return {"h": r(g.b, g.l, d) * 2.0}
    if kind == "denoiser.embedder":
        return {"z": r(g.b, cin, g.t, g.h, g.w),
                "timestep": torch.rand(g.b, generator=gen) * 1000.0,
                "fps": torch.full((g.b,), float(g.fps)),
                "pos_emb": stdit3.pos_embed_for_clip(model_cfg, g.h, g.w, g.height_px, g.width_px),
                "y": r(g.b, g.l, model_cfg["caption_channels"])}
    if kind == "denoiser.block":
        rope_rows = (g.t + 1) // 2 if tdtm else g.t
        cos, sin = stdit3.rope_tables(hd, rope_rows)
        return {"x": r(g.b, g.t, g.s, c), "y_tok": r(g.b, g.l, c), "y_bias": text_bias(g, g.l - 5),
                "t_mlp": r(g.b, 6 * c) * 0.5, "rope_cos": cos, "rope_sin": sin}
    if kind == "denoiser.final":
        return {"x": r(g.b, g.t, g.s, c), "t_emb": r(g.b, c),
                "z": r(g.b, cin, g.t, g.h, g.w),
                "timestep": torch.linspace(1000.0, 20.0, g.b)}
    if kind == "decoder":
        return {"z": r(g.b, cin, g.t, g.h, g.w)}
    raise ValueError(kind)


OUTPUTS = {
    "text.embed": ["h"],
    "text.block": ["h_out"],
    "text.final": ["text_emb"],
    "denoiser.embedder": ["x", "y_tok", "t_mlp", "t_emb"],
    "denoiser.block": ["x_out"],
    "denoiser.final": ["v"],
    "decoder": ["video"],
}

# Symbolic axes per tensor name (FORMAT.md symbols); everything else is fixed by the config.
AXES = {
    "text.embed": {"input_ids": {0: "B", 1: "L"}, "h": {0: "B", 1: "L"}},
    "text.block": {"h": {0: "B", 1: "L"}, "attn_bias": {0: "B", 1: "L"}, "h_out": {0: "B", 1: "L"}},
    "text.final": {"h": {0: "B", 1: "L"}, "text_emb": {0: "B", 1: "L"}},
    "denoiser.embedder": {"z": {0: "B", 2: "T", 3: "H", 4: "W"}, "timestep": {0: "B"}, "fps": {0: "B"},
                          "pos_emb": {1: "S"}, "y": {0: "B", 1: "L"}, "x": {0: "B", 1: "T", 2: "S"},
                          "y_tok": {0: "B", 1: "L"}, "t_mlp": {0: "B"}, "t_emb": {0: "B"}},
    "denoiser.block": {"x": {0: "B", 1: "T", 2: "S"}, "y_tok": {0: "B", 1: "L"}, "y_bias": {0: "B", 1: "L"},
                       "t_mlp": {0: "B"}, "rope_cos": {0: "T"}, "rope_sin": {0: "T"},
                       "x_out": {0: "B", 1: "T", 2: "S"}},
    "denoiser.final": {"x": {0: "B", 1: "T", 2: "S"}, "t_emb": {0: "B"}, "z": {0: "B", 2: "T", 3: "H", 4: "W"},
                       "timestep": {0: "B"}, "v": {0: "B", 2: "T", 3: "H", 4: "W"}},
    "decoder": {"z": {0: "B", 2: "T", 3: "H", 4: "W"}, "video": {0: "B", 2: "F", 3: "Hpx", 4: "Wpx"}},
}


def axes_for(kind, tdtm):
    axes = {k: dict(v) for k, v in AXES[kind].items()}
    if kind == "denoiser.block" and tdtm:  # rope tables have ceil(T/2) rows on merged steps
        axes["rope_cos"] = {0: "Tm"}
        axes["rope_sin"] = {0: "Tm"}
    return axes

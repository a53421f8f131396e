"""T5 v1.1 encoder (the `DeepFloyd/t5-v1_1-xxl` checkpoint Open-Sora 1.2 uses), with the checkpoint's key names.

Open-Sora v1.2.0 `opensora/models/text_encoder/t5.py` runs transformers' `T5EncoderModel` in fp32 on prompts
tokenized to 300 ids. The architecture (T5 v1.1, arXiv 1910.10683 and the v1.1 release notes): token
embedding `shared` (no scaling), N pre-norm blocks of self-attention + gated-GELU feed-forward, a final RMS
norm. Facts the graphs depend on:
- RMS norm ("T5LayerNorm"): x · rsqrt(mean(x²) + eps) · weight, no mean subtraction, no bias.
- Attention has no bias and no 1/sqrt(d_kv) scaling; only the first block owns
  `relative_attention_bias` [buckets, heads]; the bias it computes is added in every block.
- Relative positions are bucketed bidirectionally: half the buckets per direction, exact below half of
  those, logarithmic up to `relative_attention_max_distance`.
- Feed-forward: wo(gelu_tanh(wi_0(x)) · wi_1(x)).
Each block is one unit: block 0 returns the position bias [1, heads, L, L] that later blocks take as input.
"""
import math

import torch
import torch.nn as nn
import torch.nn.functional as F


class T5Config:
    """Sizes from config.json; checked against the tensors by the importer."""

    FIELDS = ("d_model", "d_kv", "d_ff", "num_layers", "num_heads", "vocab_size", "relative_attention_num_buckets",
              "relative_attention_max_distance", "layer_norm_epsilon")

    def __init__(self, cfg):
        for field in self.FIELDS:
            setattr(self, field, cfg[field])
        self.inner = self.num_heads * self.d_kv


class T5LayerNorm(nn.Module):
    def __init__(self, dim, eps):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(dim))
        self.eps = eps

    def forward(self, x):
        var = x.pow(2).mean(dim=2, keepdim=True)
        return self.weight * (x * torch.rsqrt(var + self.eps))


def relative_buckets(length, num_buckets, max_distance):
    """Bucket index [L, L] of (key position − query position), bidirectional."""
    pos = torch.arange(length, dtype=torch.int64)
    rel = pos.reshape(1, -1) - pos.reshape(-1, 1)
    half = num_buckets // 2
    exact = half // 2
    side = (rel > 0).to(torch.int64) * half
    dist = rel.abs()
    # log of a distance ≥ 1 only; below `exact` the exact branch is taken anyway
    scaled = torch.log(dist.clamp(min=1).to(torch.float32) / exact) / math.log(max_distance / exact)
    far = exact + (scaled * (half - exact)).to(torch.int64)
    far = torch.minimum(far, torch.full_like(far, half - 1))
    return side + torch.where(dist < exact, dist, far)


class T5Attention(nn.Module):
    def __init__(self, cfg, has_relative_bias):
        super().__init__()
        self.heads, self.d_kv = cfg.num_heads, cfg.d_kv
        self.buckets, self.max_distance = cfg.relative_attention_num_buckets, cfg.relative_attention_max_distance
        self.q = nn.Linear(cfg.d_model, cfg.inner, bias=False)
        self.k = nn.Linear(cfg.d_model, cfg.inner, bias=False)
        self.v = nn.Linear(cfg.d_model, cfg.inner, bias=False)
        self.o = nn.Linear(cfg.inner, cfg.d_model, bias=False)
        if has_relative_bias:
            self.relative_attention_bias = nn.Embedding(cfg.relative_attention_num_buckets, cfg.num_heads)

    def position_bias(self, length):
        """[1, heads, L, L] from the learned per-bucket bias."""
        idx = relative_buckets(length, self.buckets, self.max_distance)
        return self.relative_attention_bias(idx).permute(2, 0, 1).unsqueeze(0)

    def forward(self, h, attn_bias, pos_bias):
        b, length, _ = h.shape
        split = lambda t: t.reshape(b, length, self.heads, self.d_kv).permute(0, 2, 1, 3)  # noqa: E731
        q, k, v = split(self.q(h)), split(self.k(h)), split(self.v(h))
        scores = torch.matmul(q, k.permute(0, 1, 3, 2)) + pos_bias + attn_bias.reshape(b, 1, 1, length)
        out = torch.matmul(scores.softmax(dim=3), v).permute(0, 2, 1, 3).reshape(b, length, self.heads * self.d_kv)
        return self.o(out)


class T5LayerSelfAttention(nn.Module):
    def __init__(self, cfg, has_relative_bias):
        super().__init__()
        self.SelfAttention = T5Attention(cfg, has_relative_bias)
        self.layer_norm = T5LayerNorm(cfg.d_model, cfg.layer_norm_epsilon)


class T5DenseGatedActDense(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.wi_0 = nn.Linear(cfg.d_model, cfg.d_ff, bias=False)
        self.wi_1 = nn.Linear(cfg.d_model, cfg.d_ff, bias=False)
        self.wo = nn.Linear(cfg.d_ff, cfg.d_model, bias=False)

    def forward(self, x):
        return self.wo(F.gelu(self.wi_0(x), approximate="tanh") * self.wi_1(x))


class T5LayerFF(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.DenseReluDense = T5DenseGatedActDense(cfg)
        self.layer_norm = T5LayerNorm(cfg.d_model, cfg.layer_norm_epsilon)


class T5Block(nn.Module):
    """`encoder.block.{i}`; the first block also computes the relative position bias for all blocks."""

    def __init__(self, cfg, first):
        super().__init__()
        self.first = first
        self.layer = nn.ModuleList([T5LayerSelfAttention(cfg, first), T5LayerFF(cfg)])

    def forward(self, h, attn_bias, pos_bias=None):
        attn, ff = self.layer[0], self.layer[1]
        if self.first:
            pos_bias = attn.SelfAttention.position_bias(h.shape[1])
        h = h + attn.SelfAttention(attn.layer_norm(h), attn_bias, pos_bias)
        h = h + ff.DenseReluDense(ff.layer_norm(h))
        return (h, pos_bias) if self.first else h


class T5Embedding(nn.Module):
    """`shared` (the encoder's `embed_tokens` is the same tensor)."""

    def __init__(self, cfg):
        super().__init__()
        self.shared = nn.Embedding(cfg.vocab_size, cfg.d_model)

    def forward(self, input_ids):
        return self.shared(input_ids)


class T5Final(nn.Module):
    """`encoder.final_layer_norm`."""

    def __init__(self, cfg):
        super().__init__()
        self.final_layer_norm = T5LayerNorm(cfg.d_model, cfg.layer_norm_epsilon)

    def forward(self, h):
        return self.final_layer_norm(h)


def unit_prefixes(cfg):
    """(unit id, checkpoint key prefix, module factory) in run order."""
    units = [("text.embed", "", lambda: T5Embedding(cfg))]
    units += [(f"text.block.{i:02d}", f"encoder.block.{i}.", (lambda i=i: T5Block(cfg, i == 0)))
              for i in range(cfg.num_layers)]
    units.append(("text.final", "encoder.", lambda: T5Final(cfg)))
    return units


def encode(units, input_ids, attn_bias):
    """Whole-encoder reference: embed → blocks (bias from the first) → final norm."""
    h = units[0](input_ids)
    h, pos_bias = units[1](h, attn_bias)
    for block in units[2:-1]:
        h = block(h, attn_bias, pos_bias)
    return units[-1](h)

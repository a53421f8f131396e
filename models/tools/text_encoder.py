"""Small word-level text encoder standing in for T5: embedding + pre-LN transformer blocks + final norm.

Stages match the package units text.embed / text.block.NN / text.final (models/FORMAT.md).
"""
import json

import torch
import torch.nn as nn
import torch.nn.functional as F

from stdit3 import Mlp
from words import prompt_words

PAD, UNK, END = "<pad>", "<unk>", "<end>"


class WordTokenizer:
    """FORMAT.md tokenizer: lowercase, split into words (words.py), append end, truncate, pad."""

    def __init__(self, words, max_tokens):
        self.words = list(words)
        self.index = {w: i for i, w in enumerate(self.words)}
        self.max_tokens = max_tokens
        self.pad_id, self.unk_id, self.end_id = self.index[PAD], self.index[UNK], self.index[END]

    @staticmethod
    def build(caption_words, max_tokens):
        return WordTokenizer([PAD, UNK, END] + sorted(set(caption_words)), max_tokens)

    def encode(self, text):
        ids = [self.index.get(w, self.unk_id) for w in prompt_words(text)]
        ids = ids[: self.max_tokens - 1] + [self.end_id]
        mask = [1] * len(ids) + [0] * (self.max_tokens - len(ids))
        return ids + [self.pad_id] * (self.max_tokens - len(ids)), mask

    def batch(self, texts):
        pairs = [self.encode(t) for t in texts]
        return (torch.tensor([p[0] for p in pairs], dtype=torch.int64),
                torch.tensor([p[1] for p in pairs], dtype=torch.float32))

    def save(self, path):
        with open(path, "w") as f:
            json.dump(self.words, f)


class TextSelfAttention(nn.Module):
    def __init__(self, dim, num_heads):
        super().__init__()
        self.dim, self.num_heads, self.head_dim = dim, num_heads, dim // num_heads
        self.qkv = nn.Linear(dim, 3 * dim)
        self.proj = nn.Linear(dim, dim)

    def forward(self, h, attn_bias):
        b, length, _ = h.shape
        qkv = self.qkv(h).reshape(b, length, 3, self.num_heads, self.head_dim).permute(2, 0, 3, 1, 4)
        q, k, v = qkv[0], qkv[1], qkv[2]  # [B, H, L, hd]
        scores = torch.matmul(q * (self.head_dim ** -0.5), k.permute(0, 1, 3, 2))
        scores = scores + attn_bias.reshape(b, 1, 1, length)
        out = torch.matmul(scores.softmax(dim=3), v).permute(0, 2, 1, 3).reshape(b, length, self.dim)
        return self.proj(out)


class TextBlock(nn.Module):
    def __init__(self, dim, num_heads, mlp_ratio):
        super().__init__()
        self.norm1 = nn.LayerNorm(dim, eps=1e-6)
        self.attn = TextSelfAttention(dim, num_heads)
        self.norm2 = nn.LayerNorm(dim, eps=1e-6)
        self.mlp = Mlp(dim, int(dim * mlp_ratio), dim)

    def forward(self, h, attn_bias):
        h = h + self.attn(self.norm1(h), attn_bias)
        return h + self.mlp(self.norm2(h))


class TextEncoder(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        d = cfg["hidden_size"]
        self.cfg = cfg
        self.hidden_size = d
        self.token_embedding = nn.Embedding(cfg["vocab_size"], d)
        self.position_embedding = nn.Parameter(torch.randn(cfg["max_tokens"], d) * 0.02)
        self.blocks = nn.ModuleList([TextBlock(d, cfg["num_heads"], cfg.get("mlp_ratio", 4.0))
                                     for _ in range(cfg["depth"])])
        self.final_norm = nn.LayerNorm(d, eps=1e-6)
        nn.init.normal_(self.token_embedding.weight, std=0.5)

    def embed(self, input_ids):
        length = input_ids.shape[1]
        return self.token_embedding(input_ids) + self.position_embedding[:length].unsqueeze(0)

    def block(self, i, h, attn_bias):
        return self.blocks[i](h, attn_bias)

    def final(self, h):
        return self.final_norm(h)

    def forward(self, input_ids, mask):
        bias = (1.0 - mask) * -1e4
        h = self.embed(input_ids)
        for i in range(len(self.blocks)):
            h = self.block(i, h, bias)
        return self.final(h)

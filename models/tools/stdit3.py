"""STDiT3 (Open-Sora 1.2) denoiser at a configurable size, with Open-Sora's exact module and parameter names.

Structure and names follow opensora/models/stdit/stdit3.py and opensora/models/layers/blocks.py of
hpcaitech/Open-Sora at tag v1.2.0, as summarised in docs/open-sora.md (no upstream code copied). Activations inside
blocks are rank-4 [B, T, S, C] so ONNX graphs keep B and T symbolic without reshapes over symbolic products
(docs/open-sora.md §Export pitfalls).
Every reshape takes its sizes from input shapes or Python-int constants, and every dim index is positive.
"""
import json
import math

import torch
import torch.nn as nn
import torch.nn.functional as F

NORM_EPS = 1e-6
FREQ_EMBED_SIZE = 256  # hard-coded in Open-Sora for timestep and fps embedders


def load_config(path):
    with open(path) as f:
        cfg = json.load(f)
    return cfg


def layer_norm(x, dim):
    """Affine-free LayerNorm with a Python-int normalized shape (docs/open-sora.md §Export pitfalls, 4 and 5).

    Exported, it carries a constant unit scale and zero bias: onnxruntime fuses the opset-16 decomposition into one
    LayerNormalization only when the Mul and Add follow the Div (LayerNormFusion); without them it stays five
    elementwise passes and two reductions over the tokens (docs/real-size.md)."""
    if torch.onnx.is_in_onnx_export():
        return F.layer_norm(x, (dim,), torch.ones(dim, dtype=x.dtype), torch.zeros(dim, dtype=x.dtype), eps=NORM_EPS)
    return F.layer_norm(x, (dim,), eps=NORM_EPS)


def modulate(x, shift, scale):
    return x * (1 + scale) + shift


class RMSNorm(nn.Module):
    """Llama-style RMSNorm over the head dim with a learnable weight (Open-Sora's q_norm / k_norm)."""

    def __init__(self, dim):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(dim))

    def forward(self, x):
        var = x.pow(2).mean(dim=x.dim() - 1, keepdim=True)
        return x * torch.rsqrt(var + NORM_EPS) * self.weight


class TokenLinear(nn.Linear):
    """nn.Linear (same parameters and keys) computed on the tokens flattened to 2-D: exported, that is one Gemm with
    the bias inside the product instead of MatMul then Add, one pass less over the output in ONNX Runtime, which
    fuses MatMul + Add only for 2-D inputs (docs/real-size.md)."""

    def forward(self, x):
        return F.linear(x.reshape(-1, x.shape[-1]), self.weight, self.bias).reshape(*x.shape[:-1], self.out_features)


def gelu_tanh(x):
    """GELU, tanh form. Exported, it is written in the order ONNX Runtime's FastGeluFusion matches, (0.5·x)·(1 +
    tanh((x + x³·0.044715)·√(2/π))), which ORT then runs as one operator; torch 1.13 exports
    F.gelu(approximate="tanh") in an order ORT does not fuse (eight elementwise passes over the MLP's widest
    tensor). Eager PyTorch keeps its fused kernel."""
    if torch.onnx.is_in_onnx_export():
        return (x * 0.5) * (1.0 + torch.tanh((x + torch.pow(x, 3.0) * 0.044715) * math.sqrt(2.0 / math.pi)))
    return F.gelu(x, approximate="tanh")


class Mlp(nn.Module):
    """timm-style Mlp: fc1 -> GELU(tanh) -> fc2."""

    def __init__(self, in_features, hidden_features, out_features):
        super().__init__()
        self.fc1 = TokenLinear(in_features, hidden_features)
        self.fc2 = TokenLinear(hidden_features, out_features)

    def forward(self, x):
        return self.fc2(gelu_tanh(self.fc1(x)))


def apply_rope(x, cos, sin):
    """Interleaved-pair rotary embedding on x [B1, B2, H, L, hd] with cos/sin [L, hd] (rows = positions).

    The pairs are read as [B1·B2, H·L, hd/2, 2], indexed (a scalar Gather of rank-4 data), and rotate-half is a
    product with −1 (exact, as negation is): rank ≤ 5 and no Neg, what ORT's CoreML EP takes (docs/coreml.md)."""
    b1, b2, h, length, hd = x.shape
    pairs = x.reshape(b1 * b2, h * length, hd // 2, 2)
    rotated = torch.stack((pairs[:, :, :, 1] * -1.0, pairs[:, :, :, 0]), dim=3).reshape(b1, b2, h, length, hd)
    return x * cos + rotated * sin


class Attention(nn.Module):
    """Self-attention over the third axis of a rank-4 input [B1, B2, L, C]; qk RMSNorm, optional RoPE."""

    def __init__(self, dim, num_heads, qk_norm=True):
        super().__init__()
        self.dim = dim
        self.num_heads = num_heads
        self.head_dim = dim // num_heads
        self.qkv = TokenLinear(dim, 3 * dim)
        self.q_norm = RMSNorm(self.head_dim) if qk_norm else nn.Identity()
        self.k_norm = RMSNorm(self.head_dim) if qk_norm else nn.Identity()
        self.proj = TokenLinear(dim, dim)

    def forward(self, x, rope_cos=None, rope_sin=None):
        b1, b2, length, _ = x.shape
        # q, k, v [B1, B2, H, L, hd] indexed from [3, B1·B2·H, L, hd]: rank ≤ 5 and scalar Gathers of rank-4 data,
        # what ORT's CoreML EP takes (docs/coreml.md)
        qkv = self.qkv(x).reshape(b1 * b2, length, 3, self.num_heads, self.head_dim).permute(2, 0, 3, 1, 4)
        qkv = qkv.reshape(3, b1 * b2 * self.num_heads, length, self.head_dim)
        q, k, v = (qkv[i].reshape(b1, b2, self.num_heads, length, self.head_dim) for i in range(3))
        q = self.q_norm(q)
        k = self.k_norm(k)
        if rope_cos is not None:  # RoPE after the qk-norm (docs/open-sora.md §Blocks)
            q = apply_rope(q, rope_cos, rope_sin)
            k = apply_rope(k, rope_cos, rope_sin)
        scores = torch.matmul(q * (self.head_dim ** -0.5), k.permute(0, 1, 2, 4, 3))
        out = torch.matmul(scores.softmax(dim=4), v)  # [B1, B2, H, L, hd]
        out = out.permute(0, 1, 3, 2, 4).reshape(b1, b2, length, self.dim)
        return self.proj(out)


class MultiHeadCrossAttention(nn.Module):
    """Queries x [B, T, S, C] attend to text tokens y [B, L, C] with an additive key bias [B, L]."""

    def __init__(self, dim, num_heads):
        super().__init__()
        self.dim = dim
        self.num_heads = num_heads
        self.head_dim = dim // num_heads
        self.q_linear = TokenLinear(dim, dim)
        self.kv_linear = TokenLinear(dim, 2 * dim)
        self.proj = TokenLinear(dim, dim)

    def forward(self, x, y_tok, y_bias):
        b, t, s, _ = x.shape
        length = y_tok.shape[1]
        q = self.q_linear(x).reshape(b, t, s, self.num_heads, self.head_dim).permute(0, 3, 1, 2, 4)
        kv = self.kv_linear(y_tok).reshape(b * length, 2, self.num_heads, self.head_dim)  # rank 4 for CoreML's Gather
        k = kv[:, 0].reshape(b, length, self.num_heads, self.head_dim).permute(0, 2, 3, 1).unsqueeze(2)  # [B, H, 1, hd, L]
        v = kv[:, 1].reshape(b, length, self.num_heads, self.head_dim).permute(0, 2, 1, 3).unsqueeze(2)  # [B, H, 1, L, hd]
        scores = torch.matmul(q * (self.head_dim ** -0.5), k)  # [B, H, T, S, L]
        scores = scores + y_bias.reshape(b, 1, 1, 1, length)
        out = torch.matmul(scores.softmax(dim=4), v)  # [B, H, T, S, hd]
        out = out.permute(0, 2, 3, 1, 4).reshape(b, t, s, self.dim)
        return self.proj(out)


def frame_groups_matrix(frames, like):
    """[ceil(T/2), T] 0/1 matrix: row k is 1 at frames 2k and 2k+1 (an odd last frame is a group of its own).

    Built from the traced frame count (Range, Div, Equal), so T stays symbolic; where the engine fixes T (CoreML's
    static shapes) onnxruntime folds it to a constant."""
    cols = torch.arange(frames, device=like.device)
    rows = torch.arange((frames + 1) // 2, device=like.device)
    return (cols.unsqueeze(0) // 2 == rows.unsqueeze(1)).to(like.dtype)


def tdtm_merge(h):
    """Average frames (2k, 2k+1) of h [B, T, S, C] -> [B, ceil(T/2), S, C].

    One matrix product with the group-mean matrix over frames: one read of h and one write of the merged tensor,
    with no padding copy or strided slices (each exported as a full copy), and no branch on T's parity."""
    b, frames, s, c = h.shape
    groups = frame_groups_matrix(frames, h)
    mean = groups / groups.sum(dim=1, keepdim=True)
    return torch.matmul(mean, h.reshape(b, frames, s * c)).reshape(b, -1, s, c)


def tdtm_unmerge(m, frames):
    """Copy each merged frame of m [B, Tm, S, C] back to its group members -> [B, frames, S, C] (one product with
    the transposed 0/1 group matrix, which writes the output once)."""
    b, tm, s, c = m.shape
    copies = frame_groups_matrix(frames, m).permute(1, 0)
    return torch.matmul(copies, m.reshape(b, tm, s * c)).reshape(b, frames, s, c)


class STDiT3Block(nn.Module):
    """One spatial or temporal block: adaLN-single modulated self-attention, cross-attention, MLP
    (docs/open-sora.md §Blocks)."""

    def __init__(self, hidden_size, num_heads, mlp_ratio, temporal, qk_norm=True):
        super().__init__()
        self.hidden_size = hidden_size
        self.temporal = temporal
        self.scale_shift_table = nn.Parameter(torch.randn(6, hidden_size) / hidden_size ** 0.5)
        self.attn = Attention(hidden_size, num_heads, qk_norm)
        self.cross_attn = MultiHeadCrossAttention(hidden_size, num_heads)
        self.mlp = Mlp(hidden_size, int(hidden_size * mlp_ratio), hidden_size)

    def forward(self, x, y_tok, y_bias, t_mlp, rope_cos, rope_sin, tdtm=False, x_mask=None, t0_mlp=None):
        """x_mask [B, T] bool (True: generate at t, False: reference at t = 0) with t0_mlp [B, 6C], or None."""
        b, frames = x.shape[0], x.shape[1]
        c = self.hidden_size
        mod = frame_modulation(self.scale_shift_table, t_mlp, x_mask, t0_mlp, 6)
        shift_msa, scale_msa, gate_msa, shift_mlp, scale_mlp, gate_mlp = mod

        h = modulate(layer_norm(x, c), shift_msa, scale_msa)
        if tdtm:  # TDTM: merge after modulation, unmerge before the gate (docs/techniques.md §TDTM)
            h = tdtm_merge(h)
        if self.temporal:
            h = self.attn(h.permute(0, 2, 1, 3), rope_cos, rope_sin).permute(0, 2, 1, 3)
        else:
            h = self.attn(h)
        if tdtm:
            h = tdtm_unmerge(h, frames)
        x = x + gate_msa * h

        if tdtm:
            x = x + tdtm_unmerge(self.cross_attn(tdtm_merge(x), y_tok, y_bias), frames)
        else:
            x = x + self.cross_attn(x, y_tok, y_bias)

        h = modulate(layer_norm(x, c), shift_mlp, scale_mlp)
        return x + gate_mlp * self.mlp(h)


def mask_as(mask, shape):
    """The bool mask reshaped, through float: ORT's CoreML EP reshapes (and squeezes) float, float16 and int64
    tensors only, but casts bool both ways (docs/coreml.md)."""
    return mask.float().reshape(shape).bool()


def frame_modulation(table, t_vec, x_mask, t0_vec, rows):
    """adaLN-single parameters table + t as `rows` tensors [B, 1, 1, C]; with a frame mask, per frame [B, T, 1, C]:
    t's where x_mask is True, t0's (timestep 0) where False. Open-Sora v1.2.0 (opensora/models/stdit/stdit3.py,
    t_mask_select) modulates every frame with both and selects the modulated rows; selecting the parameters first
    gives the same numbers per element (each row sees the same products) at a fraction of the work.
    The rows are split off (Split), not indexed (a scalar Gather of rank-5 data): what ORT's CoreML EP takes
    (docs/coreml.md)."""
    b, c = t_vec.shape[0], table.shape[1]
    mod = (table.unsqueeze(0) + t_vec.reshape(b, rows, c)).reshape(b, rows, 1, 1, c)
    if x_mask is not None:
        mod0 = (table.unsqueeze(0) + t0_vec.reshape(b, rows, c)).reshape(b, rows, 1, 1, c)
        mod = torch.where(mask_as(x_mask, (b, 1, x_mask.shape[1], 1, 1)), mod, mod0)
    return [row.squeeze(1) for row in mod.split(1, dim=1)]


def sinusoid_embedding(t, dim=FREQ_EMBED_SIZE, max_period=10000.0):
    """[cos, sin] of t·f_k, f_k = max_period^(-k/(dim/2)) (docs/open-sora.md §Embeddings)."""
    half = dim // 2
    freqs = torch.exp(-math.log(max_period) * torch.arange(half, dtype=torch.float32, device=t.device) / half)
    args = t.float().reshape(-1, 1) * freqs.reshape(1, half)
    return torch.cat((torch.cos(args), torch.sin(args)), dim=1)


class TimestepEmbedder(nn.Module):
    def __init__(self, hidden_size):
        super().__init__()
        self.mlp = nn.Sequential(nn.Linear(FREQ_EMBED_SIZE, hidden_size), nn.SiLU(), nn.Linear(hidden_size, hidden_size))

    def forward(self, t):
        return self.mlp(sinusoid_embedding(t))


class PatchEmbed3D(nn.Module):
    def __init__(self, patch_size, in_channels, hidden_size):
        super().__init__()
        self.proj = nn.Conv3d(in_channels, hidden_size, kernel_size=patch_size, stride=patch_size)

    def forward(self, z):
        """z [B, Cin, T, H, W] -> [B, T, Hp·Wp, C].

        Exported with a temporal patch of 1 (Open-Sora 1.2's (1, 2, 2)), the Conv3d (kernel = stride: disjoint
        patches) is one Gemm over the patches, gathered by two rank-5 transposes, with the Conv3d weight read as
        [C, Cin·kh·kw] (the same bytes): ORT's CoreML EP takes neither 3-D convolutions nor rank > 5, and on the CPU
        the Gemm is faster than a Conv2d over the B·T frames (docs/coreml.md). Eager PyTorch keeps the Conv3d."""
        b, cin, frames, height, width = z.shape
        kt, kh, kw = self.proj.kernel_size
        if kt != 1 or not torch.onnx.is_in_onnx_export():
            return self.proj(z).flatten(3).permute(0, 2, 3, 1)  # [B, C, T, Hp, Wp] -> [B, T, S, C]
        hp, wp = height // kh, width // kw
        patches = z.reshape(b * cin, frames * hp, kh, wp, kw).permute(0, 1, 3, 2, 4)  # [B·Cin, T·Hp, Wp, kh, kw]
        patches = patches.reshape(b, cin, frames * hp * wp, kh * kw).permute(0, 2, 1, 3)  # [B, T·S, Cin, kh·kw]
        weight = self.proj.weight.reshape(self.proj.out_channels, cin * kh * kw)
        x = F.linear(patches.reshape(b * frames * hp * wp, cin * kh * kw), weight, self.proj.bias)
        return x.reshape(b, frames, hp * wp, self.proj.out_channels)


class CaptionEmbedder(nn.Module):
    def __init__(self, caption_channels, hidden_size, model_max_length):
        super().__init__()
        self.y_proj = Mlp(caption_channels, hidden_size, hidden_size)
        # Learned null caption for CFG (persistent buffer, trained through caption dropout).
        self.register_buffer("y_embedding", torch.randn(model_max_length, caption_channels) / caption_channels ** 0.5)


class T2IFinalLayer(nn.Module):
    def __init__(self, hidden_size, out_per_token):
        super().__init__()
        self.scale_shift_table = nn.Parameter(torch.randn(2, hidden_size) / hidden_size ** 0.5)
        self.linear = nn.Linear(hidden_size, out_per_token)


class RotaryFreqs(nn.Module):
    """Holds rope.freqs [hd/2] = 10000^(-2i/hd), a stored parameter in the real checkpoint
    (docs/open-sora.md §Embeddings)."""

    def __init__(self, head_dim):
        super().__init__()
        self.freqs = nn.Parameter(rope_freqs(head_dim), requires_grad=False)


def rope_freqs(head_dim):
    return 10000.0 ** (-torch.arange(0, head_dim, 2, dtype=torch.float32) / head_dim)


class STDiT3(nn.Module):
    """Top-level module; state_dict keys match Open-Sora 1.2's STDiT3 (docs/open-sora.md §Blocks)."""

    def __init__(self, cfg):
        super().__init__()
        self.cfg = cfg
        c = cfg["hidden_size"]
        self.hidden_size = c
        self.depth = cfg["depth"]
        self.num_heads = cfg["num_heads"]
        self.head_dim = c // self.num_heads
        self.patch_size = tuple(cfg["patch_size"])
        self.in_channels = cfg["in_channels"]
        self.out_channels = self.in_channels * 2 if cfg.get("pred_sigma", True) else self.in_channels
        self.prediction = cfg.get("prediction_type", "v")
        self.tau_min = float(cfg.get("x0_tau_min", 0.05))
        mlp_ratio = cfg.get("mlp_ratio", 4.0)
        qk_norm = cfg.get("qk_norm", True)
        p = self.patch_size

        self.rope = RotaryFreqs(self.head_dim)
        self.x_embedder = PatchEmbed3D(p, self.in_channels, c)
        self.t_embedder = TimestepEmbedder(c)
        self.fps_embedder = TimestepEmbedder(c)  # Open-Sora's SizeEmbedder has the same mlp.{0,2} layout
        self.t_block = nn.Sequential(nn.SiLU(), nn.Linear(c, 6 * c))
        self.y_embedder = CaptionEmbedder(cfg["caption_channels"], c, cfg["model_max_length"])
        self.spatial_blocks = nn.ModuleList(
            [STDiT3Block(c, self.num_heads, mlp_ratio, temporal=False, qk_norm=qk_norm) for _ in range(self.depth)])
        self.temporal_blocks = nn.ModuleList(
            [STDiT3Block(c, self.num_heads, mlp_ratio, temporal=True, qk_norm=qk_norm) for _ in range(self.depth)])
        self.final_layer = T2IFinalLayer(c, p[0] * p[1] * p[2] * self.out_channels)
        # Absolute frame positions (as Open-Sora 1.0/1.1's STDiT `pos_embed_temporal`; STDiT3 has only RoPE,
        # which is relative). Without it, tokens of pure noise cannot tell which frame they belong to, so the
        # prediction at high noise cannot move an object over time. A fixed table: no checkpoint key.
        max_frames = int(cfg.get("temporal_pos_embed_frames", 0))
        if max_frames > 0:
            self.register_buffer("pos_embed_temporal", pos_embed_1d(c, max_frames), persistent=False)
        else:
            self.pos_embed_temporal = None
        self.initialize_weights()

    def initialize_weights(self):
        """Training init (docs/open-sora.md §Initialisation): xavier linears, zeroed temporal outputs so temporal
        blocks start as identity."""
        for m in self.modules():
            if isinstance(m, nn.Linear):
                nn.init.xavier_uniform_(m.weight)
                nn.init.zeros_(m.bias)
        for emb in (self.t_embedder, self.fps_embedder):
            nn.init.normal_(emb.mlp[0].weight, std=0.02)
        nn.init.zeros_(self.fps_embedder.mlp[2].weight)
        for blk in self.temporal_blocks:
            for lin in (blk.attn.proj, blk.cross_attn.proj, blk.mlp.fc2):
                nn.init.zeros_(lin.weight)

    # ----- stages (each is one exported unit) -----
    def embed(self, z, timestep, fps, pos_emb, y, with_t0=False):
        """-> x [B, T, S, C], y_tok [B, L, C], t_mlp [B, 6C], t_emb [B, C]; with_t0 adds t0_mlp [B, 6C] and t0_emb
        [B, C], the same at timestep 0 (v1.2.0's t0 for reference frames: t_embedder(0) + fps embedding)."""
        frames = z.shape[2]
        x = self.x_embedder(z)  # [B, T, S, C]
        x = x + pos_emb.unsqueeze(1)
        if self.pos_embed_temporal is not None:
            x = x + self.pos_embed_temporal[:frames]  # [T, 1, C] over [B, T, S, C]
        fps_emb = self.fps_embedder(fps)
        t_emb = self.t_embedder(timestep) + fps_emb
        t_mlp = self.t_block(t_emb)
        y_tok = self.y_embedder.y_proj(y)
        if not with_t0:
            return x, y_tok, t_mlp, t_emb
        t0_emb = self.t_embedder(torch.zeros_like(timestep)) + fps_emb
        return x, y_tok, t_mlp, t_emb, self.t_block(t0_emb), t0_emb

    def block_pair(self, i, x, y_tok, y_bias, t_mlp, rope_cos, rope_sin, tdtm=False, x_mask=None, t0_mlp=None):
        x = self.spatial_blocks[i](x, y_tok, y_bias, t_mlp, rope_cos, rope_sin, tdtm, x_mask, t0_mlp)
        return self.temporal_blocks[i](x, y_tok, y_bias, t_mlp, rope_cos, rope_sin, tdtm, x_mask, t0_mlp)

    def final(self, x, t_emb, z, timestep, x_mask=None, t0_emb=None):
        """Final layer + unpatchify -> Open-Sora velocity v [B, 2·in, T, H, W] (x0 converted here, if any).

        With x_mask [B, T] (False: reference frame) and t0_emb, reference rows are modulated twice as v1.2.0's
        T2IFinalLayer does: its t0 branch normalizes and modulates the rows already modulated with t."""
        b, frames, c = x.shape[0], x.shape[1], self.hidden_size
        height, width = z.shape[3], z.shape[4]
        hp, wp = height // 2, width // 2
        mod = self.final_layer.scale_shift_table.unsqueeze(0) + t_emb.reshape(b, 1, c)
        shift = mod[:, 0].reshape(b, 1, 1, c)
        scale = mod[:, 1].reshape(b, 1, 1, c)
        h = modulate(layer_norm(x, c), shift, scale)
        if x_mask is not None:
            mod0 = self.final_layer.scale_shift_table.unsqueeze(0) + t0_emb.reshape(b, 1, c)
            twice = modulate(layer_norm(h, c), mod0[:, 0].reshape(b, 1, 1, c), mod0[:, 1].reshape(b, 1, 1, c))
            h = torch.where(mask_as(x_mask, (b, frames, 1, 1)), h, twice)
        h = self.final_layer.linear(h)  # [B, T, S, 4·out], per token (row a, column c, channel o)
        oc = self.out_channels
        # unpatchify in two rank-≤5 steps (ORT's CoreML EP takes rank ≤ 5): rows of patches -> pixel rows of each
        # frame [B·T, Hp, 2, Wp, 2·oc] = [B·T, H, W, oc], then channels first -> [B, oc, T, H, W]
        h = h.reshape(b * frames, hp, wp, 2, 2 * oc).permute(0, 1, 3, 2, 4)
        h = h.reshape(b, frames, height * width, oc).permute(0, 3, 1, 2)
        out = h.reshape(b, oc, frames, height, width)
        if self.prediction == "x0":
            tau = (timestep / 1000.0).clamp(min=self.tau_min).reshape(b, 1, 1, 1, 1)
            v = (out[:, 0:self.in_channels] - z) / tau  # v ≈ x0 − ε  (z_t = (1−τ)x0 + τε)
        elif self.prediction == "x0_skip":
            # x0 = c_skip·z + c_out·F, so v = (x0 − z)/τ = (1 − 2τ)/d²·z + F/d with d² = (1−τ)² + τ²: no division
            # by τ, exact at τ = 0 (see skip_scalings).
            tau = (timestep / 1000.0).reshape(b, 1, 1, 1, 1)
            d2 = (1 - tau) * (1 - tau) + tau * tau
            v = (1 - 2 * tau) / d2 * z + out[:, 0:self.in_channels] / torch.sqrt(d2)
        else:
            return out
        return torch.cat((v, out[:, self.in_channels:oc]), dim=1)

    def forward(self, z, timestep, y, y_bias, fps, pos_emb, rope_cos, rope_sin, tdtm=False, x_mask=None):
        """x_mask [B, T] bool or None: v1.2.0's temporal mask (True: generate at `timestep`, False: reference)."""
        if x_mask is None:
            x, y_tok, t_mlp, t_emb = self.embed(z, timestep, fps, pos_emb, y)
            t0_mlp = t0_emb = None
        else:
            x, y_tok, t_mlp, t_emb, t0_mlp, t0_emb = self.embed(z, timestep, fps, pos_emb, y, with_t0=True)
        for i in range(self.depth):
            x = self.block_pair(i, x, y_tok, y_bias, t_mlp, rope_cos, rope_sin, tdtm, x_mask, t0_mlp)
        return self.final(x, t_emb, z, timestep, x_mask, t0_emb)

    def predict_x0(self, z, timestep, y, y_bias, fps, pos_emb, rope_cos, rope_sin):
        """Training path: the raw x0 head (channels 0..in-1), without the v conversion."""
        x, y_tok, t_mlp, t_emb = self.embed(z, timestep, fps, pos_emb, y)
        for i in range(self.depth):
            x = self.block_pair(i, x, y_tok, y_bias, t_mlp, rope_cos, rope_sin)
        saved, self.prediction = self.prediction, "raw"
        try:
            out = self.final(x, t_emb, z, timestep)[:, 0:self.in_channels]
        finally:
            self.prediction = saved
        if self.prediction == "x0_skip":
            c_skip, c_out = skip_scalings(timestep / 1000.0)
            return c_skip.reshape(-1, 1, 1, 1, 1) * z + c_out.reshape(-1, 1, 1, 1, 1) * out
        return out


def skip_scalings(tau):
    """Preconditioned x0 prediction (Karras et al. 2022, arXiv 2206.00364, §5 "preconditioning", with σ_data = 1 — the
    latent is normalized — written for z = (1−τ)·x0 + τ·ε): x0 = c_skip·z + c_out·F. c_skip = (1−τ)/d² is the
    least-squares weight of z alone, c_out = τ/d the remaining error's scale, d² = (1−τ)² + τ². At low noise the
    network only adds a small correction to z; a plain x0 head must copy the whole clip through the network and,
    trained mostly at high noise, blurs it (models/README.md, recipe v2)."""
    d2 = (1 - tau) ** 2 + tau ** 2
    return (1 - tau) / d2, tau / torch.sqrt(d2)


# ----- host-side tables (the engine computes the same; FORMAT.md) -----
def pos_embed_2d(hidden_size, hp, wp, scale, base_size):
    """Open-Sora 2D sin-cos embedding [1, S, C]: first half column (w), second half row (h), sin before cos."""
    quarter = hidden_size // 4
    omega = 10000.0 ** (-torch.arange(quarter, dtype=torch.float64) / quarter)
    u = torch.arange(wp, dtype=torch.float64) * base_size / (wp * scale)
    v = torch.arange(hp, dtype=torch.float64) * base_size / (hp * scale)
    uu = u.reshape(1, wp).expand(hp, wp).reshape(-1, 1) * omega
    vv = v.reshape(hp, 1).expand(hp, wp).reshape(-1, 1) * omega
    emb = torch.cat((torch.sin(uu), torch.cos(uu), torch.sin(vv), torch.cos(vv)), dim=1)
    return emb.float().unsqueeze(0)


def pos_embed_1d(hidden_size, positions):
    """1D sin-cos table [positions, 1, C] (sin half, then cos half), the temporal analogue of pos_embed_2d."""
    half = hidden_size // 2
    omega = 10000.0 ** (-torch.arange(half, dtype=torch.float64) / half)
    ang = torch.arange(positions, dtype=torch.float64).reshape(-1, 1) * omega
    return torch.cat((torch.sin(ang), torch.cos(ang)), dim=1).float().unsqueeze(1)


def pos_embed_for_clip(cfg, latent_h, latent_w, height_px, width_px):
    hp, wp = latent_h // 2, latent_w // 2
    scale = math.sqrt(height_px * width_px) / cfg.get("input_sq_size", 512)
    base_size = round(math.sqrt(hp * wp))
    return pos_embed_2d(cfg["hidden_size"], hp, wp, scale, base_size)


def rope_tables(head_dim, positions):
    """cos/sin [positions, hd]: column 2i and 2i+1 hold p·f_i (interleaved duplicate, no repeat_interleave)."""
    f = rope_freqs(head_dim).double()
    ang = torch.arange(positions, dtype=torch.float64).reshape(-1, 1) * f.reshape(1, -1)
    ang = torch.stack((ang, ang), dim=2).reshape(positions, head_dim)
    return torch.cos(ang).float(), torch.sin(ang).float()


def caption_bias(mask):
    """Additive key bias from a token mask (1 real, 0 pad): 0 / -1e4."""
    return (1.0 - mask.float()) * -1e4

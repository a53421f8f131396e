"""Independent PyTorch reference for a TDTM block: explicit frame groups, merge -> attention -> unmerge.

Groups are (0,1), (2,3), ...; an odd last frame is its own group. Written without the slicing tricks of
stdit3.tdtm_merge so the parity test compares two different formulations.
"""
import torch

from stdit3 import layer_norm, modulate


def frame_groups(frames):
    return [list(range(k, min(k + 2, frames))) for k in range(0, frames, 2)]


def merge(h, groups):
    return torch.stack([h[:, g].mean(dim=1) for g in groups], dim=1)


def unmerge(m, groups, frames):
    out = [None] * frames
    for j, g in enumerate(groups):
        for f in g:
            out[f] = m[:, j]
    return torch.stack(out, dim=1)


def select_frames(x_mask, x, x_zero):
    """v1.2.0's t_mask_select: rows of x where x_mask [B, T] is True, of x_zero where False."""
    b, frames = x_mask.shape
    return torch.where(x_mask.reshape(b, frames, 1, 1), x, x_zero)


def block_tdtm(blk, x, y_tok, y_bias, t_mlp, rope_cos, rope_sin, x_mask=None, t0_mlp=None):
    """With x_mask, as Open-Sora v1.2.0's block: every frame modulated and gated with t and with t0, then the
    rows selected per frame (not the exported per-frame parameters)."""
    b, frames, _, c = x.shape
    groups = frame_groups(frames)
    mod = (blk.scale_shift_table.unsqueeze(0) + t_mlp.reshape(b, 6, c)).reshape(b, 6, 1, 1, c)
    mod0 = None if x_mask is None else (blk.scale_shift_table.unsqueeze(0) + t0_mlp.reshape(b, 6, c)).reshape(b, 6, 1, 1, c)

    def both(fn):
        return fn(mod) if x_mask is None else select_frames(x_mask, fn(mod), fn(mod0))

    h = merge(both(lambda m: modulate(layer_norm(x, c), m[:, 0], m[:, 1])), groups)
    if blk.temporal:
        h = blk.attn(h.permute(0, 2, 1, 3), rope_cos, rope_sin).permute(0, 2, 1, 3)
    else:
        h = blk.attn(h)
    h = unmerge(h, groups, frames)
    x = x + both(lambda m: m[:, 2] * h)
    x = x + unmerge(blk.cross_attn(merge(x, groups), y_tok, y_bias), groups, frames)
    h = both(lambda m: modulate(layer_norm(x, c), m[:, 3], m[:, 4]))
    h = blk.mlp(h)
    return x + both(lambda m: m[:, 5] * h)


def block_pair_tdtm(model, i, x, y_tok, y_bias, t_mlp, rope_cos, rope_sin, x_mask=None, t0_mlp=None):
    x = block_tdtm(model.spatial_blocks[i], x, y_tok, y_bias, t_mlp, rope_cos, rope_sin, x_mask, t0_mlp)
    return block_tdtm(model.temporal_blocks[i], x, y_tok, y_bias, t_mlp, rope_cos, rope_sin, x_mask, t0_mlp)

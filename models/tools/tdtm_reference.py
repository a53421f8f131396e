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


def block_tdtm(blk, x, y_tok, y_bias, t_mlp, rope_cos, rope_sin):
    b, frames, _, c = x.shape
    groups = frame_groups(frames)
    mod = (blk.scale_shift_table.unsqueeze(0) + t_mlp.reshape(b, 6, c)).reshape(b, 6, 1, 1, c)
    h = merge(modulate(layer_norm(x, c), mod[:, 0], mod[:, 1]), groups)
    if blk.temporal:
        h = blk.attn(h.permute(0, 2, 1, 3), rope_cos, rope_sin).permute(0, 2, 1, 3)
    else:
        h = blk.attn(h)
    x = x + mod[:, 2] * unmerge(h, groups, frames)
    x = x + unmerge(blk.cross_attn(merge(x, groups), y_tok, y_bias), groups, frames)
    h = modulate(layer_norm(x, c), mod[:, 3], mod[:, 4])
    return x + mod[:, 5] * blk.mlp(h)


def block_pair_tdtm(model, i, x, y_tok, y_bias, t_mlp, rope_cos, rope_sin):
    x = block_tdtm(model.spatial_blocks[i], x, y_tok, y_bias, t_mlp, rope_cos, rope_sin)
    return block_tdtm(model.temporal_blocks[i], x, y_tok, y_bias, t_mlp, rope_cos, rope_sin)

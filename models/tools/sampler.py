"""Python reference sampler mirroring Open-Sora 1.2's RFLOW (docs/open-sora.md §Sampler: rectified flow, CFG,
Euler), with an optional Linear Proportional Leap (LPL): after `leap_at` ordinary steps,
z_final = z + (t'_n / 1000) · v̂_n (docs/techniques.md §LPL), and TDTM: the first `tdtm_steps` steps run the
block pairs with frame pairs merged (docs/techniques.md §TDTM).

Uses the same staged module calls as the exported units, so it samples exactly what the engine runs.
"""
import torch

import stdit3

NUM_TIMESTEPS = 1000


def timesteps(steps, transform):
    ts = [NUM_TIMESTEPS * (1 - i / steps) for i in range(steps)]
    if transform.get("kind") == "fixed":
        r = transform["shift"]
        ts = [NUM_TIMESTEPS * (r * (t / NUM_TIMESTEPS)) / (1 + (r - 1) * (t / NUM_TIMESTEPS)) for t in ts]
    return ts


@torch.no_grad()
def encode_prompts(text_encoder, tokenizer, prompts):
    ids, mask = tokenizer.batch(prompts)
    return text_encoder(ids, mask), mask


@torch.no_grad()
def sample(model, text_encoder, tokenizer, prompts, latent_shape, steps=30, cfg_scale=4.0, fps=8.0,
           transform=None, seed=0, leap_at=None, clip_px=(32, 32), start_latent=None, start_tau=1.0, tdtm_steps=0):
    """-> normalized latents [n, C, T, H, W]. With start_latent (already noised to start_tau), sampling starts there
    and the schedule is scaled to [start_tau, 0] (SDEdit, arXiv 2108.01073)."""
    transform = transform or {"kind": "none"}
    n = len(prompts)
    c, t, h, w = latent_shape
    y_c, mask = encode_prompts(text_encoder, tokenizer, prompts)
    y_null = model.y_embedder.y_embedding.unsqueeze(0).expand(n, -1, -1)[:, : y_c.shape[1]]
    y = torch.cat((y_c, y_null))
    bias = stdit3.caption_bias(mask)
    # The null row keeps its prompt's length (docs/open-sora.md §Text and the null caption).
    y_bias = torch.cat((bias, bias))
    pos = stdit3.pos_embed_for_clip(model.cfg, h, w, clip_px[0], clip_px[1])
    rope = stdit3.rope_tables(model.head_dim, t)
    merged_rope = stdit3.rope_tables(model.head_dim, (t + 1) // 2)  # TDTM: one position per frame pair
    fps_in = torch.full((2 * n,), float(fps))
    gen = torch.Generator().manual_seed(seed)
    z = torch.randn(n, c, t, h, w, generator=gen) if start_latent is None else start_latent
    ts = [t_i * start_tau for t_i in timesteps(steps, transform)]
    for i, t_i in enumerate(ts):
        tt = torch.full((2 * n,), float(t_i))
        merged = i < tdtm_steps
        out = model(torch.cat((z, z)), tt, y, y_bias, fps_in, pos, *(merged_rope if merged else rope), tdtm=merged)
        v_c, v_u = out[:n, :c], out[n:, :c]
        v = v_u + cfg_scale * (v_c - v_u)
        if leap_at is not None and i == leap_at:
            return z + (t_i / NUM_TIMESTEPS) * v
        dt = (ts[i] - ts[i + 1]) / NUM_TIMESTEPS if i + 1 < len(ts) else ts[-1] / NUM_TIMESTEPS
        z = z + v * dt
    return z

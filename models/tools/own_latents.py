"""A bank of the denoiser's own latents with the clips they should decode to, for training a decoder on what the
sampler actually hands it (train_latent.py --own-latents).

Each training clip (seen combinations, the denoiser's centred world) is encoded, noised to a τ0 drawn per chunk
from [lo, hi] and sampled back to τ = 0 with its own caption by the package's sampler (SDEdit, arXiv 2108.01073;
the defaults of config/clip.json). At these τ0 the object keeps its place, so the clean clip is the target: the
decoder learns to turn the slightly soft outlines the sampler ends on into the shapes the captions ask for.
Deterministic for a given denoiser checkpoint and seed, so a resumed decoder run rebuilds the same bank.

With `repaint`, a share of the chunks is first repainted in other colours (train_latent.py passes pairs the latent's
structure component cannot see, like the held-out red on green) and sampled unconditionally (CFG scale 0: the
captions name colours these clips no longer have), from lower τ0 so the outline is still the clip's.
"""
import numpy as np
import torch

import checkpoint as ckpt_lib
import data
import evaluate
import sampler
from text_encoder import WordTokenizer

CHUNK = 16


@torch.no_grad()
def build_bank(ckpt_path, encoder, clips, tau_range, seed, repaint=None):
    """-> (latents [N, C, T, h, w], videos [N, 3, T, H, W]) as CPU float32 tensors. repaint: None, or
    (share of the chunks, (τ0 low, high) for them, function (videos, combos, numpy RandomState) -> videos)."""
    _, cfgs, modules = evaluate.load_checkpoint(ckpt_path)
    differing = ckpt_lib.differing_encoder_tensor(encoder.state_dict(), modules["encoder"].state_dict())
    if differing is not None:
        raise SystemExit(f"--own-latents: {ckpt_path} was trained on another latent (encoder tensor '{differing}' differs)")
    clip = cfgs["clip"]
    videos, captions, combos = data.batch(seed, 0, clips, data.train_combinations(), world="centred")
    gen = torch.Generator().manual_seed(seed)
    rng = np.random.RandomState(seed)
    chunks = range(0, clips, CHUNK)
    repainted = set(chunks[:int(round(repaint[0] * len(chunks)))]) if repaint else set()
    paint_rng = np.random.RandomState(seed + 1)  # its own stream: the unpainted chunks stay those of a plain bank
    for i in sorted(repainted):
        videos[i:i + CHUNK] = repaint[2](videos[i:i + CHUNK], combos[i:i + CHUNK], paint_rng)
    videos = torch.from_numpy(videos)
    tok = WordTokenizer(ckpt_lib.vocab_words(), cfgs["text"]["max_tokens"])
    latents = []
    for i in chunks:
        z0 = modules["encoder"](videos[i:i + CHUNK])
        tau0 = float(rng.uniform(*(repaint[1] if i in repainted else tau_range)))
        noise = torch.randn(z0.shape, generator=gen)
        latents.append(sampler.sample(modules["denoiser"], modules["text"], tok, captions[i:i + CHUNK],
                                      tuple(z0.shape[1:]), steps=clip["sampler_steps"],
                                      cfg_scale=0.0 if i in repainted else clip["cfg_scale"],
                                      fps=clip["fps"], transform=clip["timestep_transform"],
                                      clip_px=(clip["height"], clip["width"]),
                                      start_latent=(1 - tau0) * z0 + tau0 * noise, start_tau=tau0))
    return torch.cat(latents), videos

"""Latent stage: a fixed linear encoder (PCA of 4x4 RGB patches, per frame) and a learned conv decoder.

The encoder is deterministic and cheap (one matmul), so the denoiser trains on a smooth, well-conditioned
latent; only the decoder ships (unit `decoder`). Latent normalization (per-channel scale/shift) lives in the
decoder module, so the decoder graph takes the normalized latent as sampled.
"""
import torch
import torch.nn as nn
import torch.nn.functional as F


def frames_to_patches(video, factor):
    """video [B, 3, F, H, W] -> patches [B, F, H/f, W/f, 3·f·f] (channel-major inside a patch)."""
    b, c, f, h, w = video.shape
    x = video.reshape(b, c, f, h // factor, factor, w // factor, factor)
    return x.permute(0, 2, 3, 5, 1, 4, 6).reshape(b, f, h // factor, w // factor, c * factor * factor)


def patches_to_frames(patches, factor):
    b, f, hl, wl, _ = patches.shape
    x = patches.reshape(b, f, hl, wl, 3, factor, factor).permute(0, 4, 1, 2, 5, 3, 6)
    return x.reshape(b, 3, f, hl * factor, wl * factor)


class PatchPCAEncoder(nn.Module):
    """z_raw[c] = components[c] · (patch − mean); normalized z = (z_raw − shift) / scale."""

    def __init__(self, factor, channels):
        super().__init__()
        self.factor = factor
        dim = 3 * factor * factor
        self.register_buffer("mean", torch.zeros(dim))
        self.register_buffer("components", torch.zeros(channels, dim))
        self.register_buffer("latent_shift", torch.zeros(channels))
        self.register_buffer("latent_scale", torch.ones(channels))

    @torch.no_grad()
    def fit(self, videos):
        p = frames_to_patches(videos, self.factor).reshape(-1, self.mean.numel()).double()
        mean = p.mean(0)
        cov = (p - mean).T @ (p - mean) / p.shape[0]
        evals, evecs = torch.linalg.eigh(cov)
        comps = evecs[:, torch.argsort(evals, descending=True)[: self.components.shape[0]]].T
        comps = comps * torch.sign(comps.sum(1, keepdim=True) + 1e-12)  # deterministic sign
        self.mean.copy_(mean.float())
        self.components.copy_(comps.float())
        raw = self.encode_raw(videos)
        self.latent_shift.copy_(raw.mean(dim=(0, 2, 3, 4)))
        self.latent_scale.copy_(raw.std(dim=(0, 2, 3, 4)))
        return (evals.sort(descending=True).values[: self.components.shape[0]] / evals.sum()).tolist()

    def encode_raw(self, video):
        p = frames_to_patches(video, self.factor) - self.mean
        z = p @ self.components.T  # [B, F, Hl, Wl, C]
        return z.permute(0, 4, 1, 2, 3).contiguous()

    def forward(self, video):
        z = self.encode_raw(video)
        return (z - self.latent_shift.reshape(1, -1, 1, 1, 1)) / self.latent_scale.reshape(1, -1, 1, 1, 1)

    def linear_decode(self, z):
        """Pseudo-inverse decode (for comparison with the learned decoder)."""
        raw = z * self.latent_scale.reshape(1, -1, 1, 1, 1) + self.latent_shift.reshape(1, -1, 1, 1, 1)
        p = raw.permute(0, 2, 3, 4, 1) @ self.components + self.mean
        return patches_to_frames(p, self.factor).clamp(-1, 1)


class ResBlock3D(nn.Module):
    def __init__(self, ch):
        super().__init__()
        self.conv1 = nn.Conv3d(ch, ch, (3, 3, 3), padding=(1, 1, 1))
        self.conv2 = nn.Conv3d(ch, ch, (1, 3, 3), padding=(0, 1, 1))

    def forward(self, x):
        return x + self.conv2(F.silu(self.conv1(F.silu(x))))


def structure_weights(components):
    """Per-channel weight of a PCA latent's one spatial component (the others are flat colours: a 4 x 4 cell's
    inner geometry reaches the latent only through it), from the encoder's `components` [C, 3·patch]: the mean
    absolute value of its pattern per channel."""
    comps = components.reshape(components.shape[0], 3, -1)
    spatial = int(comps.std(dim=2).sum(dim=1).argmax())
    return comps[spatial].abs().mean(dim=1).cpu().numpy()


class LatentDecoder(nn.Module):
    """Normalized latent [B, 4, T, H, W] -> video [B, 3, T, 4H, 4W] in [-1, 1] (temporal factor 1)."""

    def __init__(self, cfg):
        super().__init__()
        ch = cfg["channels"]
        c_lat = cfg["latent_channels"]
        self.register_buffer("latent_shift", torch.zeros(c_lat))
        self.register_buffer("latent_scale", torch.ones(c_lat))
        self.conv_in = nn.Conv3d(c_lat, ch[0], (1, 3, 3), padding=(0, 1, 1))
        self.mid = ResBlock3D(ch[0])
        self.up1 = nn.Conv3d(ch[0], ch[1], (1, 3, 3), padding=(0, 1, 1))
        self.res1 = ResBlock3D(ch[1])
        self.up2 = nn.Conv3d(ch[1], ch[2], (1, 3, 3), padding=(0, 1, 1))
        # Optional residual blocks at full resolution, where corner and apex pixels are decided (absent from the
        # config = none, so the state dicts of earlier decoders load unchanged).
        blocks = cfg.get("full_res_blocks", 0)
        self.full = nn.Sequential(*[ResBlock3D(ch[2]) for _ in range(blocks)]) if blocks else None
        self.conv_out = nn.Conv3d(ch[2], 3, (1, 3, 3), padding=(0, 1, 1))

    def forward(self, z):
        raw = z * self.latent_scale.reshape(1, -1, 1, 1, 1) + self.latent_shift.reshape(1, -1, 1, 1, 1)
        x = self.mid(self.conv_in(raw))
        x = self.res1(self.up1(F.interpolate(F.silu(x), scale_factor=(1.0, 2.0, 2.0), mode="nearest")))
        x = self.up2(F.interpolate(F.silu(x), scale_factor=(1.0, 2.0, 2.0), mode="nearest"))
        if self.full is not None:
            x = self.full(x)
        return torch.tanh(self.conv_out(F.silu(x)))

"""A learned latent encoder: 32×32 RGB frames -> 4 channels on the 8×8 grid (the PCA latent's geometry).

Per-frame convolutions (kernels (1, k, k)), two stride-2 downsamplings. It outputs a mean and a log-variance
(a VAE posterior): training decodes a sample and adds a light KL term, which keeps the latent smooth and close
to unit scale, the way a diffusion model wants it. After training, the encoder is deterministic (the mean),
normalized per channel with a stored shift/scale exactly like the PCA encoder, so the denoiser, the decoder
graph (`latent.LatentDecoder`) and the preview fit see the same interface.
"""
import torch
import torch.nn as nn
import torch.nn.functional as F


def _conv(cin, cout, k=3, stride=1):
    return nn.Conv3d(cin, cout, (1, k, k), stride=(1, stride, stride), padding=(0, k // 2, k // 2))


class ResBlock2D(nn.Module):
    def __init__(self, ch):
        super().__init__()
        self.conv1, self.conv2 = _conv(ch, ch), _conv(ch, ch)

    def forward(self, x):
        return x + self.conv2(F.silu(self.conv1(F.silu(x))))


class ConvLatentEncoder(nn.Module):
    """video [B, 3, F, H, W] in [-1, 1] -> normalized latent [B, C, F, H/4, W/4] (the posterior mean)."""

    def __init__(self, cfg):
        super().__init__()
        ch = cfg["encoder_channels"]
        c_lat = cfg["latent_channels"]
        if cfg["spatial_factor"] != 4 or cfg["temporal_factor"] != 1:
            raise ValueError("ConvLatentEncoder is built for spatial factor 4 and temporal factor 1")
        self.conv_in = _conv(3, ch[0])
        self.down1 = _conv(ch[0], ch[1], stride=2)
        self.res1 = ResBlock2D(ch[1])
        self.down2 = _conv(ch[1], ch[2], stride=2)
        self.res2 = ResBlock2D(ch[2])
        self.conv_out = _conv(ch[2], 2 * c_lat)
        self.register_buffer("latent_shift", torch.zeros(c_lat))
        self.register_buffer("latent_scale", torch.ones(c_lat))

    def posterior(self, video):
        """-> (mean, log-variance) of the raw (un-normalized) latent."""
        x = self.down1(F.silu(self.conv_in(video)))
        x = self.down2(F.silu(self.res1(x)))
        mean, logvar = self.conv_out(F.silu(self.res2(x))).chunk(2, dim=1)
        return mean, logvar.clamp(-12.0, 4.0)

    def normalize(self, raw):
        return (raw - self.latent_shift.reshape(1, -1, 1, 1, 1)) / self.latent_scale.reshape(1, -1, 1, 1, 1)

    def forward(self, video):
        return self.normalize(self.posterior(video)[0])


def kl_to_unit_normal(mean, logvar):
    """Mean over latent elements of KL(N(mean, e^logvar) || N(0, 1))."""
    return 0.5 * (mean.pow(2) + logvar.exp() - 1.0 - logvar).mean()

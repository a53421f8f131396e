"""The per-frame image VAE of Open-Sora 1.2 (`spatial_vae.module.*`): diffusers' AutoencoderKL layout.

Open-Sora v1.2.0 `opensora/models/vae/vae.py` (VideoAutoencoderKL) wraps a diffusers 0.27 `AutoencoderKL`
(SDXL-VAE architecture, fine-tuned by Open-Sora) and decodes frames in micro-batches of 4, dividing the latent
by 0.18215 first. The module tree below has the same parameter names so the checkpoint loads strictly; the
widths come from the tensors (`block_out_channels` from each level's resnets, `layers_per_block` from their
count, latent channels from `post_quant_conv`). GroupNorm uses 32 groups and eps 1e-6 everywhere, as
diffusers builds this model. The decoder makes clips; the encoder (`vae.spatial_encoder`) turns conditioning
frames (an image, a clip's last frames) into latents.
"""
import torch
import torch.nn as nn
import torch.nn.functional as F

from shape_lookup import shape_getter

GROUPS = 32
EPS = 1e-6
LATENT_SCALE = 0.18215  # hard-coded in VideoAutoencoderKL (not the 0.13025 of the SDXL config)


def group_norm(channels):
    return nn.GroupNorm(GROUPS, channels, eps=EPS)


class ResnetBlock2D(nn.Module):
    def __init__(self, cin, cout):
        super().__init__()
        self.norm1 = group_norm(cin)
        self.conv1 = nn.Conv2d(cin, cout, 3, padding=1)
        self.norm2 = group_norm(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, padding=1)
        self.conv_shortcut = nn.Conv2d(cin, cout, 1) if cin != cout else None

    def forward(self, x):
        h = self.conv1(F.silu(self.norm1(x)))
        h = self.conv2(F.silu(self.norm2(h)))
        skip = self.conv_shortcut(x) if self.conv_shortcut is not None else x
        return skip + h


class Attention(nn.Module):
    """Single-head self-attention over the H·W positions with a residual (diffusers `Attention`, VAE mid block)."""

    def __init__(self, channels):
        super().__init__()
        self.channels = channels
        self.group_norm = group_norm(channels)
        self.to_q = nn.Linear(channels, channels)
        self.to_k = nn.Linear(channels, channels)
        self.to_v = nn.Linear(channels, channels)
        self.to_out = nn.ModuleList([nn.Linear(channels, channels), nn.Dropout(0.0)])

    def forward(self, x):
        n, c, height, width = x.shape
        h = self.group_norm(x).reshape(n, c, height * width).permute(0, 2, 1)
        q, k, v = self.to_q(h), self.to_k(h), self.to_v(h)
        scores = torch.matmul(q * (self.channels ** -0.5), k.permute(0, 2, 1))
        out = self.to_out[0](torch.matmul(scores.softmax(dim=2), v))
        return x + out.permute(0, 2, 1).reshape(n, c, height, width)


class MidBlock(nn.Module):
    def __init__(self, channels):
        super().__init__()
        self.resnets = nn.ModuleList([ResnetBlock2D(channels, channels), ResnetBlock2D(channels, channels)])
        self.attentions = nn.ModuleList([Attention(channels)])

    def forward(self, x):
        x = self.resnets[0](x)
        x = self.attentions[0](x)
        return self.resnets[1](x)


class Upsample(nn.Module):
    def __init__(self, channels):
        super().__init__()
        self.conv = nn.Conv2d(channels, channels, 3, padding=1)

    def forward(self, x):
        return self.conv(F.interpolate(x, scale_factor=2.0, mode="nearest"))


class Downsample(nn.Module):
    def __init__(self, channels):
        super().__init__()
        self.conv = nn.Conv2d(channels, channels, 3, stride=2, padding=0)

    def forward(self, x):
        return self.conv(F.pad(x, (0, 1, 0, 1)))


class UpDecoderBlock(nn.Module):
    def __init__(self, cin, cout, layers, upsample):
        super().__init__()
        self.resnets = nn.ModuleList([ResnetBlock2D(cin if j == 0 else cout, cout) for j in range(layers)])
        self.upsamplers = nn.ModuleList([Upsample(cout)]) if upsample else None

    def forward(self, x):
        for resnet in self.resnets:
            x = resnet(x)
        return self.upsamplers[0](x) if self.upsamplers is not None else x


class DownEncoderBlock(nn.Module):
    def __init__(self, cin, cout, layers, downsample):
        super().__init__()
        self.resnets = nn.ModuleList([ResnetBlock2D(cin if j == 0 else cout, cout) for j in range(layers)])
        self.downsamplers = nn.ModuleList([Downsample(cout)]) if downsample else None

    def forward(self, x):
        for resnet in self.resnets:
            x = resnet(x)
        return self.downsamplers[0](x) if self.downsamplers is not None else x


class Decoder(nn.Module):
    def __init__(self, sizes):
        super().__init__()
        widths = list(reversed(sizes.block_out_channels))
        self.conv_in = nn.Conv2d(sizes.latent_channels, widths[0], 3, padding=1)
        self.mid_block = MidBlock(widths[0])
        self.up_blocks = nn.ModuleList([
            UpDecoderBlock(widths[max(i - 1, 0)], w, sizes.layers_per_block + 1, upsample=i < len(widths) - 1)
            for i, w in enumerate(widths)])
        self.conv_norm_out = group_norm(widths[-1])
        self.conv_out = nn.Conv2d(widths[-1], sizes.out_channels, 3, padding=1)

    def forward(self, z):
        x = self.mid_block(self.conv_in(z))
        for block in self.up_blocks:
            x = block(x)
        return self.conv_out(F.silu(self.conv_norm_out(x)))


class Encoder(nn.Module):
    def __init__(self, sizes):
        super().__init__()
        widths = sizes.block_out_channels
        self.conv_in = nn.Conv2d(sizes.out_channels, widths[0], 3, padding=1)
        self.down_blocks = nn.ModuleList([
            DownEncoderBlock(widths[max(i - 1, 0)], w, sizes.layers_per_block, downsample=i < len(widths) - 1)
            for i, w in enumerate(widths)])
        self.mid_block = MidBlock(widths[-1])
        self.conv_norm_out = group_norm(widths[-1])
        self.conv_out = nn.Conv2d(widths[-1], 2 * sizes.latent_channels, 3, padding=1)

    def forward(self, x):
        x = self.conv_in(x)
        for block in self.down_blocks:
            x = block(x)
        return self.conv_out(F.silu(self.conv_norm_out(self.mid_block(x))))


class SpatialSizes:
    """AutoencoderKL sizes read from the checkpoint's tensor shapes (prefix `spatial_vae.module.`)."""

    def __init__(self, block_out_channels, layers_per_block, latent_channels, out_channels=3):
        self.block_out_channels = list(block_out_channels)
        self.layers_per_block = layers_per_block
        self.latent_channels = latent_channels
        self.out_channels = out_channels

    @staticmethod
    def from_shapes(shapes, prefix):
        """shapes: {key: shape}. Raises KeyError naming the key that is needed and absent."""
        need = shape_getter(shapes, prefix)
        levels = 0
        while f"{prefix}encoder.down_blocks.{levels}.resnets.0.conv1.weight" in shapes:
            levels += 1
        widths = [need(f"encoder.down_blocks.{i}.resnets.0.conv1.weight")[0] for i in range(levels)]
        layers = 0
        while f"{prefix}encoder.down_blocks.0.resnets.{layers}.conv1.weight" in shapes:
            layers += 1
        latent = need("post_quant_conv.weight")[0]
        out = need("decoder.conv_out.weight")[0]
        if levels == 0:
            raise KeyError(prefix + "encoder.down_blocks.0.resnets.0.conv1.weight")
        return SpatialSizes(widths, layers, latent, out)

    def as_dict(self):
        return {"blockOutChannels": self.block_out_channels, "layersPerBlock": self.layers_per_block,
                "latentChannels": self.latent_channels}


class AutoencoderKL(nn.Module):
    def __init__(self, sizes):
        super().__init__()
        self.encoder = Encoder(sizes)
        self.decoder = Decoder(sizes)
        self.quant_conv = nn.Conv2d(2 * sizes.latent_channels, 2 * sizes.latent_channels, 1)
        self.post_quant_conv = nn.Conv2d(sizes.latent_channels, sizes.latent_channels, 1)


class SpatialDecoder(nn.Module):
    """Unit `vae.spatial`: latent frames [N, 4, h, w] (after the temporal VAE) → RGB frames [N, 3, 8h, 8w]."""

    def __init__(self, sizes):
        super().__init__()
        self.post_quant_conv = nn.Conv2d(sizes.latent_channels, sizes.latent_channels, 1)
        self.decoder = Decoder(sizes)

    def forward(self, x_z):
        return self.decoder(self.post_quant_conv(x_z / LATENT_SCALE))


class SpatialEncoder(nn.Module):
    """Unit `vae.spatial_encoder`: RGB frames [N, 3, Hpx, Wpx] in [-1, 1] → image-VAE latents [N, 4, h, w].

    VideoAutoencoderKL.encode (Open-Sora v1.2.0 `opensora/models/vae/vae.py`): AutoencoderKL's encoder and
    quant_conv give the posterior's mean and log-variance (4 + 4 channels); upstream draws
    `latent_dist.sample()` from the global RNG and multiplies by 0.18215. This unit returns the mean (the
    posterior's mode) times 0.18215, so an encode is deterministic. h = ⌊Hpx/8⌋ and w = ⌊Wpx/8⌋ (each stride-2
    conv pads one row and column at the bottom/right first, as diffusers' Downsample2D does).
    """

    def __init__(self, sizes):
        super().__init__()
        self.latent_channels = sizes.latent_channels
        self.encoder = Encoder(sizes)
        self.quant_conv = nn.Conv2d(2 * sizes.latent_channels, 2 * sizes.latent_channels, 1)

    def forward(self, frames):
        moments = self.quant_conv(self.encoder(frames))
        return moments[:, :self.latent_channels] * LATENT_SCALE

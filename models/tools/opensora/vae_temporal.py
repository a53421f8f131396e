"""The temporal VAE of Open-Sora 1.2 (`temporal_vae.*`), a MAGVIT-v2-style causal 3D-conv autoencoder over the
4-channel latents of the image VAE; with the checkpoint's parameter names.

Facts from Open-Sora v1.2.0 `opensora/models/vae/vae_temporal.py` (VAE_Temporal_SD):
- CausalConv3d zero-pads H and W by k//2 on both sides and time by (k_t − 1) + (1 − stride) frames in front
  only, then runs an unpadded Conv3d (`<name>.conv`). Here the same sum is exported as one Conv2d (CausalConv3d).
- ResBlock: GN → SiLU → conv1 (3³, no bias) → GN → SiLU → conv2 (3³, no bias), plus the input, through
  `conv3` (1³, no bias) when the width changes. GroupNorm has 32 groups (PyTorch's default eps 1e-5).
- The decoder goes conv1 (3³) → res_blocks → levels from the widest down, each with `num_res_blocks`
  ResBlocks and, where the encoder halved time, a 3³ conv to twice the width followed by depth-to-time
  (channel c·2 + τ → frame 2t + τ) → GN → SiLU → conv_out (3³).
- decode(z, num_frames) drops (4 − num_frames mod 4) mod 4 frames from the front of the 4·T output.
- encode(x) zero-pads (4 − F mod 4) mod 4 frames in front of the F frames, then runs the encoder (conv_in →
  levels, each `num_res_blocks` ResBlocks and, where `temporal_downsample` says so, a 3³ conv with time stride 2
  → res_blocks → GN → SiLU → conv2 1³) and quant_conv: the posterior's mean and log-variance (4 + 4 channels).
All widths, the number of levels and ResBlocks, and which levels change time come from the tensors.
"""
import torch
import torch.nn as nn
import torch.nn.functional as F

from shape_lookup import shape_getter

GROUPS = 32


class CausalConv3d(nn.Module):
    """Upstream's CausalConv3d (front-only time padding, then an unpadded Conv3d `<name>.conv`), computed as one
    Conv2d so the exported graph is CoreML-friendly (ORT's CoreML EP takes 1-D and 2-D convolutions only, and
    tensors of rank ≤ 5): frames move into the batch, and the kt time taps of every output frame are stacked next
    to each input channel (channel c·kt + τ), which is exactly the Conv3d weight [Cout, Cin, kt, kh, kw] read as
    [Cout, Cin·kt, kh, kw], so the checkpoint tensor is used as it is. H and W are zero-padded by the Conv2d."""

    def __init__(self, cin, cout, kernel, stride=(1, 1, 1), bias=True):
        super().__init__()
        kt, kh, kw = kernel
        # Python ints, so the traced graph has constant reshapes of the weight (ONNX Conv needs a known kernel).
        self.cin, self.cout, self.kernel, self.time_stride = cin, cout, kernel, stride[0]
        self.time_pad = (kt - 1) + (1 - stride[0])
        self.conv = nn.Conv3d(cin, cout, kernel, stride=stride, bias=bias)

    def forward(self, x):
        kt, kh, kw = self.kernel
        c, cout = self.cin, self.cout
        b, _, _, h, w = x.shape
        if self.time_pad:
            x = F.pad(x, (0, 0, 0, 0, self.time_pad, 0))
        # [B, C, T, H, W] → [B, T, C, 1, H·W]: taps are slices along time, stacked on the new axis (rank ≤ 5).
        x = x.permute(0, 2, 1, 3, 4).reshape(b, -1, c, 1, h * w)
        taps = [x[:, tau:(tau - (kt - 1)) or None:self.time_stride] for tau in range(kt)]
        x = (torch.cat(taps, dim=3) if kt > 1 else taps[0]).reshape(-1, c * kt, h, w)
        weight = self.conv.weight.reshape(cout, c * kt, kh, kw)
        y = F.conv2d(x, weight, self.conv.bias, padding=(kh // 2, kw // 2))
        return y.reshape(b, -1, cout, h, w).permute(0, 2, 1, 3, 4)


class ResBlock(nn.Module):
    def __init__(self, cin, cout):
        super().__init__()
        self.norm1 = nn.GroupNorm(GROUPS, cin)
        self.conv1 = CausalConv3d(cin, cout, (3, 3, 3), bias=False)
        self.norm2 = nn.GroupNorm(GROUPS, cout)
        self.conv2 = CausalConv3d(cout, cout, (3, 3, 3), bias=False)
        self.conv3 = CausalConv3d(cin, cout, (1, 1, 1), bias=False) if cin != cout else None

    def forward(self, x):
        h = self.conv1(F.silu(self.norm1(x)))
        h = self.conv2(F.silu(self.norm2(h)))
        return h + (self.conv3(x) if self.conv3 is not None else x)


class TemporalSizes:
    """filters, channel multipliers, ResBlocks per level, which level transitions change time, latent channels."""

    def __init__(self, filters, multipliers, num_res_blocks, temporal_downsample, channels=4, latent_channels=4):
        self.filters, self.multipliers = filters, list(multipliers)
        self.num_res_blocks, self.temporal_downsample = num_res_blocks, list(temporal_downsample)
        self.channels, self.latent_channels = channels, latent_channels

    @property
    def time_factor(self):
        return 2 ** sum(1 for d in self.temporal_downsample if d)

    @staticmethod
    def from_shapes(shapes, prefix):
        need = shape_getter(shapes, prefix)
        filters = need("decoder.conv_out.conv.weight")[1]
        levels = 0
        while f"{prefix}decoder.block_res_blocks.{levels}.0.conv1.conv.weight" in shapes:
            levels += 1
        if levels == 0:
            raise KeyError(prefix + "decoder.block_res_blocks.0.0.conv1.conv.weight")
        blocks = 0
        while f"{prefix}decoder.block_res_blocks.0.{blocks}.conv1.conv.weight" in shapes:
            blocks += 1
        widths = [need(f"decoder.block_res_blocks.{i}.0.conv1.conv.weight")[0] for i in range(levels)]
        if any(w % filters for w in widths):
            raise KeyError(f"{prefix}decoder.block_res_blocks: widths {widths} are not multiples of {filters}")
        down = [f"{prefix}decoder.conv_blocks.{i}.conv.weight" in shapes for i in range(levels - 1)]
        return TemporalSizes(filters, [w // filters for w in widths], blocks, down,
                             channels=need("decoder.conv_out.conv.weight")[0],
                             latent_channels=need("post_quant_conv.conv.weight")[0])

    def as_dict(self):
        return {"filters": self.filters, "channelMultipliers": self.multipliers, "numResBlocks": self.num_res_blocks,
                "temporalDownsample": self.temporal_downsample}


class Encoder(nn.Module):
    def __init__(self, s):
        super().__init__()
        self.conv_in = CausalConv3d(s.channels, s.filters, (3, 3, 3), bias=False)
        self.block_res_blocks = nn.ModuleList()
        self.conv_blocks = nn.ModuleList()
        prev = s.filters
        for i, mult in enumerate(s.multipliers):
            width = s.filters * mult
            items = nn.ModuleList()
            for _ in range(s.num_res_blocks):
                items.append(ResBlock(prev, width))
                prev = width
            self.block_res_blocks.append(items)
            if i < len(s.multipliers) - 1:
                self.conv_blocks.append(CausalConv3d(prev, width, (3, 3, 3), stride=(2, 1, 1))
                                        if s.temporal_downsample[i] else nn.Identity())
                prev = width
        self.res_blocks = nn.ModuleList([ResBlock(prev, width) for _ in range(s.num_res_blocks)])
        self.norm1 = nn.GroupNorm(GROUPS, width)
        self.conv2 = CausalConv3d(width, 2 * s.latent_channels, (1, 1, 1))

    def forward(self, x):
        x = self.conv_in(x)
        for i, items in enumerate(self.block_res_blocks):
            for block in items:
                x = block(x)
            if i < len(self.conv_blocks):
                x = self.conv_blocks[i](x)
        for block in self.res_blocks:
            x = block(x)
        return self.conv2(F.silu(self.norm1(x)))


def depth_to_time(x, factor):
    """[B, C·f, T, H, W] → [B, C, T·f, H, W]: channel c·f + τ becomes frame t·f + τ. H and W travel merged, so no
    tensor exceeds rank 5 (CoreML's limit)."""
    b, cf, t, h, w = x.shape
    c = cf // factor
    return x.reshape(b, c, factor, t, h * w).permute(0, 1, 3, 2, 4).reshape(b, c, t * factor, h, w)


class Decoder(nn.Module):
    def __init__(self, s):
        super().__init__()
        self.temporal_downsample = s.temporal_downsample
        width = s.filters * s.multipliers[-1]
        self.conv1 = CausalConv3d(s.latent_channels, width, (3, 3, 3))
        self.res_blocks = nn.ModuleList([ResBlock(width, width) for _ in range(s.num_res_blocks)])
        levels = len(s.multipliers)
        blocks = [None] * levels
        convs = [None] * (levels - 1)
        prev = width
        for i in reversed(range(levels)):
            width = s.filters * s.multipliers[i]
            items = nn.ModuleList()
            for _ in range(s.num_res_blocks):
                items.append(ResBlock(prev, width))
                prev = width
            blocks[i] = items
            if i > 0:
                convs[i - 1] = (CausalConv3d(prev, prev * 2, (3, 3, 3)) if s.temporal_downsample[i - 1]
                                else nn.Identity())
        self.block_res_blocks = nn.ModuleList(blocks)
        self.conv_blocks = nn.ModuleList(convs)
        self.norm1 = nn.GroupNorm(GROUPS, prev)
        self.conv_out = CausalConv3d(prev, s.channels, (3, 3, 3))

    def forward(self, x):
        x = self.conv1(x)
        for block in self.res_blocks:
            x = block(x)
        for i in reversed(range(len(self.block_res_blocks))):
            for block in self.block_res_blocks[i]:
                x = block(x)
            if i > 0:
                x = self.conv_blocks[i - 1](x)
                if self.temporal_downsample[i - 1]:
                    x = depth_to_time(x, 2)
        return self.conv_out(F.silu(self.norm1(x)))


class VAETemporal(nn.Module):
    def __init__(self, s):
        super().__init__()
        self.encoder = Encoder(s)
        self.quant_conv = CausalConv3d(2 * s.latent_channels, 2 * s.latent_channels, (1, 1, 1))
        self.post_quant_conv = CausalConv3d(s.latent_channels, s.latent_channels, (1, 1, 1))
        self.decoder = Decoder(s)


class TemporalDecoder(nn.Module):
    """Unit `vae.temporal`: one chunk of normalized latent [B, 4, Tz, h, w] → image-VAE latents [B, 4, 4·Tz, h, w].

    De-normalizes with the checkpoint's `scale`/`shift` ([1, 4, 1, 1, 1]) first. The engine then drops the
    front padding frames, (4 − f mod 4) mod 4 for a chunk of f video frames (3 for a full 17-frame chunk).
    """

    def __init__(self, s):
        super().__init__()
        self.post_quant_conv = CausalConv3d(s.latent_channels, s.latent_channels, (1, 1, 1))
        self.decoder = Decoder(s)
        self.register_buffer("scale", torch.ones(1, s.latent_channels, 1, 1, 1))
        self.register_buffer("shift", torch.zeros(1, s.latent_channels, 1, 1, 1))

    def forward(self, z):
        return self.decoder(self.post_quant_conv(z * self.scale + self.shift))


class TemporalEncoder(nn.Module):
    """Unit `vae.temporal_encoder`: one chunk of image-VAE latents [B, 4, Fz, h, w] → normalized latent
    [B, 4, Fz / 4, h, w].

    Fz must be a multiple of the time factor: the engine pads (4 − f mod 4) mod 4 zero frames in front of a
    chunk of f frames, as VAE_Temporal.encode does (`opensora/models/vae/vae_temporal.py`, v1.2.0). The output
    is the posterior's mean (upstream draws `posterior.sample()` from the global RNG), normalized as
    VideoAutoencoderPipeline.encode does: (z − shift) / scale per channel with the checkpoint's buffers.
    """

    def __init__(self, s):
        super().__init__()
        self.latent_channels = s.latent_channels
        self.encoder = Encoder(s)
        self.quant_conv = CausalConv3d(2 * s.latent_channels, 2 * s.latent_channels, (1, 1, 1))
        self.register_buffer("scale", torch.ones(1, s.latent_channels, 1, 1, 1))
        self.register_buffer("shift", torch.zeros(1, s.latent_channels, 1, 1, 1))

    def forward(self, x_z):
        moments = self.quant_conv(self.encoder(x_z))
        return (moments[:, :self.latent_channels] - self.shift) / self.scale

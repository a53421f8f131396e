"""Everything in an Open-Sora 1.2 package's manifest that is not an ONNX unit: clip presets, sampler settings,
VAE chunking, the latent preview fit, provenance.

Upstream facts (Open-Sora tag v1.2.0):
- presets: `opensora/datasets/aspect.py` (ASPECT_RATIO_144P … 480P; upstream keys are height:width ratios, so
  its "9:16" is the landscape 16:9 here) and NUM_FRAMES_MAP ("2s" = 51, "4s" = 102 frames); images are
  conditioned with fps 120 (IMG_FPS), videos with 24.
- sampler: `configs/opensora-v1-2/inference/sample.py` (30 steps, CFG 7.0, rflow with the timestep transform of
  `opensora/schedulers/rf/rectified_flow.py`: base resolution 512², base frames 1, scale 1).
- VAE: `opensora/models/vae/vae.py` (OpenSoraVAE_V1_2: micro_frame_size 17, micro_batch_size 4; the encoder
  units use the same chunking and micro-batches).
"""
import math

import torch

from sources import ImportRefused

# (name, {aspect W:H: (width, height)})
RESOLUTIONS = [
    ("144p", {"16:9": (256, 144), "9:16": (144, 256), "1:1": (192, 192)}),
    ("240p", {"16:9": (426, 240), "9:16": (240, 426), "1:1": (320, 320)}),
    ("360p", {"16:9": (640, 360), "9:16": (360, 640), "1:1": (480, 480)}),
    ("480p", {"16:9": (854, 480), "9:16": (480, 854), "1:1": (640, 640)}),
]
DURATIONS = [("image", 1, 120), ("2s", 51, 24), ("4s", 102, 24)]  # name, frames, conditioning fps
VIDEO_FPS = 24
SAMPLER = {"steps": 30, "cfgScale": 7.0, "numTimesteps": 1000}


def vae_config(cfg, path):
    """Chunking facts from the VAE's config.json."""
    frames = cfg.get("micro_frame_size")
    vae_2d = cfg.get("vae_2d") or {}
    batch = vae_2d.get("micro_batch_size", 4) if isinstance(vae_2d, dict) else None
    if not isinstance(frames, int) or isinstance(frames, bool) or not 1 <= frames <= 1024:
        raise ImportRefused(f"{path}: micro_frame_size must be an integer from 1 to 1024")
    if not isinstance(batch, int) or isinstance(batch, bool) or not 1 <= batch <= 1024:
        raise ImportRefused(f"{path}: vae_2d.micro_batch_size must be an integer from 1 to 1024")
    return {"chunkFrames": frames, "microBatch": batch}


def chunk_latent_frames(chunk_frames, time_factor):
    return math.ceil(chunk_frames / time_factor)


class PreviewProbe:
    """Fits rgb ≈ bias + Σ_c z[c]·factors[c] (per latent pixel and frame) by decoding random normalized latents
    through the package's own VAE units; the target is the decoded clip averaged over each latent pixel's 8×8
    block and its frames (latent frame 0 ↔ frame 0, latent k ↔ frames 4k−3 … 4k of the chunk)."""

    def __init__(self, channels, chunk_frames, time_factor, samples=2, size=8, seed=0):
        self.channels, self.chunk_frames, self.tf = channels, chunk_frames, time_factor
        self.samples, self.size, self.seed = samples, size, seed

    @torch.no_grad()
    def temporal(self, tdec):
        tz = chunk_latent_frames(self.chunk_frames, self.tf)
        gen = torch.Generator().manual_seed(self.seed)
        z = torch.randn(self.samples, self.channels, tz, self.size, self.size, generator=gen)
        pad = (self.tf - self.chunk_frames % self.tf) % self.tf
        return z, tdec(z)[:, :, pad:]

    @torch.no_grad()
    def fit(self, z, x_z, sdec, micro_batch=4):
        s, c, frames, h, w = x_z.shape
        flat = x_z.permute(0, 2, 1, 3, 4).reshape(s * frames, c, h, w)
        rgb = torch.cat([sdec(flat[i:i + micro_batch]) for i in range(0, flat.shape[0], micro_batch)])
        factor = rgb.shape[-1] // w
        rgb = rgb.clamp(-1, 1).reshape(s, frames, 3, h, factor, w, factor).mean(dim=(4, 6)).double()
        groups = [[0]] + [list(range(self.tf * (k - 1) + 1, min(self.tf * k + 1, frames)))
                          for k in range(1, z.shape[2])]
        target = torch.stack([rgb[:, g].mean(dim=1) for g in groups], dim=1)  # [S, Tz, 3, h, w]
        zz = z.double().permute(0, 2, 3, 4, 1).reshape(-1, c)
        design = torch.cat((zz, torch.ones(zz.shape[0], 1, dtype=torch.float64)), dim=1)
        goal = target.permute(0, 1, 3, 4, 2).reshape(-1, 3)
        sol = torch.linalg.lstsq(design, goal).solution
        rmse = (design @ sol - goal).pow(2).mean().sqrt().item()
        return ([[round(float(x), 6) for x in row] for row in sol[:-1]], [round(float(x), 6) for x in sol[-1]], rmse)


def presets(spatial_factor):
    """Clip presets; latent sizes are floor(pixels / spatial factor) as upstream."""
    return {
        "resolutions": [{"name": name, "aspects": [
            {"aspect": aspect, "width": wpx, "height": hpx,
             "latentWidth": wpx // spatial_factor, "latentHeight": hpx // spatial_factor}
            for aspect, (wpx, hpx) in sizes.items()]} for name, sizes in RESOLUTIONS],
        "durations": [{"name": name, "frames": frames, "conditioningFps": fps} for name, frames, fps in DURATIONS],
        "default": {"resolution": "144p", "aspect": "16:9", "duration": "2s"},
    }


def manifest(args, package_id, inputs, tokenizer, text, denoiser, null_shape, vae):
    mcfg, t5cfg = inputs.mcfg, inputs.t5cfg
    spatial, temporal = inputs.spatial, inputs.temporal
    spatial_factor = 2 ** (len(spatial.block_out_channels) - 1)
    chunk_frames = inputs.vae_cfg["chunkFrames"]
    chunk_latent = chunk_latent_frames(chunk_frames, temporal.time_factor)
    return {
        "schemaVersion": 1, "id": package_id, "name": args.name, "version": "1.2.0",
        "description": ("Open-Sora 1.2 (STDiT3 + T5 v1.1 encoder + video VAE), imported from the published "
                        "checkpoints by models/tools/opensora/import_model.py."),
        "architecture": "opensora-1.2",
        "clip": {"fps": VIDEO_FPS, "presets": presets(spatial_factor)},
        "latent": {"channels": spatial.latent_channels, "spatialFactor": spatial_factor},
        "sampler": {**SAMPLER, "conditioningFps": VIDEO_FPS, "timestepTransform": {
            "kind": "opensora", "baseResolutionPixels": 512 * 512, "baseFrames": 1, "chunkFrames": chunk_frames,
            "chunkLatentFrames": chunk_latent, "scale": 1.0}},
        "text": {"tokenizer": tokenizer, "hiddenSize": t5cfg.d_model, "numHeads": t5cfg.num_heads, **text},
        "nullCaption": {"file": "null_caption.bin", "shape": null_shape},
        "denoiser": {"hiddenSize": mcfg["hidden_size"], "depth": mcfg["depth"], "numHeads": mcfg["num_heads"],
                     "patchSize": mcfg["patch_size"], "inChannels": mcfg["in_channels"],
                     "outChannels": mcfg["in_channels"] * (2 if mcfg["pred_sigma"] else 1),
                     "captionChannels": mcfg["caption_channels"], "modelMaxLength": mcfg["model_max_length"],
                     "inputSqSize": mcfg["input_sq_size"], **denoiser},
        "vae": {
            "temporal": {"unit": vae["temporal"], "chunkFrames": chunk_frames, "chunkLatentFrames": chunk_latent,
                         "timeFactor": temporal.time_factor, "sizes": temporal.as_dict()},
            "spatial": {"unit": vae["spatial"], "spatialFactor": spatial_factor,
                        "microBatch": inputs.vae_cfg["microBatch"], "sizes": spatial.as_dict()},
            "scale": vae["scale"], "shift": vae["shift"],
            # Conditioning frames → normalized latent; both units return the posterior's mean (models/FORMAT.md).
            "encoder": {**vae["encoder"], "posterior": "mean"},
        },
        "preview": vae["preview"],
        "source": {"stdit": "hpcai-tech/OpenSora-STDiT-v3", "vae": "hpcai-tech/OpenSora-VAE-v1.2",
                   "t5": "DeepFloyd/t5-v1_1-xxl", "importer": "models/tools/opensora/import_model.py"},
    }

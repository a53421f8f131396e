"""Stage 2: train the STDiT3 denoiser and the text encoder jointly (rectified flow, x0-prediction, x0 loss).
The head is config/denoiser.json's prediction_type (or --prediction): "x0_skip", the preconditioned x0 of
stdit3.skip_scalings, or the plain "x0" of the first recipe.

    train.py --decoder models/runs/decoder.pt --ckpt models/checkpoints/shapes-tiny.pt --steps N   (from scratch)
    train.py --resume --ckpt models/checkpoints/shapes-tiny.pt --steps N                           (continue)

Noising z_t = (1−τ)·x0 + τ·ε with τ ~ logit-normal(0, 1); the network predicts x0 and the loss is the
unweighted x0 MSE (models/README.md §Training recipe: a velocity loss weights the x0 error by 1/τ², spending the
model on low-noise detail). Caption dropout
(10 %) swaps the caption for the learned null embedding y_embedder.y_embedding, keeping the mask.
Checkpoints (atomic) every --ckpt-minutes, with the optimizer's state in float32 (resuming continues the run).
--device cuda|mps trains on a GPU: random draws stay on the CPU generator (the same stream on every device) and
the checkpoint has the same format (load it with map_location="cpu"). For a GPU: --data-workers N renders batches
in N processes, `--ckpt A --arch W,D,H --ckpt B --arch ...` trains several models on the same batches, and
`--steps auto --budget-minutes M` sizes the schedule to a lease (`--steps auto` fixes the cosine at the end of the warm-up from the measured speed and records it).
"""
import argparse
import collections
import csv
import multiprocessing
import os
import queue
import threading
import time

import numpy as np

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
import torch  # noqa: E402

import checkpoint as ckpt_lib  # noqa: E402
import data  # noqa: E402
import devices  # noqa: E402
import export_package  # noqa: E402
import latent  # noqa: E402
import stdit3  # noqa: E402
from text_encoder import WordTokenizer  # noqa: E402

DATA_SEED = 7
TORCH_SEED = 1234
FAINT_EDGE = 0.07  # |structure weights · (fg − bg)|: red on green 0.031, white on black 0.37 (models/README.md)


class Prefetcher:
    """Renders clips in a background thread (numpy releases the GIL for most of the work)."""

    def __init__(self, start_index, batch, combos, world):
        self.index, self.batch, self.combos, self.world = start_index, batch, combos, world
        self.q = queue.Queue(maxsize=3)
        threading.Thread(target=self._run, daemon=True).start()

    def _run(self):
        i = self.index
        while True:
            videos, captions, _ = data.batch(DATA_SEED, i, self.batch, self.combos, self.world)
            self.q.put((i + self.batch, torch.from_numpy(videos), captions))
            i += self.batch

    def next(self):
        return self.q.get()


_SLOTS = []  # shared float32 buffers, one batch each; made before the pool forks, so the workers inherit them


def _render_into(slot, index, batch, combos, world):
    videos, captions, _ = data.batch(DATA_SEED, index, batch, combos, world)
    np.frombuffer(_SLOTS[slot], dtype=np.float32).reshape(videos.shape)[...] = videos
    return captions


class WorkerFeed:
    """The same batches as Prefetcher, rendered by `workers` processes (a GPU step takes milliseconds; one
    thread renders about 200 clips a second). Clips come back through shared memory, not pipes (12 MB a batch
    of 64); batches are taken in index order, so a run is the same with any number of workers. The pool is forked
    before CUDA starts (a forked child cannot use its parent's CUDA context, and needs none)."""

    def __init__(self, batch, combos, world, workers):
        self.batch, self.combos, self.world = batch, combos, world
        self.shape = (batch, 3, data.FRAMES, data.SIZE_PX, data.SIZE_PX)
        _SLOTS[:] = [multiprocessing.RawArray("f", int(np.prod(self.shape))) for _ in range(2 * workers)]
        self.pool = multiprocessing.get_context("fork").Pool(workers)
        self.pending = collections.deque()

    def start(self, index):
        self.index = index
        for slot in range(len(_SLOTS)):
            self._submit(slot)

    def _submit(self, slot):
        job = self.pool.apply_async(_render_into, (slot, self.index, self.batch, self.combos, self.world))
        self.pending.append((slot, self.index, job))
        self.index += self.batch

    def next(self):
        slot, index, job = self.pending.popleft()
        captions = job.get()
        videos = torch.from_numpy(np.frombuffer(_SLOTS[slot], dtype=np.float32).reshape(self.shape).copy())
        self._submit(slot)
        return index + self.batch, videos, captions


def number_pair(text, lowest, highest):
    try:
        low, high = (float(v) for v in text.split(","))
    except ValueError as err:
        raise argparse.ArgumentTypeError(f"want two numbers LOW,HIGH, got {text!r}") from err
    if not lowest <= low <= high <= highest:
        raise argparse.ArgumentTypeError(f"want {lowest} <= LOW <= HIGH <= {highest}, got {text!r}")
    return low, high


def positive_pair(text):
    return number_pair(text, 1e-6, float("inf"))


def unit_pair(text):
    return number_pair(text, 0.0, 1.0)


def shift_tau(tau, shift):
    """Open-Sora's timestep transform τ' = s·τ / (1 + (s − 1)·τ): s > 1 moves training towards high noise, where
    the layout and the motion of a clip are decided from the caption alone."""
    return shift * tau / (1 + (shift - 1) * tau) if shift != 1.0 else tau


def lr_at(step, base_lr, warmup, total, final_frac=0.1, start=0):
    """Linear warm-up then cosine to final_frac, both counted from `start` (a resumed phase's first step). The
    warm-up needs no `total` (--steps auto fixes it at the warm-up's end)."""
    step = step - start
    if step < warmup:
        return base_lr * (step + 1) / warmup
    total = total - start
    progress = min(1.0, (step - warmup) / max(1, total - warmup))
    return base_lr * (final_frac + (1 - final_frac) * 0.5 * (1 + torch.cos(torch.tensor(progress * 3.14159265)).item()))


def border_colour(videos):
    """Median colour of each clip's border pixels over all frames [B, 3, 1, 1, 1] (the judge's background)."""
    b = videos.shape[0]
    border = torch.cat([videos[..., 0, :], videos[..., -1, :], videos[..., :, 0], videos[..., :, -1]], dim=-1)
    return border.reshape(b, 3, -1).median(dim=2).values.reshape(b, 3, 1, 1, 1)


def outline_weights(videos, latent_width, weight, threshold=0.3):
    """Per latent cell: 1 + weight·4c(1 − c), c = the share of the cell's pixels that are object (RGB distance from
    the clip's median border colour above `threshold`, the judge's rule). Cells on the outline (c near ½) carry the
    shape; in an unweighted loss they are a few % of the cells, and the shape word a sliver of the error."""
    b = videos.shape[0]
    bg = border_colour(videos)
    obj = (((videos - bg) / 2).pow(2).sum(dim=1).sqrt() > threshold).float()  # [B, F, H, W]
    factor = videos.shape[-1] // latent_width
    c = torch.nn.functional.avg_pool2d(obj.flatten(0, 1).unsqueeze(1), factor).reshape(
        b, obj.shape[1], latent_width, latent_width)
    return 1.0 + weight * 4.0 * c * (1.0 - c)


def blur_frames(videos, sigmas_px, radius=4):
    """Gaussian blur over height and width of each clip [B, C, F, H, W], clip i with sigmas_px[i] (edges
    replicated, so a plain background stays plain)."""
    b, c, f, h, w = videos.shape
    offsets = torch.arange(-radius, radius + 1, dtype=videos.dtype, device=videos.device)
    kernels = torch.exp(-0.5 * (offsets.reshape(1, -1) / sigmas_px.reshape(-1, 1)) ** 2)
    kernels = kernels / kernels.sum(dim=1, keepdim=True)  # [B, K]
    x = torch.nn.functional.pad(videos.permute(0, 2, 1, 3, 4).reshape(b, f * c, h, w), (radius,) * 4, mode="replicate")
    # Grouped convs: one group per (clip, frame, channel) plane, each clip with its own kernel.
    k = kernels.repeat_interleave(f * c, dim=0)
    x = x.reshape(1, b * f * c, h + 2 * radius, w + 2 * radius)
    x = torch.nn.functional.conv2d(x, k.reshape(-1, 1, 1, 2 * radius + 1), groups=b * f * c)
    x = torch.nn.functional.conv2d(x, k.reshape(-1, 1, 2 * radius + 1, 1), groups=b * f * c)
    return x.reshape(b, f, c, h, w).permute(0, 2, 1, 3, 4)


def round_outlines(videos, sigmas_px, edge_width=0.3):
    """Each clip's object with rounded corners and blunted tips, colours kept: the object's coverage (projection
    of each pixel on the object − background colour) is blurred with sigma sigmas_px[i] and thresholded at ½
    again, which keeps straight edges in place and cuts corners, as curvature flow does. The object colour is
    the pixel farthest from the median border colour."""
    b = videos.shape[0]
    bg = border_colour(videos)
    diff = (videos - bg).reshape(b, 3, -1)
    far = diff.pow(2).sum(dim=1).argmax(dim=1)
    u = diff.gather(2, far.reshape(b, 1, 1).expand(b, 3, 1)).reshape(b, 3, 1, 1, 1)  # object − background
    coverage = ((videos - bg) * u).sum(dim=1, keepdim=True) / u.pow(2).sum(dim=1, keepdim=True).clamp_min(1e-6)
    smooth = blur_frames(coverage.clamp(0, 1), sigmas_px)
    rounded = ((smooth - 0.5) / edge_width + 0.5).clamp(0, 1)
    return bg + u * rounded


def opt_state_to_float(state):
    """Adam's moments as float32. Checkpoints before recipe v2 stored them in float16, where a second moment below
    ≈ 6e-8 (a gradient below ≈ 2.4e-4) is 0: Adam then divides by eps alone and the first step after resuming
    throws those weights far off. They are stored in float32 now (about 8 MB for this model)."""
    out = {"state": {}, "param_groups": state["param_groups"]}
    for k, v in state["state"].items():
        out["state"][k] = {n: (t.float() if torch.is_tensor(t) and t.is_floating_point() else t) for n, t in v.items()}
    return out


class Trainer:
    """One model's run: its checkpoint, optimizer, EMA and random stream. Several can train side by side on the
    same batches (repeated --ckpt); then each has its own generator, seeded TORCH_SEED + its position, and a
    single run keeps the global one (so runs made before this option replay exactly)."""

    def __init__(self, args, device, ckpt_path, arch=None, position=None):
        self.args, self.device, self.ckpt_path = args, device, ckpt_path
        self.gen = torch.default_generator if position is None else torch.Generator().manual_seed(TORCH_SEED + position)
        self.cfgs = export_package.read_configs()
        if args.without_temporal_pos:
            self.cfgs["denoiser"]["temporal_pos_embed_frames"] = 0
        if args.prediction:
            self.cfgs["denoiser"]["prediction_type"] = args.prediction
        if arch is not None:
            self.cfgs["denoiser"].update(hidden_size=arch[0], depth=arch[1], num_heads=arch[2])
        self.resumed = torch.load(ckpt_path, map_location="cpu") if args.resume and os.path.exists(ckpt_path) else None
        if self.resumed is not None:  # a run goes on with the model it started with
            self.cfgs = ckpt_lib.configs_for(self.resumed, self.cfgs)
        # From scratch: the stage-1 run's checkpoint, read once (its decoder config here, its weights in load).
        self.stage1 = torch.load(args.decoder, map_location="cpu") if self.resumed is None and args.decoder else None
        if self.stage1 is not None:  # the decoder is the stage-1 run's, whatever its width
            self.cfgs["decoder"] = ckpt_lib.decoder_config(self.stage1, self.cfgs["decoder"])
        self.modules = ckpt_lib.build_modules(self.cfgs)
        for module in self.modules.values():
            module.to(device)
        self.model, self.text = self.modules["denoiser"], self.modules["text"]
        self.encoder = self.modules["encoder"]
        self.trained = torch.nn.ModuleDict({"denoiser": self.model, "text": self.text})
        self.ema = {k: {n: t.detach().clone() for n, t in m.state_dict().items()} for k, m in self.trained.items()}
        self.opt = torch.optim.AdamW(self.trained.parameters(), lr=args.lr, betas=(0.9, 0.99), weight_decay=0.0)
        self.step, self.wall, self.data_index, self.loss_ema = 0, 0.0, 0, None
        self.phases = []  # one entry per training command that built this checkpoint
        self.tok = WordTokenizer(ckpt_lib.vocab_words(), self.cfgs["text"]["max_tokens"])
        clip = self.cfgs["clip"]
        f = self.cfgs["decoder"]["spatial_factor"]
        self.latent_hw = (clip["height"] // f, clip["width"] // f)
        self.fps = float(clip["fps"])
        self.pos = stdit3.pos_embed_for_clip(self.model.cfg, *self.latent_hw, clip["height"], clip["width"]).to(device)
        self.rope = tuple(t.to(device) for t in
                          stdit3.rope_tables(self.model.head_dim, clip["frames"] // self.cfgs["decoder"]["temporal_factor"]))

    def load(self, path, resume):
        if resume and self.resumed is not None:
            ck = self.resumed
        elif not resume and self.stage1 is not None and path == self.args.decoder:
            ck, self.stage1 = self.stage1, None
        else:
            ck = torch.load(path, map_location="cpu")
        self.modules["encoder"].load_state_dict(ck["encoder"])
        self.modules["decoder"].load_state_dict(ck["decoder"])
        if not resume:
            return
        released = "optimizer" not in ck
        if released and not self.args.from_release:
            raise SystemExit(f"train: {path} is a released checkpoint (release_checkpoint.py: EMA weights, no optimizer "
                             "state); resume from the run's own checkpoint in models/runs/, or pass --from-release")
        for k in ("denoiser", "text"):
            self.trained[k].load_state_dict(ck[k])
            # A released file holds only the EMA weights: they start both the trained copy and its average.
            self.ema[k] = {n: t.detach().clone().to(self.device)
                           for n, t in (ck[k] if released else ck["ema"][k]).items()}
        if not released:
            self.opt.load_state_dict(opt_state_to_float(ck["optimizer"]))
        self.step, self.wall, self.data_index = ck["step"], ck["wall_seconds"], ck["data_index"]
        self.loss_ema = ck.get("loss_ema")
        self.phases = ck.get("phases", [])
        if released:  # no RNG state either: a seed of its own per step, so the continuation is deterministic
            self.gen.manual_seed(TORCH_SEED + self.step)
        else:
            self.gen.set_state(ck["torch_rng"])

    def save(self, path):
        ck = {"format": ckpt_lib.FORMAT_TAG, "recipe": RECIPE, "step": self.step, "wall_seconds": self.wall,
              "data_index": self.data_index, "loss_ema": None if self.loss_ema is None else float(self.loss_ema),
              "phases": self.phases,
              "denoiser_config": self.cfgs["denoiser"], "decoder_config": self.cfgs["decoder"],
              "torch_rng": self.gen.get_state(),
              "encoder": self.encoder.state_dict(), "decoder": self.modules["decoder"].state_dict(),
              "denoiser": self.model.state_dict(), "text": self.text.state_dict(), "ema": self.ema,
              "optimizer": self.opt.state_dict()}
        ckpt_lib.save_atomic(ck, path)

    @torch.no_grad()
    def update_ema(self):
        decay = min(self.args.ema, (1 + self.step) / (10 + self.step))
        averaged, current = [], []
        for k, m in self.trained.items():
            for n, t in m.state_dict().items():
                if t.is_floating_point():
                    averaged.append(self.ema[k][n])
                    current.append(t.detach())
                else:
                    self.ema[k][n].copy_(t)
        # One fused kernel per op for all tensors (on a GPU, a launch per tensor costs more than the math).
        torch._foreach_mul_(averaged, decay)
        torch._foreach_add_(averaged, current, alpha=1 - decay)

    def rounded_input(self, videos, x0):
        """The clean latent that goes into the noisy input. For a share of the batch (--round-input-frac) it is the
        latent of a copy of the clip whose object has rounded corners (round_outlines), while the loss still asks
        for the clip itself: at sampling time the clip is drawn gradually, and a square whose corners came out a
        little round at τ ≈ 0.5 was finished as a circle, because in training the input at low τ always agreed
        with the caption and the network learned to copy it. Here the caption must decide the outline."""
        if self.args.round_input_frac <= 0:  # (no RNG draws otherwise: earlier runs replay exactly)
            return x0
        b = videos.shape[0]
        chosen = torch.rand(b, generator=self.gen) < self.args.round_input_frac
        low, high = self.args.round_sigma_px
        sigmas = low + (high - low) * torch.rand(b, generator=self.gen)
        if not chosen.any():
            return x0
        with torch.no_grad():
            rounded = self.encoder(round_outlines(videos[chosen], sigmas[chosen]).to(self.device))
        out = x0.clone()
        out[chosen.to(self.device)] = rounded
        return out

    def own_step_input(self, zt, x0, noise, tau, y, y_bias, fps):
        """For a share of the batch (--own-step-frac) the noisy input at τ is where the sampler would be: the clip
        noised to a higher τ_hi = τ + Δ (Δ ~ U(--own-step-dtau)), then one step of the network's own velocity down
        to τ. The target stays the clip. The plain input at low τ always agrees with the clip, so the network learns
        to keep what it is shown; at sampling time it is shown its own, rounder drafts and keeps those
        (exposure bias: arXiv 2301.11706, §3)."""
        if self.args.own_step_frac <= 0:  # (no RNG draws otherwise: earlier runs replay exactly)
            return zt
        b = zt.shape[0]
        chosen = (torch.rand(b, generator=self.gen) < self.args.own_step_frac).to(self.device)
        low, high = self.args.own_step_dtau
        tau_hi = (tau + (low + (high - low) * torch.rand(b, generator=self.gen)).to(self.device)).clamp(max=1.0)
        if not chosen.any():
            return zt
        pick = lambda t: t[chosen]  # noqa: E731
        th, tl = pick(tau_hi).reshape(-1, 1, 1, 1, 1), pick(tau).reshape(-1, 1, 1, 1, 1)
        z_hi = (1 - th) * pick(x0) + th * pick(noise)
        with torch.no_grad():
            x0_hi = self.model.predict_x0(z_hi, pick(tau_hi) * 1000.0, pick(y), pick(y_bias), pick(fps), self.pos, *self.rope)
        # The Euler step z_hi + (τ − τ_hi)·v with v = (z_hi − x̂0)/τ_hi: x̂0 and the implied noise, re-mixed at τ.
        eps_hi = (z_hi - (1 - th) * x0_hi) / th
        out = zt.clone()
        out[chosen] = (1 - tl) * x0_hi + tl * eps_hi
        return out

    def train_step(self, videos, captions):
        b, dev = videos.shape[0], self.device
        with torch.no_grad():
            x0 = self.encoder(videos.to(dev))
        ids, mask = (t.to(dev) for t in self.tok.batch(captions))
        y = self.text(ids, mask)
        drop = (torch.rand(b, generator=self.gen) < self.model.cfg.get("class_dropout_prob", 0.1)).reshape(b, 1, 1).to(dev)
        y = torch.where(drop, self.model.y_embedder.y_embedding.unsqueeze(0).expand_as(y), y)
        tau = shift_tau(torch.sigmoid(torch.randn(b, generator=self.gen)), self.args.tau_shift)  # (shifted) logit-normal(0, 1)
        # Part of each batch at τ ~ U(0, 1): the sampler's 30 linear steps spend half their time below τ = 0.5,
        # where the shifted logit-normal puts under 14 % of its samples and where outlines are refined.
        if self.args.uniform_frac > 0:  # (no RNG draws otherwise: earlier runs replay exactly)
            even = torch.rand(b, generator=self.gen) < self.args.uniform_frac
            low, high = self.args.uniform_tau
            tau = torch.where(even, low + (high - low) * torch.rand(b, generator=self.gen), tau)
        # Part of each batch near pure noise: only there must the caption alone decide where the object is in
        # every frame (lower noise levels can copy the motion from the input), and logit-normal rarely goes there.
        if self.args.high_noise_frac > 0:  # (no RNG draws otherwise: earlier phases replay exactly)
            high = torch.rand(b, generator=self.gen) < self.args.high_noise_frac
            tau = torch.where(high, 1.0 - (1.0 - self.args.high_noise_min) * torch.rand(b, generator=self.gen), tau)
        noise = torch.randn(x0.shape, generator=self.gen).to(dev)
        tau = tau.to(dev)
        tb = tau.reshape(b, 1, 1, 1, 1)
        zt = (1 - tb) * self.rounded_input(videos, x0) + tb * noise
        fps = torch.full((b,), self.fps, device=dev)
        y_bias = stdit3.caption_bias(mask)
        zt = self.own_step_input(zt, x0, noise, tau, y, y_bias, fps)
        x0_hat = self.model.predict_x0(zt, tau * 1000.0, y, y_bias, fps, self.pos, *self.rope)
        err = (x0_hat - x0).pow(2)
        if self.args.outline_weight > 0 and self.step >= self.args.outline_from:
            w = outline_weights(videos.to(dev), x0.shape[-1], self.args.outline_weight)  # [B, T, h, w]
            loss = (err * w.unsqueeze(1)).sum() / (w.sum() * err.shape[1])
        else:
            loss = err.mean()
        self.opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(self.trained.parameters(), 1.0)
        for g in self.opt.param_groups:
            g["lr"] = lr_at(self.step, self.args.lr, self.args.warmup, self.args.steps, start=self.args.schedule_from)
        self.opt.step()
        return loss.detach()


RECIPE = ("models/tools/train_all.py: PCA latent + conv decoder, then STDiT3 + text encoder, rectified flow, "
          "x0-prediction (head in denoiser_config) with an x0 loss, logit-normal t, caption dropout 0.1, AdamW, EMA")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ckpt", required=True, action="append",
                    help="checkpoint to write (resume from); repeat it to train several models side by side on the "
                         "same batches, each with its own --arch")
    ap.add_argument("--arch", type=arch_triple, action="append", default=None,
                    help="from scratch: the denoiser's WIDTH,DEPTH,HEADS (default: config/denoiser.json); "
                         "one per --ckpt when given")
    ap.add_argument("--decoder", default=None, help="stage-1 output (from scratch)")
    ap.add_argument("--resume", action="store_true")
    ap.add_argument("--steps", type=steps_argument, required=True,
                    help="total optimizer steps (schedule length), or 'auto' with --budget-minutes: fixed at the end "
                         "of the warm-up from the measured speed, recorded in the checkpoint's phases")
    ap.add_argument("--budget-minutes", type=float, default=None,
                    help="with --steps auto: the wall-clock time the run may take (it also stops there)")
    ap.add_argument("--data-workers", type=int, default=0,
                    help="render batches in this many processes (for a GPU; 0 = one background thread)")
    ap.add_argument("--from-release", action="store_true",
                    help="with --resume: go on from a released checkpoint (its EMA weights, a fresh optimizer)")
    ap.add_argument("--stop-at-step", type=int, default=None, help="stop at this step (resume later)")
    ap.add_argument("--stop-after-minutes", type=float, default=None, help="stop early (resume later)")
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--lr", type=float, default=8e-4)
    ap.add_argument("--warmup", type=int, default=100)
    ap.add_argument("--ema", type=float, default=0.998)
    ap.add_argument("--tau-shift", type=float, default=1.0, help="timestep shift of the training τ distribution")
    ap.add_argument("--world", default=data.DEFAULT_WORLD, choices=data.WORLDS,
                    help="object placement of the training clips (data.py); the first phases used 'wide'")
    ap.add_argument("--high-noise-frac", type=float, default=0.0,
                    help="fraction of each batch with τ ~ U(--high-noise-min, 1)")
    ap.add_argument("--high-noise-min", type=float, default=0.85)
    ap.add_argument("--outline-weight", type=float, default=0.0,
                    help="extra x0-loss weight on latent cells on the object's outline (outline_weights)")
    ap.add_argument("--outline-from", type=int, default=0, help="step from which --outline-weight applies")
    ap.add_argument("--round-input-frac", type=float, default=0.0,
                    help="share of each batch whose noisy input shows the object with rounded corners (rounded_input)")
    ap.add_argument("--round-sigma-px", type=positive_pair, default=(1.0, 3.0),
                    help="range of the rounding blur's sigma in pixels, LOW,HIGH (round_outlines)")
    ap.add_argument("--uniform-frac", type=float, default=0.0, help="fraction of each batch with τ ~ U(--uniform-tau)")
    ap.add_argument("--uniform-tau", type=unit_pair, default=(0.0, 1.0),
                    help="range LOW,HIGH of --uniform-frac's τ (where outlines are decided: about 0.2,0.6)")
    ap.add_argument("--faint-outline-repeat", type=int, default=1,
                    help="draw squares and triangles of faint pairs this many times as often (faint_outline_draws)")
    ap.add_argument("--own-step-frac", type=float, default=0.0,
                    help="share of each batch whose input is one step of the network's own sampler (own_step_input)")
    ap.add_argument("--own-step-dtau", type=unit_pair, default=(0.05, 0.5),
                    help="range LOW,HIGH of the noise gap that step covers (own_step_input)")
    ap.add_argument("--prediction", default=None, choices=("x0", "x0_skip"),
                    help="from scratch: the denoiser's output parameterization (default: config/denoiser.json)")
    ap.add_argument("--without-temporal-pos", action="store_true",
                    help="train without the fixed temporal pos-emb (how the phases before 'temporal-pos' ran)")
    ap.add_argument("--schedule-from", type=int, default=0,
                    help="step where this phase's warm-up + cosine starts (a resumed phase with its own schedule)")
    ap.add_argument("--ckpt-minutes", type=float, default=4.0)
    ap.add_argument("--log", default=None)
    devices.add_device_argument(ap)
    args = ap.parse_args()
    check_arguments(ap, args)
    torch.set_num_threads(1)
    torch.manual_seed(TORCH_SEED)
    combos = data.train_combinations()
    if args.faint_outline_repeat > 1:  # the PCA fit is fixed from the latent run's step 0: any source has it
        components = torch.load(args.ckpt[0] if args.resume else args.decoder, map_location="cpu")["encoder"]["components"]
        combos = faint_outline_draws(combos, latent.structure_weights(components), args.faint_outline_repeat)
    # Fork the render workers before anything touches the GPU.
    feed = WorkerFeed(args.batch, combos, args.world, args.data_workers) if args.data_workers else None
    device = devices.pick_device(args.device)
    print(f"train: on {devices.describe(device)}", flush=True)
    solo = len(args.ckpt) == 1
    trainers = [Trainer(args, device, path, args.arch[k] if args.arch else None, None if solo else k)
                for k, path in enumerate(args.ckpt)]
    for tr in trainers:
        tr.load(tr.ckpt_path if args.resume else args.decoder, args.resume)
    if len({tr.data_index for tr in trainers}) > 1 or len({tr.step for tr in trainers}) > 1:
        raise SystemExit("train: checkpoints trained side by side must be at the same step and data index; got "
                         + ", ".join(f"{tr.ckpt_path}: step {tr.step}" for tr in trainers))
    logs = [open_log(args.log if solo and args.log else os.path.splitext(tr.ckpt_path)[0] + ".train.csv", args.resume)
            for tr in trainers]
    for tr in trainers:
        start_phase(tr, args, device)
    if feed is None:
        feed = Prefetcher(trainers[0].data_index, args.batch, combos, args.world)
    else:
        feed.start(trainers[0].data_index)
    run_loop(args, trainers, logs, feed)
    for tr in trainers:
        tr.save(tr.ckpt_path)
        print(f"saved {tr.ckpt_path} at step {tr.step}, wall {tr.wall:.0f}s", flush=True)


def faint_outline_draws(combos, weights, repeat, threshold=FAINT_EDGE):
    """The training draw list with the squares and triangles of faint pairs in it `repeat` times: pairs whose
    edges the latent's structure component barely sees (|weights · (fg − bg)| < threshold, as red on green), so
    their outline is carried by mixed cell colours alone and is the hardest for the sampler to draw."""
    def faint(combo):
        fg, bg = (np.asarray(data.COLOURS[c]) for c in (combo[0], combo[3]))
        return combo[1] != "circle" and abs(float(weights @ (fg - bg))) < threshold
    return [c for c in combos for _ in range(repeat if faint(c) else 1)]


def arch_triple(text):
    try:
        width, depth, heads = (int(v) for v in text.split(","))
    except ValueError as err:
        raise argparse.ArgumentTypeError(f"want WIDTH,DEPTH,HEADS, got {text!r}") from err
    if min(width, depth, heads) < 1 or width % heads or (width // heads) % 2:
        raise argparse.ArgumentTypeError(f"want positive numbers, WIDTH a multiple of HEADS with an even head size "
                                         f"(rotary embedding), got {text!r}")
    return width, depth, heads


def steps_argument(text):
    if text == "auto":
        return None
    try:
        steps = int(text)
    except ValueError as err:
        raise argparse.ArgumentTypeError(f"want a number of steps or 'auto', got {text!r}") from err
    if steps < 1:
        raise argparse.ArgumentTypeError(f"want at least 1 step, got {text!r}")
    return steps


def check_arguments(ap, args):
    if args.arch and len(args.arch) != len(args.ckpt):
        ap.error(f"give one --arch per --ckpt (got {len(args.arch)} for {len(args.ckpt)})")
    if args.arch and args.resume:
        ap.error("--arch is for a run from scratch (a resumed run keeps the architecture its checkpoint records)")
    if len(set(args.ckpt)) != len(args.ckpt):
        ap.error("the same --ckpt twice")
    if args.steps is None and (args.budget_minutes is None or args.resume):
        ap.error("--steps auto needs --budget-minutes, and a run from scratch (a resumed phase names its steps)")
    if args.steps is None and args.warmup < AUTO_STEPS_TIMED_FROM * 2:
        ap.error(f"--steps auto times the warm-up: give --warmup {AUTO_STEPS_TIMED_FROM * 2} or more")
    if args.log and len(args.ckpt) > 1:
        ap.error("--log is for one --ckpt (side by side, each log is named after its checkpoint)")
    if args.data_workers < 0:
        ap.error("--data-workers must be 0 or more")


def open_log(path, resume):
    new_log = not (resume and os.path.exists(path))
    log = open(path, "w" if new_log else "a", newline="")
    writer = csv.writer(log)
    if new_log:
        writer.writerow(["step", "wall_seconds", "loss", "loss_ema", "lr", "samples_per_second"])
    return log, writer


AUTO_STEPS_TIMED_FROM = 20  # --steps auto: the first steps (start-up, first kernels) are not timed
AUTO_STEPS_RESERVE_S = 20.0  # --steps auto: time kept for the last checkpoints


def auto_steps(step, timed_from_step, timed_since, session_start, budget_minutes):
    """The schedule length that ends the run inside its budget at the speed of the warm-up's timed steps."""
    now = time.time()
    rate = (step - timed_from_step) / max(now - timed_since, 1e-6)
    left_s = budget_minutes * 60 - (now - session_start) - AUTO_STEPS_RESERVE_S
    return step + max(1, int(rate * left_s))


def start_phase(tr, args, device):
    tr.phases.append({"from_step": tr.step, "to_step": tr.step, "schedule_steps": args.steps, "lr": args.lr,
                      "warmup": args.warmup, "schedule_from": args.schedule_from, "tau_shift": args.tau_shift,
                      "high_noise_frac": args.high_noise_frac, "high_noise_min": args.high_noise_min,
                      "uniform_frac": args.uniform_frac,
                      "uniform_tau": list(args.uniform_tau), "outline_weight": args.outline_weight,
                      "outline_from": args.outline_from, "round_input_frac": args.round_input_frac,
                      "round_sigma_px": list(args.round_sigma_px), "own_step_frac": args.own_step_frac,
                      "own_step_dtau": list(args.own_step_dtau), "faint_outline_repeat": args.faint_outline_repeat,
                      **({"from_release": True} if args.from_release else {}),
                      "batch": args.batch, "world": args.world, "temporal_pos": not args.without_temporal_pos,
                      "device": device.type, "data_workers": args.data_workers})


def run_loop(args, trainers, logs, feed):
    """All trainers take each batch in turn. Losses stay on the device (a .item() per step would wait for the
    GPU every step) and are read when logged."""
    session_start = time.time()
    last_save, last_t = time.time(), time.time()
    timed_since = None
    step = trainers[0].step
    stop_minutes = args.budget_minutes if args.steps is None else args.stop_after_minutes
    while step < min(args.steps or float("inf"), args.stop_at_step or float("inf")):
        data_index, videos, captions = feed.next()
        losses = [tr.train_step(videos, captions) for tr in trainers]
        step += 1
        now = time.time()
        sps = args.batch / max(now - last_t, 1e-6)
        for tr, loss, (log, writer) in zip(trainers, losses, logs):
            tr.data_index, tr.step = data_index, step
            tr.phases[-1]["to_step"] = step
            tr.update_ema()
            tr.wall += now - last_t
            tr.loss_ema = loss if tr.loss_ema is None else 0.98 * tr.loss_ema + 0.02 * loss
            if step % 10 == 0:
                writer.writerow([step, round(tr.wall, 1), round(float(loss), 5), round(float(tr.loss_ema), 5),
                                 round(tr.opt.param_groups[0]["lr"], 7), round(sps, 1)])
                log.flush()
            if step % 50 == 0:
                name = "" if len(trainers) == 1 else f"{os.path.basename(tr.ckpt_path)} "
                print(f"{name}step {step} wall {tr.wall:.0f}s loss {float(tr.loss_ema):.4f} {sps:.1f} samples/s",
                      flush=True)
        last_t = now
        if args.steps is None and step == AUTO_STEPS_TIMED_FROM:
            timed_since = now
        if args.steps is None and step == args.warmup:
            args.steps = auto_steps(step, AUTO_STEPS_TIMED_FROM, timed_since, session_start, args.budget_minutes)
            for tr in trainers:
                tr.phases[-1]["schedule_steps"] = args.steps
            print(f"train: --steps auto -> {args.steps} (speed of steps {AUTO_STEPS_TIMED_FROM}..{step})", flush=True)
        if now - last_save > args.ckpt_minutes * 60:
            for tr in trainers:
                tr.save(tr.ckpt_path)
            last_save = now
        if stop_minutes and now - session_start > stop_minutes * 60:
            break


if __name__ == "__main__":
    main()

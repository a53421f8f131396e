"""Train a latent that keeps shape: a learned conv encoder + conv decoder (`--latent conv`, a small VAE), or a
sharper decoder on the fixed PCA latent (`--latent pca`). Both use the edge loss and, with --mask, the
judge-mask loss below; checkpoints and resume. The decoder is `latent.LatentDecoder` (config/decoder.json
unless --decoder-channels), so the engine's decoder unit keeps its inputs and outputs.

Usage: train_latent.py --out models/runs/shape-latent.pt [--latent conv|pca] [--steps 2400] [--mask 2]
                       [--resume] [--release models/checkpoints/NAME.pt] [--device cpu|cuda|mps]
Log: <out without .pt>.train.csv (step, wall seconds, loss, reconstruction, kl, lr). Judge the result with
evaluate_latent.py.
"""
import argparse
import csv
import json
import os
import time

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

import checkpoint as ckpt_lib  # noqa: E402
import data  # noqa: E402
import devices  # noqa: E402
import latent  # noqa: E402
import own_latents  # noqa: E402
import scorer  # noqa: E402
from latent import LatentDecoder, PatchPCAEncoder  # noqa: E402
from learned_latent import ConvLatentEncoder, kl_to_unit_normal  # noqa: E402

FORMAT_TAG = ckpt_lib.LATENT_FORMAT_TAG
LATENTS = ("conv", "pca")
SEED = 20261126  # the PCA fit uses train_decoder.py's seed and clip count, so `--latent pca` is the shipped latent
PCA_CLIPS = 512
STATS_CLIPS = 512
CROP_FRAMES = 4
RANDOM_COLOUR_MIN_DISTANCE = 0.4  # RGB distance in [0, 1] units; the judge's object threshold is 0.3
OWN_LATENT_SEED = SEED + 11
PCA_LATENT_NOISE = 0.05  # as train_decoder.py: robustness to small denoiser errors (the VAE samples instead)
ENCODER_CHANNELS = [32, 48, 64]
CONFIG_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "config")


def latent_config(decoder_channels=None, full_res_blocks=None):
    """config/decoder.json (+ the learned encoder's widths); decoder_channels and full_res_blocks override it."""
    with open(os.path.join(CONFIG_DIR, "decoder.json")) as f:
        cfg = dict(json.load(f), encoder_channels=ENCODER_CHANNELS)
    if decoder_channels is not None:
        cfg["channels"] = decoder_channels
    if full_res_blocks is not None:
        cfg["full_res_blocks"] = full_res_blocks
    return cfg


def build_encoder(kind, cfg):
    if kind == "conv":
        return ConvLatentEncoder(cfg)
    if kind == "pca":
        return PatchPCAEncoder(cfg["spatial_factor"], cfg["latent_channels"])
    raise ValueError(f"unknown latent {kind!r} (known: {', '.join(LATENTS)})")


def edge_loss(rec, target):
    """L1 between horizontal and vertical pixel differences: the term that pays for sharp corners, which an
    L1 + MSE loss on pixels alone under-weights (edges are a few % of the pixels)."""
    dx = lambda v: v[..., :, 1:] - v[..., :, :-1]  # noqa: E731
    dy = lambda v: v[..., 1:, :] - v[..., :-1, :]  # noqa: E731
    return F.l1_loss(dx(rec), dx(target)) + F.l1_loss(dy(rec), dy(target))


def judge_soft_masks(rec, target, softness=0.05):
    """Soft versions (sigmoid of width `softness`) of the judge's object mask (scorer.judge: RGB distance from
    the clip's median border colour > FG_DISTANCE) of the reconstruction and of the clip, [B, F, H, W] each."""
    b = target.shape[0]
    border = torch.cat([target[..., 0, :], target[..., -1, :], target[..., :, 0], target[..., :, -1]], dim=-1)
    bg = border.reshape(b, 3, -1).median(dim=2).values.reshape(b, 3, 1, 1, 1)

    def soft_mask(v):
        dist = ((v - bg) / 2).pow(2).sum(dim=1).add(1e-8).sqrt()  # [-1, 1] -> the judge's [0, 1] units
        return torch.sigmoid((dist - scorer.FG_DISTANCE) / softness)
    return soft_mask(rec), soft_mask(target)


def judge_mask_loss(rec, target, softness=0.05):
    """L1 between the soft judge masks of the reconstruction and of the clip. The judge's shape is the fill
    ratio of that mask, so this term spends the loss on the pixels near its threshold, where a blur turns
    corners round."""
    return F.l1_loss(*judge_soft_masks(rec, target, softness))


def structure_weights(encoder):
    """latent.structure_weights of a PCA encoder."""
    return latent.structure_weights(encoder.components)


def random_pair(min_distance, weights=None, rng=np.random):
    """A random (object, background) RGB pair at least min_distance apart; with weights, one the structure
    component cannot tell apart (weights · (fg − bg) = 0), like red on green, whose edges reach the decoder only
    as mixed cell colours."""
    while True:
        bg, fg = rng.uniform(0, 1, 3), rng.uniform(0, 1, 3)
        if weights is not None:
            fg = fg - (weights @ (fg - bg)) / (weights @ weights) * weights
        if np.linalg.norm(fg - bg) >= min_distance and fg.min() >= 0 and fg.max() <= 1:
            return fg, bg


def random_colours(videos, combos, frac, min_distance=RANDOM_COLOUR_MIN_DISTANCE, weights=None, unseen_edge_frac=0.0,
                   rng=np.random):
    """The first round(frac·N) clips repainted in random colour pairs (uniform RGB, object and background at
    least min_distance apart, so the judge still sees the object), so that the decoder learns to unmix edge
    cells of any two colours, not only of the palette pairs it was trained on (held-out pairs are new to it).
    A share unseen_edge_frac of them gets a pair the latent's structure component cannot see (random_pair)."""
    out = videos.copy()
    for i in range(int(round(frac * len(videos)))):
        unseen_edge = weights is not None and rng.uniform() < unseen_edge_frac
        fg, bg = random_pair(min_distance, weights if unseen_edge else None, rng)
        out[i] = data.recolour(videos[i], combos[i][0], combos[i][3], fg, bg)
    return out


def extent_loss(rec, target, softness=0.05):
    """L1 between the row and column occupancy profiles (the max of the soft judge mask along each row and each
    column) of the reconstruction and of the clip. The judge's shape is the mask's fill ratio of its bounding
    box, and the box is set by the few pixels at a triangle's apex or a square's corner: a blur that drops them
    shrinks the box and reads a triangle as a circle. This term prices each lost row or column as a whole."""
    rec_mask, target_mask = judge_soft_masks(rec, target, softness)
    rows = lambda m: m.amax(dim=-1)  # noqa: E731  [B, F, H]
    cols = lambda m: m.amax(dim=-2)  # noqa: E731  [B, F, W]
    return F.l1_loss(rows(rec_mask), rows(target_mask)) + F.l1_loss(cols(rec_mask), cols(target_mask))


def learning_rate(base, step, total, warmup=50):
    if step < warmup:
        return base * (step + 1) / warmup
    progress = min(1.0, (step - warmup) / max(1, total - warmup))
    return base * (0.1 + 0.45 * (1 + np.cos(np.pi * progress)))


@torch.no_grad()
def latent_statistics(encoder, clips, world, device, seed=SEED + 3):
    """Per-channel mean/std of the raw encoder output on training clips of a world."""
    videos, _, _ = data.batch(seed, 0, clips, data.train_combinations(), world=world)
    raw = []
    for i in range(0, clips, 32):
        v = torch.from_numpy(videos[i:i + 32]).to(device)
        raw.append(encoder.posterior(v)[0] if isinstance(encoder, ConvLatentEncoder) else encoder.encode_raw(v))
    raw = torch.cat(raw)
    return raw.mean(dim=(0, 2, 3, 4)), raw.std(dim=(0, 2, 3, 4))


def load_latent(path):
    """-> (kind, config, encoder, decoder), modules in eval mode, from a train_latent.py checkpoint or a
    denoiser checkpoint (shapes-tiny.pt: the PCA encoder and the decoder it ships)."""
    if not os.path.exists(path):
        raise FileNotFoundError(f"no latent checkpoint at {path}")
    ck = torch.load(path, map_location="cpu")
    if not isinstance(ck, dict) or "encoder" not in ck or "decoder" not in ck:
        raise ValueError(f"{path} holds no encoder and decoder (neither a {FORMAT_TAG} nor a denoiser checkpoint)")
    if ck.get("format") == FORMAT_TAG:
        kind, cfg = ck["latent"], ck["config"]
    else:  # a denoiser checkpoint: the PCA latent, and the decoder config it records (if any)
        kind, cfg = "pca", latent_config()
        cfg.update(ckpt_lib.decoder_config(ck, cfg))
    encoder, decoder = build_encoder(kind, cfg), LatentDecoder(cfg)
    encoder.load_state_dict(ck["encoder"])
    decoder.load_state_dict(ck["decoder"])
    return kind, cfg, encoder.eval(), decoder.eval()


class LatentTrainer:
    def __init__(self, args, device):
        self.args, self.device = args, device
        torch.manual_seed(SEED)  # before the modules: their initial weights come from it
        np.random.seed(SEED)
        self.cfg = latent_config(args.decoder_channels, args.decoder_full_res_blocks)
        self.encoder = build_encoder(args.latent, self.cfg).to(device)
        self.decoder = LatentDecoder(self.cfg).to(device)
        trained = list(self.decoder.parameters()) + (list(self.encoder.parameters()) if args.latent == "conv" else [])
        self.opt = torch.optim.AdamW(trained, lr=args.lr, weight_decay=0.0)
        self.step, self.wall, self.log = 0, 0.0, []
        self.statistics = None
        self.runs = []  # one entry per command that trained this checkpoint (its settings and steps)
        self.bank = None  # (latents, videos) of own_latents.build_bank, with --own-latents
        self.structure = None  # structure_weights of the (PCA) encoder, with --unseen-edge-frac

    def build_bank(self):
        a = self.args
        repaint = None
        if a.own_unseen_edge_frac > 0:
            weights = structure_weights(self.encoder)
            repaint = (a.own_unseen_edge_frac, a.own_unseen_edge_tau,
                       lambda videos, combos, rng: random_colours(videos, combos, 1.0, weights=weights,
                                                                  unseen_edge_frac=1.0, rng=rng))
        self.bank = own_latents.build_bank(a.own_latents, self.encoder, a.own_clips, a.own_tau, OWN_LATENT_SEED,
                                           repaint)

    def start(self):
        if self.args.latent == "pca":
            videos, _, _ = data.batch(SEED, 0, PCA_CLIPS, data.train_combinations(), world="wide")
            self.encoder.fit(torch.from_numpy(videos).to(self.device))
            self._copy_normalization()

    def _copy_normalization(self):
        self.decoder.latent_shift.copy_(self.encoder.latent_shift)
        self.decoder.latent_scale.copy_(self.encoder.latent_scale)

    def load(self, path):
        ck = torch.load(path, map_location="cpu")
        if ck.get("format") != FORMAT_TAG:
            raise SystemExit(f"{path}: not a {FORMAT_TAG} checkpoint (format {ck.get('format')!r})")
        if ck["config"] != self.cfg:
            raise SystemExit(f"{path} was trained with config {ck['config']}; this run has {self.cfg}")
        if ck["latent"] != self.args.latent:
            raise SystemExit(f"{path} holds a '{ck['latent']}' latent; this run asks for --latent {self.args.latent}")
        self.encoder.load_state_dict(ck["encoder"])
        self.decoder.load_state_dict(ck["decoder"])
        self.opt.load_state_dict(ck["optimizer"])
        self.step, self.wall, self.log = ck["step"], ck["wall_seconds"], ck["log"]
        self.statistics = ck.get("statistics")
        self.runs = ck.get("runs", [])
        torch.set_rng_state(ck["torch_rng"])
        np.random.set_state(ck["numpy_rng"])

    def weights(self):
        """Everything but the optimizer and RNG state (the file to commit: `--release`)."""
        cpu = lambda m: {k: v.detach().cpu() for k, v in m.state_dict().items()}  # noqa: E731
        return {"format": FORMAT_TAG, "latent": self.args.latent, "config": self.cfg, "step": self.step,
                "steps": self.args.steps, "wall_seconds": self.wall, "device": self.device.type,
                "encoder": cpu(self.encoder), "decoder": cpu(self.decoder), "log": self.log,
                "statistics": self.statistics, "runs": self.runs}

    def save(self, path):
        ckpt_lib.save_atomic(dict(self.weights(), optimizer=self.opt.state_dict(), torch_rng=torch.get_rng_state(),
                                  numpy_rng=np.random.get_state()), path)

    def train_step(self):
        a = self.args
        vids, _, combos = data.batch(SEED + 1, self.step * a.batch, a.batch, data.train_combinations(), world="wide")
        if a.random_colour_frac > 0:
            if self.structure is None and a.unseen_edge_frac > 0:  # the encoder is fitted or loaded by now
                self.structure = structure_weights(self.encoder)
            vids = random_colours(vids, combos, a.random_colour_frac, weights=self.structure,
                                  unseen_edge_frac=a.unseen_edge_frac)
        t0 = np.random.randint(0, vids.shape[2] - CROP_FRAMES + 1)
        v = torch.from_numpy(vids[:, :, t0:t0 + CROP_FRAMES]).to(self.device)
        kl = torch.zeros((), device=self.device)
        if a.latent == "conv":
            mean, logvar = self.encoder.posterior(v)
            kl = kl_to_unit_normal(mean, logvar)
            z = self.encoder.normalize(mean + (0.5 * logvar).exp() * torch.randn_like(mean))
        else:
            with torch.no_grad():
                z = self.encoder(v)
                z = z + PCA_LATENT_NOISE * torch.randn_like(z)
        if self.bank is not None:  # the last clips of the batch: the denoiser's own latents and their clips
            own = int(round(a.own_frac * a.batch))
            pick = torch.from_numpy(np.random.randint(0, len(self.bank[0]), own))
            z = torch.cat([z[:a.batch - own], self.bank[0][pick, :, t0:t0 + CROP_FRAMES].to(self.device)])
            v = torch.cat([v[:a.batch - own], self.bank[1][pick, :, t0:t0 + CROP_FRAMES].to(self.device)])
        rec = self.decoder(z)
        recon = F.l1_loss(rec, v) + F.mse_loss(rec, v) + a.edge * edge_loss(rec, v)
        if a.mask > 0:
            recon = recon + a.mask * judge_mask_loss(rec, v)
        if a.extent > 0:
            recon = recon + a.extent * extent_loss(rec, v)
        loss = recon + a.kl * kl
        for g in self.opt.param_groups:
            g["lr"] = learning_rate(a.lr, self.step, a.steps)
        self.opt.zero_grad(set_to_none=True)
        loss.backward()
        self.opt.step()
        self.step += 1
        self.statistics = None  # the latent moved: its normalization is recomputed when the run finishes
        return loss.item(), recon.item(), kl.item()

    def finish(self):
        """Normalize the latent per channel on training clips of the centred world (the denoiser's world)."""
        self.encoder.eval()
        mean, std = latent_statistics(self.encoder, self.args.stats_clips, "centred", self.device)
        if self.args.latent == "conv":  # (the PCA latent keeps the normalization of its fit)
            self.encoder.latent_shift.copy_(mean)
            self.encoder.latent_scale.copy_(std)
            self._copy_normalization()
        scale, shift = self.encoder.latent_scale, self.encoder.latent_shift
        self.statistics = {"clips": self.args.stats_clips, "world": "centred",
                           "mean": ((mean - shift) / scale).tolist(), "std": (std / scale).tolist()}
        self.encoder.train()


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", required=True, help="checkpoint path (written atomically, resumable)")
    ap.add_argument("--latent", default="conv", choices=LATENTS)
    ap.add_argument("--steps", type=int, default=2400, help="total steps (the cosine schedule's length)")
    ap.add_argument("--stop-at-step", type=int, default=None, help="stop early at this step (resume later)")
    ap.add_argument("--batch", type=int, default=16, help="clips per step (4-frame crops)")
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--kl", type=float, default=1e-3, help="weight of the KL term (conv latent)")
    ap.add_argument("--edge", type=float, default=1.0, help="weight of the edge (pixel difference) loss")
    ap.add_argument("--decoder-channels", type=lambda text: [int(c) for c in text.split(",")], default=None,
                    help="decoder widths at 8, 16 and 32 px, e.g. 96,64,48 (default: config/decoder.json)")
    ap.add_argument("--decoder-full-res-blocks", type=int, default=None,
                    help="residual blocks at 32 px before the output conv (default: config/decoder.json, else 0)")
    ap.add_argument("--extent", type=float, default=0.0, help="weight of the mask-extent loss (extent_loss)")
    ap.add_argument("--random-colour-frac", type=float, default=0.0,
                    help="share of each batch repainted in random colour pairs (random_colours)")
    ap.add_argument("--unseen-edge-frac", type=float, default=0.0,
                    help="share of the random-colour clips in pairs the latent's structure component cannot see")
    ap.add_argument("--own-latents", default=None,
                    help="a denoiser checkpoint: also train on its own sampled latents (own_latents.build_bank)")
    ap.add_argument("--own-frac", type=float, default=0.25, help="share of each batch from the own-latent bank")
    ap.add_argument("--own-clips", type=int, default=1024, help="clips in the own-latent bank")
    ap.add_argument("--own-tau", type=lambda text: [float(x) for x in text.split(",")], default=[0.2, 0.6],
                    help="range of τ0 the bank's clips are noised to before sampling, e.g. 0.2,0.6")
    ap.add_argument("--own-unseen-edge-frac", type=float, default=0.0,
                    help="share of the bank repainted in pairs the latent's structure component cannot see, sampled "
                         "unconditionally (own_latents.build_bank's repaint)")
    ap.add_argument("--own-unseen-edge-tau", type=lambda text: [float(x) for x in text.split(",")], default=[0.1, 0.4],
                    help="lo,hi of the noise level the repainted bank clips are sampled back from")
    ap.add_argument("--mask", type=float, default=0.0, help="weight of the judge-mask loss (judge_mask_loss)")
    ap.add_argument("--checkpoint-every", type=int, default=200, help="steps between checkpoints")
    ap.add_argument("--stats-clips", type=int, default=STATS_CLIPS, help="clips for the latent statistics")
    ap.add_argument("--resume", action="store_true", help="continue from --out")
    ap.add_argument("--release", default=None,
                    help="when finished, also write the weights alone here (e.g. models/checkpoints/shape-latent.pt)")
    devices.add_device_argument(ap)
    args = ap.parse_args()
    torch.set_num_threads(1)
    device = devices.pick_device(args.device)
    trainer = LatentTrainer(args, device)
    if args.resume:
        if not os.path.exists(args.out):
            raise SystemExit(f"--resume: no checkpoint at {args.out}")
        trainer.load(args.out)
    else:
        trainer.start()
    stop = min(args.steps, args.stop_at_step or args.steps)
    if args.own_latents and trainer.step < stop:
        if args.latent != "pca":
            raise SystemExit("--own-latents needs the PCA latent (the denoiser's)")
        started = time.time()
        trainer.build_bank()
        print(f"train_latent: own-latent bank of {args.own_clips} clips from {args.own_latents} "
              f"in {time.time() - started:.0f}s", flush=True)
    if trainer.step < stop:
        trainer.runs.append({"from_step": trainer.step, "to_step": trainer.step, "steps": args.steps, "lr": args.lr,
                             "kl": args.kl, "edge": args.edge, "mask": args.mask, "batch": args.batch,
                             "random_colour_frac": args.random_colour_frac, "extent": args.extent,
                             "unseen_edge_frac": args.unseen_edge_frac,
                             **({"own_latents": os.path.basename(args.own_latents), "own_frac": args.own_frac,
                                 "own_clips": args.own_clips, "own_tau": args.own_tau,
                                 **({"own_unseen_edge_frac": args.own_unseen_edge_frac,
                                     "own_unseen_edge_tau": args.own_unseen_edge_tau}
                                    if args.own_unseen_edge_frac > 0 else {})} if args.own_latents else {}),
                             "device": device.type})
    log_path = os.path.splitext(args.out)[0] + ".train.csv"
    fresh_log = not args.resume or not os.path.exists(log_path)
    print(f"train_latent: {args.latent} latent on {devices.describe(device)}, step {trainer.step} -> {stop}",
          flush=True)
    with open(log_path, "w" if fresh_log else "a", newline="") as log_file:
        log = csv.writer(log_file, lineterminator="\n")
        if fresh_log:
            log.writerow(["step", "wall_seconds", "loss", "reconstruction", "kl", "lr"])
        tick = time.time()
        while trainer.step < stop:
            loss, recon, kl = trainer.train_step()
            trainer.runs[-1]["to_step"] = trainer.step
            now = time.time()
            trainer.wall += now - tick
            tick = now
            if trainer.step % 10 == 0 or trainer.step == stop:
                row = [trainer.step, round(trainer.wall, 1), round(loss, 5), round(recon, 5), round(kl, 5),
                       f"{trainer.opt.param_groups[0]['lr']:.3g}"]
                log.writerow(row)
                log_file.flush()
                trainer.log.append(row)
            if trainer.step % 100 == 0:
                print(f"step {trainer.step} t {trainer.wall:.0f}s loss {loss:.4f} recon {recon:.4f} kl {kl:.3f}",
                      flush=True)
            if trainer.step % args.checkpoint_every == 0 and trainer.step < stop:
                trainer.save(args.out)
    if trainer.step >= args.steps and trainer.statistics is None:
        trainer.finish()
        print(f"latent statistics (normalized, {trainer.statistics['clips']} centred training clips): "
              f"mean {[round(x, 3) for x in trainer.statistics['mean']]}, "
              f"std {[round(x, 3) for x in trainer.statistics['std']]}", flush=True)
    trainer.save(args.out)
    print(f"train_latent: step {trainer.step}, {trainer.wall:.0f}s of training -> {args.out}", flush=True)
    if args.release:
        if trainer.statistics is None:
            raise SystemExit(f"--release: the run stopped at step {trainer.step} of {args.steps}; finish it first")
        ckpt_lib.save_atomic(trainer.weights(), args.release)
        print(f"train_latent: weights only -> {args.release} ({os.path.getsize(args.release) / 1e6:.2f} MB)")


if __name__ == "__main__":
    main()

"""Round trip of a latent: decode(encode(clip)) judged like a generated clip, plus PSNR, side by side.

Usage: evaluate_latent.py [--latent NAME=CHECKPOINT ...] [--clips 200] [--world wide|centred] [--json OUT]
Default latents: the shipped PCA latent + decoder (models/checkpoints/shapes-tiny-v2.pt) and the shape-keeping
latent (models/checkpoints/shape-latent.pt). Clips: held-out combinations (data.py; the same stream as
train_decoder.py's evaluation) and seen (training) combinations. Also prints each latent's per-channel
statistics (on the seen clips: the denoiser's training distribution) and the RMSE of the latent -> RGB preview fit (export_package.preview_fit).
"""
import argparse
import json
import os

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
import torch  # noqa: E402

import data  # noqa: E402
import scorer  # noqa: E402
from export_package import preview_fit  # noqa: E402
from train_decoder import psnr  # noqa: E402
from train_latent import SEED, load_latent  # noqa: E402

MODELS = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_LATENTS = (("pca (shipped)", os.path.join(MODELS, "checkpoints", "shapes-tiny-v2.pt")),
                   ("shape latent", os.path.join(MODELS, "checkpoints", "shape-latent.pt")))
CLIP_SETS = {"held-out": (SEED + 7, data.held_out_combinations), "seen": (SEED + 8, data.train_combinations)}
COLUMNS = ("psnr", "background", "object", "shape", "motion", "bar")


@torch.no_grad()
def round_trip(encoder, decoder, videos, chunk=25):
    return torch.cat([decoder(encoder(videos[i:i + chunk])) for i in range(0, len(videos), chunk)])


@torch.no_grad()
def statistics(encoder, videos):
    z = torch.cat([encoder(videos[i:i + 25]) for i in range(0, len(videos), 25)])
    return {"mean": z.mean(dim=(0, 2, 3, 4)).tolist(), "std": z.std(dim=(0, 2, 3, 4)).tolist()}


def parse_latent(text):
    name, sep, path = text.partition("=")
    if not sep or not name or not path:
        raise argparse.ArgumentTypeError(f"--latent wants NAME=CHECKPOINT, got {text!r}")
    return name, path


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--latent", action="append", type=parse_latent, help="NAME=CHECKPOINT (repeatable)")
    ap.add_argument("--clips", type=int, default=200, help="clips per set")
    ap.add_argument("--world", default="wide", choices=data.WORLDS)
    ap.add_argument("--preview-clips", type=int, default=256, help="clips for the preview fit (0: skip it)")
    ap.add_argument("--json", default=None, help="also write the results here")
    args = ap.parse_args()
    if args.clips < 1:
        raise SystemExit("--clips must be at least 1")
    torch.set_num_threads(1)
    latents = args.latent or list(DEFAULT_LATENTS)
    missing = [path for _, path in latents if not os.path.exists(path)]
    if missing:
        raise SystemExit("no checkpoint at " + ", ".join(missing))
    sets = {}
    for name, (seed, combos) in CLIP_SETS.items():
        videos, _, picked = data.batch(seed, 0, args.clips, combos(), world=args.world)
        sets[name] = (torch.from_numpy(videos), picked)

    results = []
    for name, path in latents:
        kind, cfg, encoder, decoder = load_latent(path)
        entry = {"name": name, "checkpoint": path, "kind": kind, "sets": {}}
        for set_name, (videos, picked) in sets.items():
            rec = round_trip(encoder, decoder, videos)
            acc, _ = scorer.score(rec.numpy(), picked)
            entry["sets"][set_name] = {"clips": len(picked), "psnr": psnr(rec, videos), **acc}
        entry["statistics"] = statistics(encoder, sets["seen"][0])
        if args.preview_clips > 0:
            entry["preview_rmse"] = preview_fit(encoder, cfg["spatial_factor"], clips=args.preview_clips)[2]
        results.append(entry)

    print(f"round trip decode(encode(clip)), {args.clips} clips per set, {args.world} world")
    print("| latent | clips | PSNR | background | object | shape | motion | bar |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for entry in results:
        for set_name, r in entry["sets"].items():
            print(f"| {entry['name']} | {set_name} | {r['psnr']:.1f} dB | "
                  + " | ".join(f"{r[c]:.3f}" for c in COLUMNS[1:]) + " |")
    print("\nnormalized latent on seen clips (per channel), preview fit RMSE (RGB, latent resolution)")
    for entry in results:
        s = entry["statistics"]
        preview = f", preview RMSE {entry['preview_rmse']:.4f}" if "preview_rmse" in entry else ""
        print(f"{entry['name']} ({entry['kind']}): mean {[round(x, 3) for x in s['mean']]}, "
              f"std {[round(x, 3) for x in s['std']]}{preview}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"clips": args.clips, "world": args.world, "latents": results}, f, indent=1)


if __name__ == "__main__":
    main()

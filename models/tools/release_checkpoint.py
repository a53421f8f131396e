"""Write the committable copy of a denoiser checkpoint (checkpoint.released): EMA weights, no optimizer state.

    /usr/bin/python3 models/tools/release_checkpoint.py --ckpt models/runs/v2-denoiser.pt [--out models/checkpoints/shapes-tiny-v2.pt]
"""
import argparse
import os

import torch

import checkpoint as ckpt_lib

MODELS = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_OUT = os.path.join(MODELS, "checkpoints", "shapes-tiny-v2.pt")


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--ckpt", required=True, help="a train.py checkpoint")
    ap.add_argument("--out", default=DEFAULT_OUT)
    args = ap.parse_args()
    ck = torch.load(args.ckpt, map_location="cpu")
    if ck.get("format") != ckpt_lib.FORMAT_TAG:
        raise SystemExit(f"release_checkpoint: {args.ckpt} is not a denoiser checkpoint (format {ck.get('format')!r})")
    ckpt_lib.save_atomic(ckpt_lib.released(ck), args.out)
    print(f"release_checkpoint: {args.out} ({os.path.getsize(args.out) / 1e6:.1f} MB) from step {ck['step']}")


if __name__ == "__main__":
    main()

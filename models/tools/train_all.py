"""Everything from scratch, reproducibly: `npm run model:train` (= /usr/bin/python3 models/tools/train_all.py).

Stage 1 fits the PCA latent and trains the decoder; stage 2 trains the denoiser + text encoder; stage 3
exports models/shapes-tiny/ and evaluates it. Fixed seeds and step counts. `--resume` continues stage 2 from
the checkpoint kept in the repo (models/checkpoints/shapes-tiny.pt) up to --steps, then exports.
"""
import argparse
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
MODELS = os.path.dirname(HERE)
RUNS = os.path.join(MODELS, "runs")
CKPT = os.path.join(MODELS, "checkpoints", "shapes-tiny.pt")
DECODER_STEPS = 1200
DENOISER_STEPS = 5000


def run(args):
    print("+", " ".join(args), flush=True)
    env = dict(os.environ, OMP_WAIT_POLICY="PASSIVE")
    subprocess.run([sys.executable] + args, check=True, env=env)


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--resume", action="store_true")
    ap.add_argument("--steps", type=int, default=DENOISER_STEPS)
    ap.add_argument("--ckpt", default=CKPT)
    args = ap.parse_args()
    os.makedirs(RUNS, exist_ok=True)
    started = time.time()
    if not args.resume:
        decoder = os.path.join(RUNS, "decoder.pt")
        run([os.path.join(HERE, "train_decoder.py"), "--out", decoder, "--steps", str(DECODER_STEPS)])
        run([os.path.join(HERE, "train.py"), "--decoder", decoder, "--ckpt", args.ckpt, "--steps", str(args.steps)])
    else:
        run([os.path.join(HERE, "train.py"), "--resume", "--ckpt", args.ckpt, "--steps", str(args.steps)])
    run([os.path.join(HERE, "export_package.py"), "--checkpoint", args.ckpt])
    run([os.path.join(HERE, "evaluate.py"), "--ckpt", args.ckpt, "--lpl",
         "--grid", os.path.join(RUNS, "samples-held-out.png")])
    print(f"train_all: done in {(time.time() - started) / 60:.1f} min", flush=True)


if __name__ == "__main__":
    main()

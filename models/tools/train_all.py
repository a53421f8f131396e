"""Everything from scratch, reproducibly: `npm run model:train` (= /usr/bin/python3 models/tools/train_all.py).

Stage 1 fits the PCA latent and trains the decoder; stage 2 trains the denoiser + text encoder in the phases
below; stage 3 exports models/shapes-tiny/ and evaluates it. Fixed seeds and step counts.

By default only the first phase runs (the ~90-minute CPU recipe). The shipped package comes from all phases
(`--through centred`); `--resume` starts from the checkpoint kept in the repo and runs the phases it has
not finished yet (a checkpoint records the phases that built it).
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

# Each phase is one train.py command; `stop` is the step it ends at (its cosine runs to `steps`).
# The first three phases ran before the denoiser had its temporal pos-emb (config
# temporal_pos_embed_frames), so they run without it; all but the last used the first ("wide") world.
PHASES = (
    {"name": "base", "stop": 3600, "args": ["--steps", "3600", "--lr", "8e-4", "--without-temporal-pos", "--world", "wide"]},
    {"name": "continue", "stop": 4654,
     "args": ["--steps", "9000", "--lr", "3e-4", "--without-temporal-pos", "--world", "wide"]},
    {"name": "high-noise", "stop": 5511,
     "args": ["--steps", "9200", "--lr", "4e-4", "--warmup", "50", "--schedule-from", "4654", "--tau-shift", "3",
              "--without-temporal-pos", "--world", "wide"]},
    {"name": "temporal-pos", "stop": 5949,
     "args": ["--steps", "10300", "--lr", "4e-4", "--warmup", "100", "--schedule-from", "5511", "--tau-shift", "3",
              "--world", "wide"]},
    {"name": "caption-motion", "stop": 6892,
     "args": ["--steps", "10300", "--lr", "4e-4", "--warmup", "50", "--schedule-from", "5949", "--tau-shift", "3",
              "--high-noise-frac", "0.4", "--high-noise-min", "0.85", "--world", "wide"]},
    {"name": "centred", "stop": 11300,
     "args": ["--steps", "11300", "--lr", "4e-4", "--warmup", "20", "--schedule-from", "6892", "--tau-shift", "3",
              "--high-noise-frac", "0.4", "--high-noise-min", "0.85", "--world", "centred"]},
)


def run(args):
    print("+", " ".join(args), flush=True)
    env = dict(os.environ, OMP_WAIT_POLICY="PASSIVE")
    subprocess.run([sys.executable] + args, check=True, env=env)


def checkpoint_step(path):
    import torch
    return torch.load(path, map_location="cpu")["step"] if os.path.exists(path) else 0


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--resume", action="store_true", help="continue from --ckpt instead of starting over")
    ap.add_argument("--through", default=PHASES[0]["name"], choices=[p["name"] for p in PHASES],
                    help="last phase to run")
    ap.add_argument("--ckpt", default=CKPT)
    args = ap.parse_args()
    os.makedirs(RUNS, exist_ok=True)
    started = time.time()
    step = 0
    if args.resume:
        step = checkpoint_step(args.ckpt)
    else:
        decoder = os.path.join(RUNS, "decoder.pt")
        run([os.path.join(HERE, "train_decoder.py"), "--out", decoder, "--steps", str(DECODER_STEPS)])
    last = [p["name"] for p in PHASES].index(args.through)
    for phase in PHASES[:last + 1]:
        if step >= phase["stop"]:
            continue
        start = ["--resume"] if step > 0 else ["--decoder", os.path.join(RUNS, "decoder.pt")]
        run([os.path.join(HERE, "train.py"), "--ckpt", args.ckpt, *start, *phase["args"],
             "--stop-at-step", str(phase["stop"])])
        step = phase["stop"]
    run([os.path.join(HERE, "export_package.py"), "--checkpoint", args.ckpt])
    run([os.path.join(HERE, "evaluate.py"), "--ckpt", args.ckpt, "--lpl",
         "--grid", os.path.join(RUNS, "samples-held-out.png")])
    print(f"train_all: done in {(time.time() - started) / 60:.1f} min", flush=True)


if __name__ == "__main__":
    main()

"""Everything from scratch, reproducibly: `npm run model:train` (= /usr/bin/python3 models/tools/train_all.py).

Recipe v2, the default and the shipped package's (models/README.md "Training recipe"): one latent run in two phases (the PCA latent with a
decoder trained on the judge-mask and extent losses; once the denoiser is finished, also on random colour
pairs and on the denoiser's own samples), beside it one
denoiser + text encoder run with every lesson of v1 from step 0 (temporal pos-emb, timestep shift 3, 30 %
high-noise and 20 % uniform-τ batches, the preconditioned x0 head, the centred world) in the five phases of
V2["denoiser_phases"] (the last three with rounded-outline inputs, the last two with faint outlines drawn more
often), then the sampler sweep, export and evaluation.
Each stage resumes from its checkpoint in models/runs/ when run again, so `--stop-after-minutes` can split it
over sessions.
`--device cuda|mps` trains on a GPU.

`--recipe v1`, the previous package's recipe (its checkpoint, checkpoints/shapes-tiny.pt, holds the PCA fit
that v2's latent run starts from):

Stage 1 fits the PCA latent and trains the decoder; stage 2 trains the denoiser + text encoder in the phases
below; stage 3 exports models/shapes-tiny/ and evaluates it. Fixed seeds and step counts.

v1 runs its first phase only unless `--through` names a later one (all phases: `--through centred`); `--resume` starts from the checkpoint kept in the repo and runs the phases it has
not finished yet (a checkpoint records the phases that built it).
"""
import argparse
import os
import subprocess
import sys
import time

import devices

HERE = os.path.dirname(os.path.abspath(__file__))
MODELS = os.path.dirname(HERE)
RUNS = os.path.join(MODELS, "runs")
CKPT = os.path.join(MODELS, "checkpoints", "shapes-tiny.pt")
DECODER_STEPS = 1200

# Each phase is one train.py command; `stop` is the step it ends at (its cosine runs to `steps`).
# The first three phases ran before the denoiser had its temporal pos-emb (config
# temporal_pos_embed_frames), so they run without it; all but the last used the first ("wide") world.
PHASES = (
    {"name": "base", "stop": 3600, "args": ["--steps", "3600", "--lr", "8e-4", "--without-temporal-pos", "--world", "wide",
                                            "--prediction", "x0"]},
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


# Recipe v2: one latent run in two phases, one denoiser run in five phases (its cosine restarted twice), everything in place from step 0.
V2_DENOISER_ARGS = ["--warmup", "100", "--tau-shift", "3", "--high-noise-frac", "0.3", "--high-noise-min", "0.85",
                    "--uniform-frac", "0.2", "--prediction", "x0_skip", "--world", "centred"]
V2_EXTEND_STOP = 19000  # where the extend phase stops
V2_ROUND_STOP = 26058  # where the round phase stops and the faint-outline phase takes over
# The released weights where the round phase ends: the latent's second phase samples its own-latent bank from them.
V2_ROUND_SNAPSHOT = os.path.join(RUNS, "v2-denoiser-round.pt")
V2_ROUND_INPUTS = ["--round-input-frac", "0.3", "--round-sigma-px", "1.5,3.5"]
V2_ROUND_ARGS = ["--schedule-from", "9000", "--lr", "6e-4", *V2_DENOISER_ARGS, *V2_ROUND_INPUTS]
V2_FAINT_OUTLINES = ["--faint-outline-repeat", "3"]  # the faint phases' squares and triangles of faint pairs, 3x
V2 = {
    "latent": os.path.join(RUNS, "v2-latent.pt"),
    # The PCA latent and a decoder with one full-resolution residual block, trained on the judge-mask and extent
    # losses from step 0 (phase 1, a 14,000-step cosine, beside the denoiser run). Phase 2 resumes it on an
    # 18,000-step cosine once the denoiser is finished: 30 % of each batch repainted in random colour pairs, half
    # of them pairs the latent's structure component cannot see (held-out red on green is one), and a quarter of
    # each batch from the denoiser's own samples (tools/own_latents.py), as it was at the end of its round phase.
    "latent_args": ["--latent", "pca", "--lr", "2e-3", "--batch", "8", "--mask", "2", "--extent", "1",
                    "--decoder-full-res-blocks", "1"],
    "latent_phases": (
        {"name": "palette", "steps": 14000, "stop": 14000, "args": []},
        {"name": "unseen-edges-own-latents", "steps": 18000, "stop": 18000, "after_denoiser": True,
         "args": ["--random-colour-frac", "0.3", "--unseen-edge-frac", "0.5", "--own-latents",
                  V2_ROUND_SNAPSHOT, "--own-clips", "256", "--own-frac", "0.25"]},
    ),
    "denoiser": os.path.join(RUNS, "v2-denoiser.pt"),
    # Each phase is one train.py command that ends at `stop`; `--steps` is where its cosine ends. The second
    # phase restarts the cosine (peak 6e-4) towards 30,000 steps; the third goes on along the same cosine with
    # 30 % of each batch noised from a copy of the clip whose object has rounded corners (train.rounded_input);
    # the fourth runs the cosine out with the squares and triangles of faint pairs (train.faint_outline_draws: the
    # outlines the latent carries only as mixed cell colours, like held-out red on green) drawn 3 times as often;
    # the fifth goes on with the same data on a second restarted cosine (peak 3e-4, 4,000 steps): the fourth's
    # gain had come only in its low-learning-rate tail.
    "denoiser_phases": (
        {"name": "base", "stop": 9000, "args": ["--steps", "9000", "--lr", "8e-4", *V2_DENOISER_ARGS]},
        {"name": "extend", "stop": V2_EXTEND_STOP,
         "args": ["--steps", "30000", "--schedule-from", "9000", "--lr", "6e-4", *V2_DENOISER_ARGS]},
        {"name": "round", "stop": V2_ROUND_STOP, "snapshot": V2_ROUND_SNAPSHOT,
         "args": ["--steps", "30000", *V2_ROUND_ARGS]},
        {"name": "faint", "stop": 30000,
         "args": ["--steps", "30000", *V2_ROUND_ARGS, *V2_FAINT_OUTLINES]},
        {"name": "faint-restart", "stop": 34000,
         "args": ["--steps", "34000", "--schedule-from", "30000", "--lr", "3e-4", *V2_DENOISER_ARGS, *V2_ROUND_INPUTS,
                  *V2_FAINT_OUTLINES]},
    ),
}
V2_DENOISER_STEPS = V2["denoiser_phases"][-1]["stop"]


def run(args):
    print("+", " ".join(args), flush=True)
    env = dict(os.environ, OMP_WAIT_POLICY="PASSIVE")
    subprocess.run([sys.executable] + args, check=True, env=env)


def checkpoint_step(path):
    import torch
    return torch.load(path, map_location="cpu")["step"] if os.path.exists(path) else 0


def latent_stage(args, after_denoiser):
    """The latent run's phases before the denoiser is finished (after_denoiser False) or after it (True)."""
    step = checkpoint_step(V2["latent"])
    for phase in V2["latent_phases"]:
        if step >= phase["stop"] or phase.get("after_denoiser", False) != after_denoiser:
            continue
        resume = ["--resume"] if step > 0 else []
        run([os.path.join(HERE, "train_latent.py"), "--out", V2["latent"], "--steps", str(phase["steps"]),
             *V2["latent_args"], *phase["args"], "--stop-at-step", str(phase["stop"]), *resume, "--device", args.device])
        step = checkpoint_step(V2["latent"])
    run([os.path.join(HERE, "evaluate_latent.py"), "--latent", f"v2 latent={V2['latent']}", "--clips", "200"])


def denoiser_stage(args):
    """The denoiser reads only the latent's encoder (the PCA fit, fixed at the latent run's step 0), so this stage
    can start as soon as the latent run has written its first checkpoint, and run beside it."""
    step = checkpoint_step(V2["denoiser"])
    if step == 0:
        while not os.path.exists(V2["latent"]):
            print("train_all: waiting for the latent run's first checkpoint", flush=True)
            time.sleep(60)
    limit = ["--stop-after-minutes", str(args.stop_after_minutes)] if args.stop_after_minutes else []
    for phase in V2["denoiser_phases"]:
        if step >= phase["stop"]:
            continue
        start = ["--resume"] if step > 0 else ["--decoder", V2["latent"]]
        run([os.path.join(HERE, "train.py"), "--ckpt", V2["denoiser"], *start, *phase["args"],
             "--stop-at-step", str(phase["stop"]), *limit, "--device", args.device])
        step = checkpoint_step(V2["denoiser"])
        if step == phase["stop"] and "snapshot" in phase:
            run([os.path.join(HERE, "release_checkpoint.py"), "--ckpt", V2["denoiser"], "--out", phase["snapshot"]])
        if step < phase["stop"]:
            print(f"train_all: the denoiser stopped at step {step} of {V2_DENOISER_STEPS} (phase {phase['name']}); "
                  "run the same command again to go on", flush=True)
            return False
    return True


def finish_stage(args):
    """The finished latent's decoder goes into the denoiser checkpoint; the sampler sweep (seen prompts) picks the
    defaults; with --export they and the weights become models/shapes-tiny/ and the judge's tables (held-out and
    seen, with and without LPL) go to models/docs/; without it, to models/runs/."""
    run([os.path.join(HERE, "swap_decoder.py"), "--ckpt", V2["denoiser"], "--decoder", V2["latent"]])
    out = os.path.join(MODELS, "docs") if args.export else RUNS
    run([os.path.join(HERE, "sweep_sampler.py"), "--ckpt", V2["denoiser"], "--json", os.path.join(out, "sweep-seen.json"),
         *(["--write-defaults"] if args.export else [])])
    if args.export:
        run([os.path.join(HERE, "export_package.py"), "--checkpoint", V2["denoiser"]])
    for prompt_set in ("held-out", "seen"):
        run([os.path.join(HERE, "evaluate.py"), "--ckpt", V2["denoiser"], "--lpl", "--set", prompt_set,
             "--json", os.path.join(out, f"eval-{prompt_set}.json"),
             "--grid", os.path.join(out, f"samples-{prompt_set}.png")])


def recipe_v2(args):
    started = time.time()
    stages = ("latent", "denoiser", "finish") if args.stage == "all" else (args.stage,)
    if "latent" in stages:
        latent_stage(args, after_denoiser=False)
    if "denoiser" in stages and not denoiser_stage(args):
        return
    if "finish" in stages:
        before = [p["stop"] for p in V2["latent_phases"] if not p.get("after_denoiser")]
        if checkpoint_step(V2["latent"]) < max(before):
            raise SystemExit("train_all: the latent run's first phase has not finished; run --stage latent first")
        if checkpoint_step(V2["denoiser"]) < V2_DENOISER_STEPS:
            raise SystemExit("train_all: the denoiser run has not finished; run --stage denoiser first")
        if checkpoint_step(V2["latent"]) < V2["latent_phases"][-1]["stop"] and not os.path.exists(V2_ROUND_SNAPSHOT):
            raise SystemExit(f"train_all: {V2_ROUND_SNAPSHOT} (the denoiser at the end of its round phase) is missing")
        latent_stage(args, after_denoiser=True)
        finish_stage(args)
    print(f"train_all: recipe v2 ({', '.join(stages)}) done in {(time.time() - started) / 60:.1f} min", flush=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--recipe", default="v2", choices=("v1", "v2"))
    ap.add_argument("--stage", default="all", choices=("all", "latent", "denoiser", "finish"),
                    help="v2: one stage only (latent and denoiser can run side by side, one core each)")
    ap.add_argument("--stop-after-minutes", type=float, default=None, help="v2: stop the denoiser stage early")
    ap.add_argument("--export", action="store_true", help="v2: write models/shapes-tiny from the finished run")
    devices.add_device_argument(ap)
    ap.add_argument("--resume", action="store_true", help="continue from --ckpt instead of starting over")
    ap.add_argument("--through", default=PHASES[0]["name"], choices=[p["name"] for p in PHASES],
                    help="last phase to run")
    ap.add_argument("--ckpt", default=CKPT)
    args = ap.parse_args()
    os.makedirs(RUNS, exist_ok=True)
    if args.recipe == "v2":
        recipe_v2(args)
        return
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

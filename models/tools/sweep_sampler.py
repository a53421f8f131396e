"""Sampler sweep: judge a checkpoint at several step counts and CFG scales, and name the best setting.

    sweep_sampler.py --ckpt models/runs/v2-denoiser.pt [--steps 20,30,40] [--cfg 1,1.5,2,3,4] [--prompts 48]
                     [--json OUT] [--write-defaults]

Chosen on the *seen* prompt set (training combinations, fresh noise), so the held-out prompts that report the
model's quality play no part in choosing its defaults. Score = the mean of the four judged attributes
(background, object colour, shape, motion); among settings within 0.01 of the best, the fewest steps, then the
lowest CFG (cheaper and less saturated). --write-defaults puts the winner into config/clip.json (the package's
sampler defaults, which the studio uses).
"""
import argparse
import json
import os
import time

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
import torch  # noqa: E402

import data  # noqa: E402
import evaluate  # noqa: E402
import export_package  # noqa: E402
import scorer  # noqa: E402

ATTRIBUTES = scorer.ATTRIBUTES
TIE_MARGIN = 0.01


def number_list(kind):
    def parse(text):
        try:
            values = [kind(v) for v in text.split(",") if v.strip()]
        except ValueError as err:
            raise argparse.ArgumentTypeError(f"not a comma-separated list of numbers: {text!r}") from err
        if not values or any(v <= 0 for v in values):
            raise argparse.ArgumentTypeError(f"want positive numbers, got {text!r}")
        return values
    return parse


def pick_best(rows):
    """rows: [{steps, cfg, score, ...}] -> the chosen row (see the module docstring)."""
    top = max(r["score"] for r in rows)
    close = [r for r in rows if r["score"] >= top - TIE_MARGIN]
    return min(close, key=lambda r: (r["steps"], r["cfg"]))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--ckpt", default=export_package.DEFAULT_CKPT)
    ap.add_argument("--steps", type=number_list(int), default=[20, 30, 40])
    ap.add_argument("--cfg", type=number_list(float), default=[1.0, 1.5, 2.0, 3.0, 4.0])
    ap.add_argument("--prompts", type=int, default=48)
    ap.add_argument("--seed", type=int, default=300)
    ap.add_argument("--json", default=None)
    ap.add_argument("--write-defaults", action="store_true", help="write the winner into config/clip.json")
    args = ap.parse_args()
    torch.set_num_threads(1)
    ck, cfgs, modules = evaluate.load_checkpoint(args.ckpt)
    combos, prompts = data.evaluation_prompts("seen", args.prompts)
    rows = []
    for steps in args.steps:
        for cfg in args.cfg:
            started = time.time()
            _, acc, _ = evaluate.run(modules, cfgs, combos, prompts, steps, cfg, None, args.seed)
            row = {"steps": steps, "cfg": cfg, **{a: round(acc[a], 3) for a in ATTRIBUTES},
                   "score": round(sum(acc[a] for a in ATTRIBUTES) / len(ATTRIBUTES), 4),
                   "seconds": round(time.time() - started, 1)}
            rows.append(row)
            print(json.dumps(row), flush=True)
    best = pick_best(rows)
    print(f"\nsweep on {len(prompts)} seen prompts, checkpoint step {ck.get('step')}")
    print("| steps | CFG | background | object | shape | motion | mean |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for r in rows:
        mark = " **best**" if r is best else ""
        print(f"| {r['steps']} | {r['cfg']:g} | " + " | ".join(f"{r[a]:.3f}" for a in ATTRIBUTES)
              + f" | {r['score']:.3f}{mark} |")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"checkpoint_step": ck.get("step"), "set": "seen", "prompts": len(prompts), "rows": rows,
                       "best": best}, f, indent=1)
    if args.write_defaults:
        path = os.path.join(export_package.CONFIG_DIR, "clip.json")
        with open(path) as f:
            clip = json.load(f)
        clip["sampler_steps"], clip["cfg_scale"] = best["steps"], best["cfg"]
        with open(path, "w") as f:
            json.dump(clip, f, indent=2)
            f.write("\n")
        print(f"sweep: wrote steps {best['steps']}, CFG {best['cfg']:g} into {path}")


if __name__ == "__main__":
    main()

"""Where a checkpoint loses the shape it is asked for (issue 13): three measurements on the same prompts.

    probe_shape.py --ckpt models/runs/v2-denoiser.pt [--set seen] [--prompts 48] [--from-tau 0.3,0.5,0.7,0.9]
                   [--x0-tau 0.05,0.1,0.2,0.3,0.5,0.7] [--json OUT]

- sampled: the package's sampler from pure noise; accuracy, the confusion of asked and judged shape, and the median
  bounding-box fill ratio per asked shape (the judge's shape measure: square ≥ 0.88, circle ≥ 0.64), next to the
  same for each prompt's own ground-truth clip.
- from_tau: each prompt's ground-truth clip, encoded, noised to τ0 and sampled from there with the same sampler
  (SDEdit, arXiv 2108.01073): the lowest τ0 at which the shape is lost is where the network decides outlines.
- x0_at_tau: one denoiser call on the clip noised to τ: its x0 prediction's MSE and the shape it keeps.
Prompt set and noise are deterministic; EMA weights; the sampler defaults of config/clip.json.
"""
import argparse
import collections
import json
import os
import random

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
import numpy as np  # noqa: E402
import torch  # noqa: E402

import checkpoint as ckpt_lib  # noqa: E402
import data  # noqa: E402
import evaluate  # noqa: E402
import export_package  # noqa: E402
import sampler  # noqa: E402
import scorer  # noqa: E402
import stdit3  # noqa: E402
import sweep_sampler  # noqa: E402
from text_encoder import WordTokenizer  # noqa: E402


def shape_report(videos, combos):
    acc, verdicts = scorer.score(videos, combos)
    ratios = collections.defaultdict(list)
    for video, combo in zip(videos, combos):
        r = scorer.fill_ratio(*scorer.object_mask(video)[2:])
        if r is not None:
            ratios[combo[1]].append(r)
    confusion = collections.Counter(f"{c[1]}->{v['shape']}" for c, v in zip(combos, verdicts))
    return {"accuracy": {k: round(v, 3) for k, v in acc.items()}, "confusion": dict(sorted(confusion.items())),
            "median_fill_ratio": {k: round(float(np.median(v)), 3) for k, v in sorted(ratios.items())}}


@torch.no_grad()
def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--ckpt", default=export_package.DEFAULT_CKPT)
    ap.add_argument("--set", default="seen", choices=["held-out", "seen"])
    ap.add_argument("--prompts", type=int, default=48)
    ap.add_argument("--from-tau", type=sweep_sampler.number_list(float), default=[0.3, 0.5, 0.7, 0.9])
    ap.add_argument("--x0-tau", type=sweep_sampler.number_list(float), default=[0.05, 0.1, 0.2, 0.3, 0.5, 0.7])
    ap.add_argument("--seed", type=int, default=100)
    ap.add_argument("--json", default=None)
    args = ap.parse_args()
    if any(t > 1 for t in args.from_tau + args.x0_tau):
        raise SystemExit("probe_shape: τ values must lie in (0, 1]")
    torch.set_num_threads(1)
    ck, cfgs, modules = evaluate.load_checkpoint(args.ckpt)
    clip = cfgs["clip"]
    steps, cfg_scale = clip["sampler_steps"], clip["cfg_scale"]
    combos, prompts = data.evaluation_prompts(args.set, args.prompts)
    report = {"checkpoint_step": ck.get("step"), "set": args.set, "prompts": len(prompts), "steps": steps, "cfg": cfg_scale}

    truth = np.stack([data.render(*c, random.Random(args.seed + i)) for i, c in enumerate(combos)])
    report["ground_truth"] = shape_report(truth, combos)
    videos, _, _ = evaluate.run(modules, cfgs, combos, prompts, steps, cfg_scale, None, args.seed)
    report["sampled"] = shape_report(videos, combos)
    print(json.dumps({k: report[k] for k in ("ground_truth", "sampled")}), flush=True)

    z0 = modules["encoder"](torch.from_numpy(truth))
    tok = WordTokenizer(ckpt_lib.vocab_words(), cfgs["text"]["max_tokens"])
    noise = torch.randn(z0.shape, generator=torch.Generator().manual_seed(args.seed))
    report["from_tau"] = {}
    for tau0 in args.from_tau:
        z = sampler.sample(modules["denoiser"], modules["text"], tok, prompts, tuple(z0.shape[1:]), steps=steps,
                           cfg_scale=cfg_scale, fps=clip["fps"], transform=clip["timestep_transform"],
                           clip_px=(clip["height"], clip["width"]), start_latent=(1 - tau0) * z0 + tau0 * noise,
                           start_tau=tau0)
        report["from_tau"][str(tau0)] = shape_report(modules["decoder"](z).numpy(), combos)
        print(json.dumps({"from_tau": tau0, **report["from_tau"][str(tau0)]}), flush=True)

    model = modules["denoiser"]
    y, mask = sampler.encode_prompts(modules["text"], tok, prompts)
    n, _, t, h, w = z0.shape
    extras = (y, stdit3.caption_bias(mask), torch.full((n,), float(clip["fps"])),
              stdit3.pos_embed_for_clip(model.cfg, h, w, clip["height"], clip["width"]), *stdit3.rope_tables(model.head_dim, t))
    report["x0_at_tau"] = {}
    for tau in args.x0_tau:
        x0 = model.predict_x0((1 - tau) * z0 + tau * noise, torch.full((n,), 1000.0 * tau), *extras)
        row = {"x0_mse": round(float((x0 - z0).pow(2).mean()), 5), **shape_report(modules["decoder"](x0).numpy(), combos)}
        report["x0_at_tau"][str(tau)] = row
        print(json.dumps({"x0_at_tau": tau, **row}), flush=True)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(report, f, indent=1)


if __name__ == "__main__":
    main()

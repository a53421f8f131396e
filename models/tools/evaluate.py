"""Judge a checkpoint: sample prompts with the reference sampler, decode, score per attribute, write a PNG grid.

    evaluate.py --ckpt models/checkpoints/shapes-tiny.pt [--prompts 48] [--lpl] [--grid out.png] [--json out.json]
Held-out prompts: one per held-out combination family, deterministic. Uses EMA weights and the clip.json
sampler defaults unless --steps / --cfg are given.
"""
import argparse
import json
import os
import time

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
import numpy as np  # noqa: E402
import torch  # noqa: E402
from PIL import Image  # noqa: E402

import checkpoint as ckpt_lib  # noqa: E402
import data  # noqa: E402
import export_package  # noqa: E402
import sampler  # noqa: E402
import scorer  # noqa: E402
from text_encoder import WordTokenizer  # noqa: E402


def save_grid(videos, path, every=2, scale=3):
    """Rows = clips, columns = every `every`-th frame; videos [N, 3, F, H, W] in [-1, 1]."""
    v = ((np.clip(videos, -1, 1) + 1) * 127.5).astype(np.uint8)
    n, _, f, h, w = v.shape
    cols = list(range(0, f, every))
    grid = np.full((n * (h + 2), len(cols) * (w + 2), 3), 255, dtype=np.uint8)
    for i in range(n):
        for j, k in enumerate(cols):
            grid[i * (h + 2):i * (h + 2) + h, j * (w + 2):j * (w + 2) + w] = v[i, :, k].transpose(1, 2, 0)
    Image.fromarray(grid).resize((grid.shape[1] * scale, grid.shape[0] * scale), Image.NEAREST).save(path)


@torch.no_grad()
def run(modules, cfgs, combos, prompts, steps, cfg_scale, leap_at, seed, batch=16):
    clip = cfgs["clip"]
    f = cfgs["decoder"]["spatial_factor"]
    tok = WordTokenizer(ckpt_lib.vocab_words(), cfgs["text"]["max_tokens"])
    shape = (cfgs["denoiser"]["in_channels"], clip["frames"] // cfgs["decoder"]["temporal_factor"],
             clip["height"] // f, clip["width"] // f)
    videos = []
    for i in range(0, len(prompts), batch):
        z = sampler.sample(modules["denoiser"], modules["text"], tok, prompts[i:i + batch], shape, steps=steps,
                           cfg_scale=cfg_scale, fps=clip["fps"], transform=clip["timestep_transform"],
                           seed=seed + i, leap_at=leap_at, clip_px=(clip["height"], clip["width"]))
        videos.append(modules["decoder"](z))
    videos = torch.cat(videos).numpy()
    acc, verdicts = scorer.score(videos, combos)
    return videos, acc, verdicts


def load_checkpoint(path, raw=False):
    """-> (checkpoint, configs it was trained with, modules in eval mode with its EMA weights, or raw ones)."""
    ck = torch.load(path, map_location="cpu")
    cfgs = ckpt_lib.configs_for(ck, export_package.read_configs())
    modules = ckpt_lib.build_modules(cfgs)
    ckpt_lib.load_into(modules, {c: ck[c] for c in ckpt_lib.COMPONENTS} if raw else ckpt_lib.weights_for_export(ck))
    for m in modules.values():
        m.eval()
    return ck, cfgs, modules


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ckpt", default=export_package.DEFAULT_CKPT)
    ap.add_argument("--prompts", type=int, default=48)
    ap.add_argument("--set", default="held-out", choices=["held-out", "seen"])
    ap.add_argument("--steps", type=int, default=None)
    ap.add_argument("--cfg", type=float, default=None)
    ap.add_argument("--shift", type=float, default=None, help="override: fixed timestep shift r")
    ap.add_argument("--lpl", action="store_true", help="also evaluate with the LPL leap at step steps/2")
    ap.add_argument("--raw", action="store_true", help="raw weights instead of EMA")
    ap.add_argument("--grid", default=None)
    ap.add_argument("--json", default=None)
    ap.add_argument("--seed", type=int, default=100)
    ap.add_argument("--data-grid", default=None, help="only write a grid of 16 training clips (and captions) here")
    args = ap.parse_args()
    torch.set_num_threads(1)
    if args.data_grid:
        videos, captions, _ = data.batch(2024, 0, 16, data.train_combinations())
        save_grid(videos, args.data_grid)
        with open(os.path.splitext(args.data_grid)[0] + ".txt", "w") as f:
            f.write("\n".join(captions) + "\n")
        return
    ck, cfgs, modules = load_checkpoint(args.ckpt, raw=args.raw)
    steps = args.steps or cfgs["clip"]["sampler_steps"]
    cfg_scale = args.cfg if args.cfg is not None else cfgs["clip"]["cfg_scale"]
    if args.shift is not None:
        cfgs["clip"]["timestep_transform"] = {"kind": "fixed", "shift": args.shift}
    combos, prompts = data.evaluation_prompts(args.set, args.prompts)
    report = {"checkpoint_step": ck.get("step"), "set": args.set, "prompts": len(prompts), "steps": steps,
              "cfg": cfg_scale,
              "transform": cfgs["clip"]["timestep_transform"]}
    t0 = time.time()
    videos, acc, verdicts = run(modules, cfgs, combos, prompts, steps, cfg_scale, None, args.seed)
    report["full"] = {k: round(v, 3) for k, v in acc.items()}
    report["full_seconds"] = round(time.time() - t0, 1)
    if args.lpl:
        _, acc_lpl, _ = run(modules, cfgs, combos, prompts, steps, cfg_scale, steps // 2, args.seed)
        report["lpl_leap_at"] = steps // 2
        report["lpl"] = {k: round(v, 3) for k, v in acc_lpl.items()}
    print(json.dumps(report))
    if args.grid:
        save_grid(videos[:16], args.grid)
        with open(os.path.splitext(args.grid)[0] + ".txt", "w") as f:
            for p, v in zip(prompts[:16], verdicts[:16]):
                f.write(f"{p}\t-> {v}\n")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(report, f, indent=1)


if __name__ == "__main__":
    main()

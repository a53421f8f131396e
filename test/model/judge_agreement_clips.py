"""Clips for test/model/judgeAgreement.test.ts: both judges (models/tools/scorer.py via judge_frames.py, and
test/engine/shipped/judge.ts) must give the same verdict on each.

    judge_agreement_clips.py OUT_DIR   -> writes OUT_DIR/NAME.rgba and OUT_DIR/index.json (judge_frames.py's
                                          index, each clip with a "group" naming how it was made)
    judge_agreement_clips.py --vocabulary -> prints data.py's colours (float32), shapes and motions as JSON

Groups: every combination of data.py's world rendered once ("world"); random ones from the first, wide world
("wide"); longer and larger clips ("long"); and clips degraded so that verdicts sit near the judge's thresholds
or fail ("noisy", "blurred", "dropped", "off-palette", "tiny", "empty", "threshold-edge", "noise").
"""
import json
import os
import random
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "models", "tools"))
import data  # noqa: E402

SEED = 9_2026
BYTES = np.arange(256)
UNIT32 = ((BYTES.astype(np.float32) / np.float32(127.5) - np.float32(1)) + np.float32(1)) / np.float32(2)
UNIT64 = ((BYTES / 127.5 - 1) + 1) / 2


def to_rgba(video):
    """[3, F, H, W] in [-1, 1] (mapped as the engine saves frames) or bytes [F, H, W, 3] -> RGBA [F, H, W, 4]."""
    if video.dtype == np.uint8:
        rgb = video
    else:
        unit = (np.clip(np.asarray(video, dtype=np.float32), -1, 1) + 1) / 2
        rgb = np.floor(unit * 255 + 0.5).astype(np.uint8).transpose(1, 2, 3, 0)
    alpha = np.full(rgb.shape[:3] + (1,), 255, dtype=np.uint8)
    return np.concatenate([rgb, alpha], axis=3)


def degrade(kind, video, rng):
    frames = video.shape[1]
    if kind == "noisy":
        return video + rng.normal(0, rng.choice([0.05, 0.15, 0.3, 0.5]), video.shape).astype(np.float32)
    if kind == "blurred":
        padded = np.pad(video, ((0, 0), (0, 0), (1, 1), (1, 1)), mode="edge")
        box = sum(padded[:, :, dy:dy + video.shape[2], dx:dx + video.shape[3]] for dy in range(3) for dx in range(3)) / 9
        return box if rng.random() < 0.5 else box * 0.7  # also darker, so the background drifts between colours
    if kind == "dropped":  # the object vanishes from some frames (the border median stays the background)
        out = video.copy()
        background = np.median(video[:, :, 0, :], axis=(1, 2))
        for f in rng.choice(frames, size=int(rng.integers(1, frames)), replace=False):
            out[:, f] = background[:, None, None]
        return out
    if kind == "off-palette":  # every pixel pulled towards another colour: object and background between names
        shift = rng.uniform(-0.6, 0.6, size=(3, 1, 1, 1)).astype(np.float32)
        return video + shift
    raise ValueError(kind)


def edge_colours(background, count, rng):
    """Byte colours whose distance to the background median `background` (3 values, the last between two bytes)
    is 0.3 within float32 rounding: the judges (float32, as numpy computes) call them object pixels and a float64
    judge would not, or the other way round."""
    b0, b1, x = background
    m32 = [UNIT32[b0], UNIT32[b1], (UNIT32[x] + UNIT32[x + 1]) / np.float32(2)]
    m64 = [UNIT64[b0], UNIT64[b1], (UNIT64[x] + UNIT64[x + 1]) / 2]
    g1, g2 = np.meshgrid(BYTES, BYTES, indexing="ij")
    found = []
    for p0 in BYTES:
        d32 = np.sqrt((UNIT32[p0] - m32[0]) ** 2 + (UNIT32[g1] - m32[1]) ** 2 + (UNIT32[g2] - m32[2]) ** 2)
        d64 = np.sqrt((UNIT64[p0] - m64[0]) ** 2 + (UNIT64[g1] - m64[1]) ** 2 + (UNIT64[g2] - m64[2]) ** 2)
        hits = np.nonzero((d32 > np.float32(0.3)) != (d64 > 0.3))
        found += [(int(p0), int(g1[i, j]), int(g2[i, j])) for i, j in zip(*hits)]
    return [found[k] for k in rng.choice(len(found), size=min(count, len(found)), replace=False)]


def edge_clip(background, colour, shape, motion, rng):
    """A hard-edged shape of `colour` on a checkerboard of two backgrounds one byte apart in blue (the border
    median falls between them)."""
    frames, size = data.FRAMES, data.SIZE_PX
    rgb = np.empty((frames, size, size, 3), dtype=np.uint8)
    rgb[...] = background
    checker = (np.add.outer(np.arange(size), np.arange(size)) % 2).astype(np.uint8)
    rgb[..., 2] += checker[None]
    inside = data.shape_masks(shape, data.trajectory(motion, rng)) > 0.5
    rgb[inside] = colour
    return rgb


def clips():
    rng = random.Random(SEED)
    nrng = np.random.default_rng(SEED)
    combos = data.all_combinations()
    for i, combo in enumerate(combos):
        yield "world", combo, data.render(*combo, rng)
    for i in range(120):
        combo = combos[rng.randrange(len(combos))]
        yield "wide", combo, data.render(*combo, rng, world="wide")
    for frames, size in ((41, 32), (45, 32), (64, 32), (24, 48), (16, 20), (9, 32)):
        for i in range(8):
            combo = combos[rng.randrange(len(combos))]
            yield "long", combo, data.render(*combo, rng, frames=frames, size=size)
    for kind in ("noisy", "blurred", "dropped", "off-palette"):
        for i in range(80):
            combo = combos[rng.randrange(len(combos))]
            yield kind, combo, degrade(kind, data.render(*combo, rng), nrng)
    for i in range(24):  # a shape too small to classify (fewer than 6 pixels) or to see at all
        fg, shape, motion, bg = combos[rng.randrange(len(combos))]
        fg_rgb = np.array(data.COLOURS[fg], dtype=np.float32).reshape(3, 1, 1, 1)
        bg_rgb = np.array(data.COLOURS[bg], dtype=np.float32).reshape(3, 1, 1, 1)
        path = [(cx, cy, rng.uniform(0.6, 1.6)) for cx, cy, _ in data.trajectory(motion, rng)]
        m = data.shape_masks(shape, path)[None]
        yield "tiny", (fg, shape, motion, bg), (bg_rgb * (1 - m) + fg_rgb * m) * 2 - 1
    for i in range(12):
        fg, shape, motion, bg = combos[rng.randrange(len(combos))]
        rgb = np.array(data.COLOURS[bg], dtype=np.float32).reshape(3, 1, 1, 1)
        yield "empty", (fg, shape, motion, bg), np.broadcast_to(rgb * 2 - 1, (3, data.FRAMES, data.SIZE_PX, data.SIZE_PX))
    for background in ((128, 128, 100), (60, 200, 30), (10, 10, 10), (240, 20, 20), (128, 64, 200), (230, 230, 20)):
        for colour in edge_colours(background, 4, nrng):
            fg, shape, motion, bg = combos[rng.randrange(len(combos))]
            yield "threshold-edge", (fg, shape, motion, bg), edge_clip(background, colour, shape, motion, rng)
    for i in range(16):
        combo = combos[rng.randrange(len(combos))]
        yield "noise", combo, nrng.uniform(-1, 1, (3, data.FRAMES, data.SIZE_PX, data.SIZE_PX)).astype(np.float32)


def main():
    if sys.argv[1] == "--vocabulary":
        colours = {name: [float(v) for v in np.array(rgb, dtype=np.float32)] for name, rgb in data.COLOURS.items()}
        print(json.dumps({"colours": colours, "shapes": list(data.SHAPES), "motions": list(data.MOTIONS)}))
        return
    out_dir = sys.argv[1]
    os.makedirs(out_dir, exist_ok=True)
    index = []
    for n, (group, combo, video) in enumerate(clips()):
        rgba = to_rgba(video)
        name = f"{group}-{n:04d}.rgba"
        rgba.tofile(os.path.join(out_dir, name))
        frames, height, width, _ = rgba.shape
        index.append({"file": name, "frames": frames, "height": height, "width": width, "combo": list(combo), "group": group})
    with open(os.path.join(out_dir, "index.json"), "w") as f:
        json.dump({"clips": index}, f)


if __name__ == "__main__":
    main()

"""Deterministic "shapes in motion" world: one coloured shape moving on a plain background, with captions.

Clip = float32 [3, FRAMES, SIZE_PX, SIZE_PX] in [-1, 1]. Everything follows from (seed, index), so any clip
can be regenerated. Held-out combinations never appear in training (see is_held_out).
"""
import math
import random

import numpy as np

from words import prompt_words

FRAMES = 16
SIZE_PX = 32
FPS = 8

# RGB in [0, 1]; far apart so the judge can tell them apart after decoding.
COLOURS = {
    "red": (0.9, 0.1, 0.1),
    "green": (0.1, 0.8, 0.1),
    "blue": (0.15, 0.25, 0.95),
    "yellow": (0.95, 0.9, 0.1),
    "white": (0.97, 0.97, 0.97),
    "black": (0.03, 0.03, 0.03),
    "gray": (0.5, 0.5, 0.5),
}
SHAPES = ("circle", "square", "triangle")
MOTIONS = ("left", "right", "up", "down", "bouncing", "growing")

# (object colour, shape, motion) triples held out on any background, and (object, background) colour pairs
# held out for any shape and motion.
HELD_OUT_TRIPLES = (
    ("red", "triangle", "left"),
    ("green", "circle", "up"),
    ("yellow", "square", "growing"),
    ("blue", "circle", "bouncing"),
    ("white", "square", "right"),
    ("gray", "triangle", "down"),
)
HELD_OUT_PAIRS = (("white", "red"), ("blue", "yellow"), ("red", "green"), ("gray", "black"))


def is_held_out(fg, shape, motion, bg):
    return (fg, shape, motion) in HELD_OUT_TRIPLES or (fg, bg) in HELD_OUT_PAIRS


def held_out_descriptions():
    return ([f"{f} {s} {m} (any background)" for f, s, m in HELD_OUT_TRIPLES]
            + [f"{f} object on a {b} background (any shape, any motion)" for f, b in HELD_OUT_PAIRS])


def all_combinations():
    return [(f, s, m, b) for f in COLOURS for s in SHAPES for m in MOTIONS for b in COLOURS if f != b]


def train_combinations():
    return [c for c in all_combinations() if not is_held_out(*c)]


def held_out_combinations():
    return [c for c in all_combinations() if is_held_out(*c)]


def evaluation_prompts(kind, count, seed=4242):
    """The judge's deterministic prompt set: `count` combinations of "held-out" or "seen" (training) ones,
    captioned with the first phrasing -> (combos, prompts)."""
    combos = held_out_combinations() if kind == "held-out" else train_combinations()
    picked = random.Random(seed).sample(combos, min(count, len(combos)))
    return picked, [caption(*c, phrasing=0) for c in picked]


def caption(fg, shape, motion, bg, phrasing=0):
    if motion in ("bouncing", "growing"):
        forms = (f"a {fg} {shape} {motion} on a {bg} background",
                 f"a {fg} {shape} on a {bg} background, {motion}",
                 f"{bg} background with a {fg} {shape} {motion}")
    else:
        forms = (f"a {fg} {shape} moving {motion} on a {bg} background",
                 f"a {fg} {shape} on a {bg} background moving {motion}",
                 f"{bg} background with a {fg} {shape} moving {motion}")
    return forms[phrasing % len(forms)]


def caption_words():
    words = set()
    for c in all_combinations()[:1] + all_combinations():
        for p in range(3):
            words.update(prompt_words(caption(*c, phrasing=p)))
    return sorted(words)


_GRID_CACHE = {}


def _grid(size, supersample):
    key = (size, supersample)
    if key not in _GRID_CACHE:
        coords = (np.arange(size * supersample, dtype=np.float32) + 0.5) / supersample
        _GRID_CACHE[key] = np.meshgrid(coords, coords)
    return _GRID_CACHE[key]


def shape_masks(shape, centres, size=SIZE_PX, supersample=4):
    """Anti-aliased coverage [frames, size, size] of a shape; centres = per-frame (cx, cy, r) in pixels."""
    xx, yy = _grid(size, supersample)
    c = np.asarray(centres, dtype=np.float32)
    cx, cy, r = (c[:, k].reshape(-1, 1, 1) for k in range(3))
    dx, dy = xx[None] - cx, yy[None] - cy
    if shape == "circle":
        inside = dx * dx + dy * dy <= r * r
    elif shape == "square":
        inside = (np.abs(dx) <= r) & (np.abs(dy) <= r)
    else:  # upright isosceles triangle in the box [-r, r]^2 (half the box area)
        frac = (dy + r) / (2 * r)  # 0 at the apex (top), 1 at the base
        inside = (frac >= 0) & (frac <= 1) & (np.abs(dx) <= r * frac)
    n = len(c)
    return inside.reshape(n, size, supersample, size, supersample).mean(axis=(2, 4), dtype=np.float32)


# How far from the centre line an object may sit: across its path (left/right/up/down) and horizontally for
# bouncing. "wide" is the first world (the first training phases); "centred" keeps objects within ±3 px of the
# centre line, which sharpens what a caption implies at pure noise (see models/README.md, motion).
WORLDS = ("wide", "centred")
DEFAULT_WORLD = "centred"
CENTRED_JITTER_PX = 3.0


def trajectory(motion, rng, frames=FRAMES, size=SIZE_PX, world=DEFAULT_WORLD):
    """Per-frame (cx, cy, r) for a motion kind."""
    if world not in WORLDS:
        raise ValueError(f"unknown world {world!r} (known: {', '.join(WORLDS)})")
    centred = world == "centred"
    t = np.arange(frames) / (frames - 1)
    r0 = rng.uniform(4.5, 6.5)
    if motion == "growing":
        r_start, r_end = rng.uniform(2.5, 3.5), rng.uniform(9.0, 11.0)
        cx, cy = rng.uniform(13, 19), rng.uniform(13, 19)
        return [(cx, cy, r_start + (r_end - r_start) * k) for k in t]
    if motion == "bouncing":  # a ball bouncing on a floor: |sin| height, ~2 bounces
        cx = rng.uniform(10, 22)
        if centred:
            cx = size / 2 + (cx - 16) / 6 * CENTRED_JITTER_PX
        floor = size - r0 - 1.0
        height = rng.uniform(11, 15)
        phase = rng.uniform(0, 0.4)
        return [(cx, floor - height * abs(math.sin(math.pi * (2.0 * k + phase))), r0) for k in t]
    dist = rng.uniform(14, 18)
    margin = r0 + 1.0
    start = rng.uniform(margin, size - margin - dist) if size - 2 * margin > dist else margin
    other = rng.uniform(margin + 2, size - margin - 2)
    if centred:
        other = size / 2 + (other - size / 2) / (size / 2 - margin - 2) * CENTRED_JITTER_PX
    pos = [start + dist * k for k in t]
    if motion == "right":
        return [(p, other, r0) for p in pos]
    if motion == "left":
        return [(size - p, other, r0) for p in pos]
    if motion == "down":
        return [(other, p, r0) for p in pos]
    return [(other, size - p, r0) for p in pos]  # up


def render(fg, shape, motion, bg, rng, frames=FRAMES, size=SIZE_PX, world=DEFAULT_WORLD):
    """-> float32 [3, frames, size, size] in [-1, 1]."""
    fg_rgb = np.array(COLOURS[fg], dtype=np.float32).reshape(3, 1, 1)
    bg_rgb = np.array(COLOURS[bg], dtype=np.float32).reshape(3, 1, 1)
    m = shape_masks(shape, trajectory(motion, rng, frames, size, world), size)[None]  # [1, F, H, W]
    out = bg_rgb[:, None] * (1 - m) + fg_rgb[:, None] * m
    return (out * 2.0 - 1.0).astype(np.float32)


def recolour(video, fg, bg, new_fg_rgb, new_bg_rgb):
    """A rendered clip of palette colours fg on bg, repainted in other colours (RGB in [0, 1]) with the same
    coverage: each pixel is bg + m·(fg − bg), so m is recovered exactly by projection."""
    fg_rgb, bg_rgb = (np.array(COLOURS[c], dtype=np.float32).reshape(3, 1, 1, 1) for c in (fg, bg))
    diff = fg_rgb - bg_rgb
    m = (((video + 1.0) / 2.0 - bg_rgb) * diff).sum(axis=0, keepdims=True) / float((diff ** 2).sum())
    new_fg, new_bg = (np.asarray(c, dtype=np.float32).reshape(3, 1, 1, 1) for c in (new_fg_rgb, new_bg_rgb))
    return ((new_bg + m * (new_fg - new_bg)) * 2.0 - 1.0).astype(np.float32)


def sample_clip(seed, index, combos, world=DEFAULT_WORLD):
    """Clip number `index` of stream `seed`, drawn from `combos`: (video, caption, combo)."""
    rng = random.Random(seed * 1_000_003 + index)
    combo = combos[rng.randrange(len(combos))]
    return render(*combo, rng, world=world), caption(*combo, phrasing=rng.randrange(3)), combo


def batch(seed, start, count, combos, world=DEFAULT_WORLD):
    clips = [sample_clip(seed, start + i, combos, world) for i in range(count)]
    return np.stack([c[0] for c in clips]), [c[1] for c in clips], [c[2] for c in clips]

"""Automatic judge: colour segmentation + centroid track -> background colour, object colour, shape, motion.

Input: video float [3, F, H, W] in [-1, 1]. Accuracy is per attribute against the prompt's parameters.
"""
import numpy as np

import data

PALETTE_NAMES = list(data.COLOURS)
PALETTE = np.array([data.COLOURS[n] for n in PALETTE_NAMES], dtype=np.float32)  # [K, 3] in [0, 1]
FG_DISTANCE = 0.3  # RGB distance (0..1 units) from the background that counts as object
ATTRIBUTES = ("background", "object", "shape", "motion")


def nearest_colour(rgb, exclude=None):
    d = np.linalg.norm(PALETTE - rgb[None], axis=1)
    if exclude is not None:
        d[PALETTE_NAMES.index(exclude)] = np.inf
    return PALETTE_NAMES[int(np.argmin(d))]


def object_mask(video):
    """-> (pixels in [0, 1] [3, F, H, W], median border colour, object mask [F, H, W], object area per frame)."""
    v = (np.clip(np.asarray(video, dtype=np.float32), -1, 1) + 1) / 2
    border = np.concatenate([v[:, :, 0], v[:, :, -1], v[:, :, :, 0], v[:, :, :, -1]], axis=2).reshape(3, -1)
    bg_rgb = np.median(border, axis=1)
    dist = np.linalg.norm(v - bg_rgb.reshape(3, 1, 1, 1), axis=0)  # [F, H, W]
    mask = dist > FG_DISTANCE
    return v, bg_rgb, mask, mask.sum(axis=(1, 2)).astype(np.float32)


def judge(video):
    """-> dict(background, object, shape, motion); None where the judge sees no object."""
    v, bg_rgb, mask, area = object_mask(video)
    frames = v.shape[1]
    bg = nearest_colour(bg_rgb)
    result = {"background": bg, "object": None, "shape": None, "motion": None}
    if (area > 2).sum() < frames // 2:
        return result
    result["object"] = nearest_colour(np.median(v[:, mask], axis=1), exclude=bg)

    ys, xs = np.mgrid[0:v.shape[2], 0:v.shape[3]]
    valid = area > 2
    cx = np.where(valid, (mask * xs).sum(axis=(1, 2)) / np.maximum(area, 1), np.nan)
    cy = np.where(valid, (mask * ys).sum(axis=(1, 2)) / np.maximum(area, 1), np.nan)
    result["shape"] = _shape(mask, area)
    result["motion"] = _motion(cx, cy, area)
    return result


def fill_ratio(mask, area):
    """Median bounding-box fill ratio over the larger half of the frames (None without an object): square ~1,
    circle ~0.79, triangle ~0.5. Frames of equal area: the later one first (a stable sort, so the TypeScript judge
    can follow it)."""
    order = np.argsort(area, kind="stable")[::-1][: max(1, len(area) // 2)]
    ratios = []
    for k in order:
        ys, xs = np.nonzero(mask[k])
        if len(xs) < 6:
            continue
        box = (xs.max() - xs.min() + 1) * (ys.max() - ys.min() + 1)
        ratios.append(len(xs) / box)
    return float(np.median(ratios)) if ratios else None


def _shape(mask, area):
    r = fill_ratio(mask, area)
    if r is None:
        return None
    return "square" if r >= 0.88 else "circle" if r >= 0.64 else "triangle"


def _motion(cx, cy, area):
    n = len(area)
    k = max(2, n // 5)
    first, last = slice(0, k), slice(n - k, n)
    # float32 means, compared in float64 whatever numpy's promotion rules (the TypeScript judge does the same).
    a0, a1 = float(np.nanmean(area[first])), float(np.nanmean(area[last]))
    if a1 > 2.2 * max(a0, 1.0):
        return "growing"
    y = cy[~np.isnan(cy)]
    if len(y) >= 5 and _turns(y, prominence=2.5) >= 2:
        return "bouncing"
    dx = np.nanmean(cx[last]) - np.nanmean(cx[first])
    dy = np.nanmean(cy[last]) - np.nanmean(cy[first])
    if np.isnan(dx) or max(abs(dx), abs(dy)) < 3.0:
        return "still"
    if abs(dx) >= abs(dy):
        return "right" if dx > 0 else "left"
    return "down" if dy > 0 else "up"


def _turns(y, prominence):
    """Direction reversals of a track whose swing between reversals exceeds `prominence` pixels."""
    turns, direction, anchor = 0, 0, y[0]
    for value in y[1:]:
        delta = value - anchor
        if direction >= 0 and delta < -prominence:
            turns += direction == 1
            direction, anchor = -1, value
        elif direction <= 0 and delta > prominence:
            turns += direction == -1
            direction, anchor = 1, value
        elif (direction == 1 and value > anchor) or (direction == -1 and value < anchor):
            anchor = value
    return turns


def score(videos, combos):
    """Per-attribute accuracy of videos [N, 3, F, H, W] against combos (fg, shape, motion, bg)."""
    hits = {a: 0 for a in ATTRIBUTES}
    verdicts = []
    for video, (fg, shape, motion, bg) in zip(videos, combos):
        j = judge(video)
        verdicts.append(j)
        hits["background"] += j["background"] == bg
        hits["object"] += j["object"] == fg
        hits["shape"] += j["shape"] == shape
        hits["motion"] += j["motion"] == motion
    n = max(1, len(combos))
    acc = {a: hits[a] / n for a in ATTRIBUTES}
    # The quality bar: background colour, object colour and motion direction.
    acc["bar"] = (hits["background"] + hits["object"] + hits["motion"]) / (3 * n)
    return acc, verdicts


if __name__ == "__main__":
    vids, _, combos = data.batch(99, 0, 400, data.all_combinations())
    acc, verdicts = score(vids, combos)
    print("ground truth:", {k: round(v, 3) for k, v in acc.items()})
    for j, c in zip(verdicts, combos):
        if (j["background"], j["object"], j["shape"], j["motion"]) != (c[3], c[0], c[1], c[2]):
            print("miss", c, j)

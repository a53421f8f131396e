"""Judge clips made by the studio's engine with the same scorer as evaluate.py.

    judge_frames.py INDEX.json                -> prints {"accuracy": {...}, "verdicts": [...]} as JSON
    judge_frames.py --prompts held-out|seen N -> prints evaluate.py's first N prompts of that set:
                                                 [{"prompt": ..., "combo": [...]}]

INDEX.json = {"clips": [{"file": "a.rgba", "frames": F, "height": H, "width": W,
                        "combo": [object colour, shape, motion, background]}]}; each file holds F·H·W·4 bytes of
RGBA (the engine's frames, row-major); clips may differ in size. Paths are relative to the index file.
"""
import json
import os
import sys

import numpy as np

import data
import scorer


def load_clip(path, frames, height, width):
    rgba = np.fromfile(path, dtype=np.uint8)
    if rgba.size != frames * height * width * 4:
        raise ValueError(f"{path}: {rgba.size} bytes, expected {frames}x{height}x{width}x4")
    rgb = rgba.reshape(frames, height, width, 4)[..., :3].astype(np.float32)
    return (rgb / 127.5 - 1.0).transpose(3, 0, 1, 2)  # [3, F, H, W] in [-1, 1]


def main():
    if sys.argv[1] == "--prompts":
        combos, prompts = data.evaluation_prompts(sys.argv[2], int(sys.argv[3]))
        print(json.dumps([{"prompt": p, "combo": list(c)} for p, c in zip(prompts, combos)]))
        return
    index_path = sys.argv[1]
    base = os.path.dirname(os.path.abspath(index_path))
    with open(index_path) as f:
        clips = json.load(f)["clips"]
    # A list, not one array: clips of an index may differ in frame count and size.
    videos = [load_clip(os.path.join(base, c["file"]), c["frames"], c["height"], c["width"]) for c in clips]
    combos = [tuple(c["combo"]) for c in clips]
    accuracy, verdicts = scorer.score(videos, combos)
    print(json.dumps({"accuracy": accuracy, "verdicts": verdicts}))


if __name__ == "__main__":
    main()

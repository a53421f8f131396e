"""The PyTorch side of `npm run bench -- --real-size`: one STDiT3 denoising step in PyTorch eager, on the same
weights and at the same shapes as the engine's step, and this machine's fp32 GEMM peak.

    /usr/bin/python3 models/tools/opensora/bench_pytorch.py --stdit DIR --frames 15 --height 18 --width 32
        --text-len L [--height-px 144 --width-px 256 --fps 24] [--threads 2] [--merged] [--gemm-only]

DIR is an OpenSora-STDiT-v3 checkpoint folder (config.json + model.safetensors), e.g. the one
`import-model --random --keep-checkpoints` kept. The step is the engine's units run by the same PyTorch modules the
importer exported (embedder, the 28 block pairs, final), CFG batch 2, each pair loaded, run and released in turn;
only compute is timed (one pair runs once untimed first, so allocator warm-up is not counted). The step's
multiply-accumulate count is computed from the sizes (matrix products and attention; elementwise work left out),
so the engine's achieved FLOP/s can be set against the GEMM peak. Prints one JSON object.
"""
import argparse
import json
import os
import sys
import time

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
sys.path.insert(0, HERE)

import torch  # noqa: E402

import layouts  # noqa: E402
import sources  # noqa: E402
import unit_specs  # noqa: E402

CFG_BATCH = 2
GEMM_SIZE = 2048
GEMM_REPEATS = 8


def gemm_peak_gflops():
    """Best of a few fp32 square matrix products: what this machine's BLAS reaches on these threads."""
    a, b = torch.randn(GEMM_SIZE, GEMM_SIZE), torch.randn(GEMM_SIZE, GEMM_SIZE)
    torch.mm(a, b)
    best = float("inf")
    for _ in range(GEMM_REPEATS):
        start = time.perf_counter()
        torch.mm(a, b)
        best = min(best, time.perf_counter() - start)
    return 2 * GEMM_SIZE ** 3 / best / 1e9


def step_gflop(mcfg, frames, height, width, text_len):
    """FLOP (2 × multiply-accumulates) of one CFG-batched step's matrix products and attention."""
    c = mcfg["hidden_size"]
    s = (height // mcfg["patch_size"][1]) * (width // mcfg["patch_size"][2])
    tokens = CFG_BATCH * frames * s
    text_tokens = CFG_BATCH * text_len
    per_token = 4 * c * c + 2 * c * c + 8 * c * c + 2 * text_len * c  # self-attn, cross q/proj, MLP, cross scores
    spatial = tokens * (per_token + 2 * s * c) + text_tokens * 2 * c * c  # + spatial scores, cross k/v
    temporal = tokens * (per_token + 2 * frames * c) + text_tokens * 2 * c * c
    caption = text_tokens * (mcfg["caption_channels"] * c + c * c)  # y_embedder's two layers
    return 2 * (mcfg["depth"] * (spatial + temporal) + caption) / 1e9


def timed(module, inputs):
    start = time.perf_counter()
    module(*inputs.values())
    return (time.perf_counter() - start) * 1000


@torch.no_grad()
def run_step(args):
    cfg = sources.read_config(args.stdit, "stdit")
    source = sources.open_single_file_folder(args.stdit, "stdit")
    mcfg = layouts.stdit_config(source.file.shapes(), cfg, os.path.join(args.stdit, "config.json"), source.path)
    geometry = unit_specs.Geometry(CFG_BATCH, args.text_len, args.frames, args.height, args.width, args.height_px,
                                   args.width_px, args.fps, 5, 4)
    ctx = {"stdit": mcfg}
    gen = torch.Generator().manual_seed(7)
    parts = layouts.stdit_parts(mcfg)

    def load(make):
        with layouts.without_init():
            module = make()
        layouts.load_strict(module, "", source)
        return module.eval()

    _, _, make_head = parts[0]
    with layouts.without_init():
        head = make_head()
    head_keys = layouts.shapes_of(head)
    state = dict(head.state_dict())
    state.update({k: layouts.read_checked(source, k, shape) for k, shape in head_keys.items() if source.shape(k)})
    head.load_state_dict(state, strict=True)
    head.eval()
    embedder, final = unit_specs.denoiser_embedder(head), unit_specs.denoiser_final(head)
    block_inputs = unit_specs.example_inputs("denoiser.block", ctx, geometry, gen, tdtm=args.merged)
    units_ms = {"denoiser.embedder": timed(embedder, unit_specs.example_inputs("denoiser.embedder", ctx, geometry, gen))}
    warmed = False
    load_ms = 0.0
    for uid, _, make in parts[1:]:
        start = time.perf_counter()
        pair = unit_specs.BlockPairUnit(load(make), args.merged)
        load_ms += (time.perf_counter() - start) * 1000
        if not warmed:
            timed(pair, block_inputs)
            warmed = True
        units_ms[uid] = timed(pair, block_inputs)
        del pair
    units_ms["denoiser.final"] = timed(final, unit_specs.example_inputs("denoiser.final", ctx, geometry, gen))
    return {"stepMs": sum(units_ms.values()), "unitsMs": units_ms, "loadMs": load_ms, "merged": args.merged,
            "stepGflop": step_gflop(mcfg, args.frames, args.height, args.width, args.text_len)}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--stdit", help="OpenSora-STDiT-v3 checkpoint folder")
    ap.add_argument("--frames", type=int, default=15, help="latent frames")
    ap.add_argument("--height", type=int, default=18, help="latent height (even)")
    ap.add_argument("--width", type=int, default=32, help="latent width (even)")
    ap.add_argument("--text-len", type=int, default=300, help="caption tokens the step attends to")
    ap.add_argument("--height-px", type=int, default=144)
    ap.add_argument("--width-px", type=int, default=256)
    ap.add_argument("--fps", type=int, default=24)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--merged", action="store_true", help="the TDTM variant of every pair")
    ap.add_argument("--gemm-only", action="store_true", help="only the GEMM peak")
    args = ap.parse_args(argv)
    torch.set_num_threads(args.threads)
    result = {"threads": args.threads, "torch": torch.__version__, "gemmPeakGflops": gemm_peak_gflops()}
    if not args.gemm_only:
        if not args.stdit:
            ap.error("--stdit is required (or --gemm-only)")
        result.update(run_step(args))
    print(json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

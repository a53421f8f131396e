"""The PyTorch side of `npm run bench -- --real-size`: one STDiT3 denoising step in PyTorch eager, on the same
weights and at the same shapes as the engine's step, and this machine's fp32 GEMM peak.

    /usr/bin/python3 models/tools/opensora/bench_pytorch.py --stdit DIR --frames 15 --height 18 --width 32
        --text-len L [--height-px 144 --width-px 256 --fps 24] [--threads 2] [--repeats 3] [--merged] [--gemm-only]

DIR is an OpenSora-STDiT-v3 checkpoint folder (config.json + model.safetensors), e.g. the one
`import-model --random --keep-checkpoints` kept. The step is the engine's units run by the same PyTorch modules the
importer exported (embedder, the 28 block pairs, final), CFG batch 2, every unit loaded first (as the engine's
all-resident step); one whole step runs untimed as a warm-up, then --repeats timed steps: stepMs is their median
and stepMsRuns lists them. --threads is torch.set_num_threads (the bench passes the physical core count, ORT's
default). Prints one JSON object.
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


def median(values):
    ordered = sorted(values)
    mid = len(ordered) // 2
    return ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2


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
    embedder_inputs = unit_specs.example_inputs("denoiser.embedder", ctx, geometry, gen)
    block_inputs = unit_specs.example_inputs("denoiser.block", ctx, geometry, gen, tdtm=args.merged)
    final_inputs = unit_specs.example_inputs("denoiser.final", ctx, geometry, gen)
    start = time.perf_counter()
    pairs = [unit_specs.BlockPairUnit(load(make), args.merged) for _, _, make in parts[1:]]
    load_ms = (time.perf_counter() - start) * 1000

    def step_ms():
        start = time.perf_counter()
        embedder(*embedder_inputs.values())
        for pair in pairs:
            pair(*block_inputs.values())
        final(*final_inputs.values())
        return (time.perf_counter() - start) * 1000

    step_ms()  # warm-up: allocator and kernels' first calls
    runs = [step_ms() for _ in range(args.repeats)]
    return {"stepMs": median(runs), "stepMsRuns": runs, "loadMs": load_ms, "merged": args.merged}


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
    ap.add_argument("--repeats", type=int, default=3, help="timed steps after the warm-up (at least 3)")
    ap.add_argument("--merged", action="store_true", help="the TDTM variant of every pair")
    ap.add_argument("--gemm-only", action="store_true", help="only the GEMM peak")
    args = ap.parse_args(argv)
    if args.repeats < 3:
        ap.error("--repeats must be at least 3 (a median needs three runs)")
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

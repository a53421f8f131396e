"""`--device cpu|cuda|mps` for the training tools: the requested device, or the CPU with a clear message."""
import sys

import torch

DEVICES = ("cpu", "cuda", "mps")


def add_device_argument(parser):
    parser.add_argument("--device", default="cpu", choices=DEVICES,
                        help="where to train (default cpu); an absent device falls back to the CPU with a message")


def pick_device(name):
    """-> torch.device. Asking for a device this machine lacks prints why and trains on the CPU instead, so a
    recipe written for a GPU box still runs (slowly) on a laptop; results are written in the same format."""
    if name not in DEVICES:
        raise ValueError(f"unknown device {name!r} (known: {', '.join(DEVICES)})")
    if name == "cuda" and not torch.cuda.is_available():
        why = "this torch build has no CUDA" if torch.version.cuda is None else "no CUDA GPU is visible"
        print(f"--device cuda: {why}; training on the CPU instead", file=sys.stderr, flush=True)
        return torch.device("cpu")
    if name == "mps":
        mps = getattr(torch.backends, "mps", None)
        if mps is None or not mps.is_available():
            why = "this torch build has no MPS support" if mps is None or not mps.is_built() else "no Apple GPU is visible"
            print(f"--device mps: {why}; training on the CPU instead", file=sys.stderr, flush=True)
            return torch.device("cpu")
    return torch.device(name)


def describe(device):
    if device.type == "cuda":
        return f"cuda ({torch.cuda.get_device_name(device)})"
    return device.type

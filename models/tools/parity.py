"""Parity fixtures: inputs and PyTorch outputs of every exported unit, as raw little-endian tensors + index.json.

Layout: DIR/index.json = {"tolerance": 1e-4, "cases": [{name, unit, file, reference, inputs, outputs}]},
each tensor {name, dtype, shape, file} with file relative to DIR. TDTM cases use tdtm_reference (explicit
merge -> attention -> unmerge), at an odd and an even temporal length.
"""
import json
import math
import os

import torch

import engine_noise
import sampler
import stdit3
import tdtm_reference
import units

TOLERANCE = 1e-4
DTYPES = {torch.float32: ("float32", "<f4"), torch.int64: ("int64", "<i8"), torch.bool: ("bool", "|b1")}


def _write_tensor(folder, case, name, tensor):
    dtype, np_dtype = DTYPES[tensor.dtype]
    file_name = f"{case}.{name}.bin"
    tensor.detach().contiguous().numpy().astype(np_dtype).tofile(os.path.join(folder, file_name))
    return {"name": name, "dtype": dtype, "shape": list(tensor.shape), "file": file_name}


def _geometry(base, frames):
    return units.Geometry(batch=2, frames=frames, height=base.h, width=base.w, text_len=base.l,
                          height_px=base.height_px, width_px=base.width_px, fps=base.fps)


@torch.no_grad()
def write_fixtures(exporter, folder):
    os.makedirs(folder, exist_ok=True)
    cfgs = exporter.cfgs
    native_t = cfgs["clip"]["frames"] // cfgs["decoder"]["temporal_factor"]
    gen = torch.Generator().manual_seed(1234)
    model = exporter.m["denoiser"]
    cases = []
    for uid, (kind, module, tdtm) in exporter.wrappers.items():
        if kind == "denoiser.block":
            lengths = [5, 6] if tdtm else [native_t, 5]
        else:
            lengths = [native_t]
        for t in lengths:
            g = _geometry(exporter.geometry, t)
            inputs = units.example_inputs(kind, cfgs["denoiser"], cfgs["text"], g, gen, tdtm=tdtm,
                                          vocab_size=len(exporter.tok.words))
            args = tuple(inputs.values())
            if tdtm:
                block_index = int(uid.split(".")[2])
                outs = (tdtm_reference.block_pair_tdtm(model, block_index, *args),)
                graph_path = module(*args)  # the traced formulation must agree with the reference too
                err = (graph_path - outs[0]).abs().max().item()
                if err > 1e-5:
                    raise AssertionError(f"{uid}: TDTM module path differs from reference by {err}")
                reference = "tdtm-merge-attention-unmerge"
            else:
                outs = module(*args)
                outs = outs if isinstance(outs, tuple) else (outs,)
                reference = "pytorch"
            case = f"{uid}@T{t}" if kind in ("denoiser.block",) else uid
            cases.append({
                "name": case, "unit": uid, "file": uid + ".onnx", "reference": reference,
                "inputs": [_write_tensor(folder, case, n, v) for n, v in inputs.items()],
                "outputs": [_write_tensor(folder, case, n, v) for n, v in zip(units.OUTPUTS[kind], outs)],
            })
    pipeline = _pipeline_fixture(exporter, folder)
    with open(os.path.join(folder, "index.json"), "w") as f:
        json.dump({"tolerance": TOLERANCE, "cases": cases, "pipeline": pipeline}, f, indent=1)


PIPELINE_PROMPT = "a red circle moving left on a blue background"
PIPELINE_CFG = 4.0
PIPELINE_SEED = 5
# The engine's sampling loop at its branches: CFG Euler steps, TDTM steps, the LPL leap; and a run to t = 0.
PIPELINE_CASES = [
    {"name": "tdtm-lpl", "steps": 6, "tdtmMergedSteps": 2, "leapStep": 4},
    {"name": "plain", "steps": 4, "tdtmMergedSteps": 0, "leapStep": None},
]


@torch.no_grad()
def _pipeline_fixture(exporter, folder):
    """Whole short generations with the reference sampler from the engine's own seeded noise (engine_noise.py), so
    a test can run the engine's sampling loop on the package and compare the final latent and video."""
    cfgs = exporter.cfgs
    clip, dec = cfgs["clip"], cfgs["decoder"]
    model = exporter.m["denoiser"]
    shape = (model.in_channels, clip["frames"] // dec["temporal_factor"], clip["height"] // dec["spatial_factor"],
             clip["width"] // dec["spatial_factor"])
    noise = torch.from_numpy(engine_noise.standard_normal(PIPELINE_SEED, math.prod(shape))).reshape(1, *shape)
    ids, _ = exporter.tok.batch([PIPELINE_PROMPT])
    tensors = {"input_ids": ids, "noise": noise}
    cases = []
    for case in PIPELINE_CASES:
        z = sampler.sample(model, exporter.m["text"], exporter.tok, [PIPELINE_PROMPT], shape, steps=case["steps"],
                           cfg_scale=PIPELINE_CFG, fps=clip["fps"], leap_at=case["leapStep"],
                           clip_px=(clip["height"], clip["width"]), start_latent=noise.clone(),
                           tdtm_steps=case["tdtmMergedSteps"])
        tensors[f"{case['name']}.latent"] = z
        tensors[f"{case['name']}.video"] = exporter.m["decoder"](z)
        cases.append({**case, "latent": f"{case['name']}.latent", "video": f"{case['name']}.video"})
    return {"prompt": PIPELINE_PROMPT, "seed": PIPELINE_SEED, "cfgScale": PIPELINE_CFG, "cases": cases,
            "tensors": {k: _write_tensor(folder, "pipeline", k, v) for k, v in tensors.items()}}

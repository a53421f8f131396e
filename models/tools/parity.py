"""Parity fixtures: inputs and PyTorch outputs of every exported unit, as raw little-endian tensors + index.json.

Layout: DIR/index.json = {"tolerance": 1e-4, "cases": [{name, unit, file, reference, inputs, outputs}]},
each tensor {name, dtype, shape, file} with file relative to DIR. TDTM cases use tdtm_reference (explicit
merge -> attention -> unmerge), at an odd and an even temporal length.
"""
import json
import os

import torch

import sampler
import stdit3
import tdtm_reference
import units

TOLERANCE = 1e-4
DTYPES = {torch.float32: ("float32", "<f4"), torch.int64: ("int64", "<i8")}


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
PIPELINE_STEPS = 4
PIPELINE_CFG = 4.0
PIPELINE_SEED = 5


@torch.no_grad()
def _pipeline_fixture(exporter, folder):
    """A whole short generation (text -> CFG Euler steps -> decoder) with the reference sampler, so a test can
    chain the ONNX units the way the engine does and compare the final latent and video."""
    cfgs = exporter.cfgs
    clip, dec = cfgs["clip"], cfgs["decoder"]
    model = exporter.m["denoiser"]
    shape = (model.in_channels, clip["frames"] // dec["temporal_factor"], clip["height"] // dec["spatial_factor"],
             clip["width"] // dec["spatial_factor"])
    noise = torch.randn(1, *shape, generator=torch.Generator().manual_seed(PIPELINE_SEED))
    z = sampler.sample(model, exporter.m["text"], exporter.tok, [PIPELINE_PROMPT], shape, steps=PIPELINE_STEPS,
                       cfg_scale=PIPELINE_CFG, fps=clip["fps"], seed=PIPELINE_SEED,
                       clip_px=(clip["height"], clip["width"]))
    video = exporter.m["decoder"](z)
    ids, mask = exporter.tok.batch([PIPELINE_PROMPT])
    cos, sin = stdit3.rope_tables(model.head_dim, shape[1])
    pos = stdit3.pos_embed_for_clip(model.cfg, shape[2], shape[3], clip["height"], clip["width"])
    tensors = {"input_ids": ids, "token_mask": mask, "noise": noise, "pos_emb": pos, "rope_cos": cos,
               "rope_sin": sin, "latent": z, "video": video}
    return {"prompt": PIPELINE_PROMPT, "steps": PIPELINE_STEPS, "cfgScale": PIPELINE_CFG, "fps": clip["fps"],
            "timesteps": sampler.timesteps(PIPELINE_STEPS, {"kind": "none"}),
            "tensors": {k: _write_tensor(folder, "pipeline", k, v.float() if k == "token_mask" else v)
                        for k, v in tensors.items()}}

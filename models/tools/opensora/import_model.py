"""Import Open-Sora 1.2's published checkpoints into a studio model package (models/FORMAT.md, "Open-Sora 1.2
packages"; schema `openSoraManifestSchema` in src/shared/model/manifest.ts).

    npm run import-model:python -- --stdit DIR --vae DIR --t5 DIR --out DIR [--name NAME] [--id ID] [--parity]
    npm run import-model:python -- --random --config opensora-1.2 --out DIR [--t5-blocks 4] [--keep-checkpoints DIR]

--stdit: hpcai-tech/OpenSora-STDiT-v3 (config.json + model.safetensors); --vae: hpcai-tech/OpenSora-VAE-v1.2
(config.json + model.safetensors); --t5: DeepFloyd/t5-v1_1-xxl (config.json, spiece.model,
tokenizer_config.json, pytorch_model-0000N-of-0000M.bin + pytorch_model.bin.index.json, or safetensors shards).

Every size comes from the tensors and config.json files. Loading is strict: every missing, unexpected or
mis-shaped key is named with its file and nothing is written. The package is built in a hidden sibling
folder of OUT and renamed to OUT only when complete; OUT must not exist yet (or be an empty folder). At most
one pickled shard plus the unit being exported are in memory. --parity also writes OUT/parity/ (inputs and
PyTorch outputs of every unit, for the ONNX parity test). Exit code 2 = refused input, with the reason on stderr.

--random writes random checkpoints at Open-Sora 1.2's real sizes in the published layouts first
(write_checkpoints.py --size real: STDiT3-XL/2 4.8 GB, the VAE, a T5-XXL with --t5-blocks real blocks) and imports
those, so memory and speed can be measured at real scale without the 19 GB text encoder; the checkpoints are
deleted afterwards unless --keep-checkpoints names where to keep them (the bench's PyTorch step reads them).
"""
import argparse
import gc
import json
import os
import re
import resource
import shutil
import sys
import tempfile
import time
import warnings

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
sys.path.insert(0, HERE)

import torch  # noqa: E402

import layouts  # noqa: E402
import onnx_io  # noqa: E402
import package_facts  # noqa: E402
import parity as builtin_parity  # noqa: E402
import sources  # noqa: E402
import stdit3  # noqa: E402
import t5_encoder  # noqa: E402
import tdtm_reference  # noqa: E402
import tokenizer_files  # noqa: E402
import unit_specs  # noqa: E402
import vae_spatial  # noqa: E402
import vae_temporal  # noqa: E402
import write_checkpoints  # noqa: E402
from sources import ImportRefused  # noqa: E402

PARITY_TOLERANCE = 1e-4
DEFAULT_NAME = "Open-Sora 1.2"
# --random's configurations → write_checkpoints.py sizes: the real one, and the importer tests' small one.
RANDOM_CONFIGS = {"opensora-1.2": "real", "small": "small"}


def parse_args(argv):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--stdit", help="hpcai-tech/OpenSora-STDiT-v3 folder")
    ap.add_argument("--vae", help="hpcai-tech/OpenSora-VAE-v1.2 folder")
    ap.add_argument("--t5", help="DeepFloyd/t5-v1_1-xxl folder")
    ap.add_argument("--random", action="store_true", help="random weights at --config's real sizes (no folders)")
    ap.add_argument("--config", choices=sorted(RANDOM_CONFIGS), default=None,
                    help="the sizes --random writes (opensora-1.2: the real ones; small: the tests')")
    ap.add_argument("--t5-blocks", type=int, default=None,
                    help=f"--random: T5 blocks to write (opensora-1.2: {write_checkpoints.REAL_T5_BLOCKS} by default, "
                         "each ≈ 0.8 GB; the full model has 24)")
    ap.add_argument("--keep-checkpoints", default=None, help="--random: keep the written checkpoints here")
    ap.add_argument("--out", required=True, help="package folder to create")
    ap.add_argument("--name", default=DEFAULT_NAME, help="display name")
    ap.add_argument("--id", default=None, help="package id (default: derived from --name)")
    ap.add_argument("--parity", action="store_true", help="also write OUT/parity/ fixtures (tests)")
    ap.add_argument("--progress-json", action="store_true", help="progress as JSON lines on stdout")
    args = ap.parse_args(argv)
    folders = [args.stdit, args.vae, args.t5]
    if args.random:
        if args.config is None or any(folders):
            ap.error("--random takes --config (one of: " + ", ".join(sorted(RANDOM_CONFIGS)) + ") and no checkpoint "
                     "folders")
        if args.name == DEFAULT_NAME:
            args.name = f"{DEFAULT_NAME} (random weights, {args.config})"
    elif not all(folders):
        ap.error("--stdit, --vae and --t5 are required (or --random --config opensora-1.2)")
    return args


def package_id(name):
    slug = re.sub(r"[^a-z0-9._-]+", "-", name.lower()).strip("-._")
    return slug or "opensora-1.2"


class Progress:
    def __init__(self, total, as_json):
        self.done, self.total, self.as_json, self.started = 0, total, as_json, time.time()

    def unit(self, uid, size_bytes):
        self.done += 1
        elapsed = time.time() - self.started
        peak = peak_rss_bytes()
        if self.as_json:
            print(json.dumps({"event": "unit", "unit": uid, "done": self.done, "total": self.total,
                              "sizeBytes": size_bytes, "elapsedSeconds": round(elapsed, 2), "peakRssBytes": peak}),
                  flush=True)
        else:
            print(f"[{self.done}/{self.total}] {uid} ({size_bytes / 1e6:.1f} MB, {elapsed:.1f} s, "
                  f"peak RSS so far {peak / 2 ** 20:.0f} MiB)", flush=True)


def peak_rss_bytes():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


class Inputs:
    """The three checkpoint folders, opened and checked against the Open-Sora 1.2 layout (no weights read yet)."""

    def __init__(self, args):
        self.cfg = {role: sources.read_config(getattr(args, role), role) for role in ("stdit", "vae", "t5")}
        self.cfg_path = {role: os.path.join(getattr(args, role), "config.json") for role in ("stdit", "vae", "t5")}
        self.stdit = sources.open_single_file_folder(args.stdit, "stdit")
        self.vae = sources.open_single_file_folder(args.vae, "vae")
        self.tokenizer = tokenizer_files.check(args.t5)
        self.t5 = sources.open_t5_weights(args.t5)

        st_shapes = self.stdit.file.shapes()
        self.mcfg = layouts.stdit_config(st_shapes, self.cfg["stdit"], self.cfg_path["stdit"], self.stdit.path)
        self.spatial, self.temporal = layouts.vae_sizes(self.vae.file.shapes(), self.vae.path)
        known = {k: self.t5.shape(k) for k in self.t5.keys() if self.t5.shape(k) is not None}
        self.t5cfg = layouts.t5_config(self.cfg["t5"], known, self.cfg_path["t5"], self.t5.keys())
        if self.t5cfg.d_model != self.mcfg["caption_channels"]:
            raise ImportRefused(f"{self.cfg_path['t5']}: d_model {self.t5cfg.d_model} differs from the STDiT3 "
                                f"caption width {self.mcfg['caption_channels']} ({self.stdit.path}): not a matching pair")
        if self.tokenizer.vocab_size > self.t5cfg.vocab_size:
            raise ImportRefused(f"{self.tokenizer.path}: {self.tokenizer.vocab_size} pieces but the T5 embedding has "
                                f"only {self.t5cfg.vocab_size} rows ({self.cfg_path['t5']})")
        self.vae_cfg = package_facts.vae_config(self.cfg["vae"], self.cfg_path["vae"])
        self.check_keys()

    def check_keys(self):
        problems = []
        with layouts.without_init():
            expected = {}
            for _, prefix, make in layouts.stdit_parts(self.mcfg):
                expected.update(layouts.shapes_of(make(), prefix))
            self.has_rope = "rope.freqs" in self.stdit.keys()
            if not self.has_rope:
                expected.pop("rope.freqs")  # a parameter upstream recomputes; tolerated when absent
            problems += layouts.compare(expected, self.stdit, "stdit " + self.stdit.path)
            problems += layouts.compare(layouts.shapes_of(layouts.vae_parts(self.spatial, self.temporal)()),
                                        self.vae, "vae " + self.vae.path)
            expected = {}
            for _, prefix, make in t5_encoder.unit_prefixes(self.t5cfg):
                expected.update(layouts.shapes_of(make(), prefix))
            problems += layouts.compare(expected, self.t5, "t5 " + self.t5.label())
        layouts.refuse_if(problems)


class Builder:
    """Exports units into `folder` one at a time, with optional parity fixtures."""

    def __init__(self, inputs, folder, parity, progress):
        self.inp, self.folder, self.progress = inputs, folder, progress
        self.parity_dir = os.path.join(folder, "parity") if parity else None
        self.cases = []
        if self.parity_dir:
            os.makedirs(self.parity_dir)
        self.ctx = {"t5": inputs.t5cfg, "stdit": inputs.mcfg, "vae_channels": inputs.spatial.latent_channels,
                    "vae_time_factor": inputs.temporal.time_factor}
        max_len = inputs.mcfg["model_max_length"]
        # Export geometry (small; all varying axes are symbolic) and a different parity geometry, so the
        # fixtures also prove the symbolic axes.
        self.export_geometry = unit_specs.Geometry(2, min(8, max_len), 3, 4, 6, 32, 48, 24, 2, 2)
        self.parity_geometry = unit_specs.Geometry(2, max_len, 5, 6, 8, 48, 64, 24, 5, 4)
        self.gen = torch.Generator().manual_seed(11)

    def load(self, make, prefix, source, keys=None):
        with layouts.without_init():
            module = make()
        layouts.load_strict(module, prefix, source, keys)
        return module.eval()

    def export(self, uid, kind, module, weights, tdtm=False):
        inputs = unit_specs.example_inputs(kind, self.ctx, self.export_geometry, self.gen, tdtm)
        graph = onnx_io.export_graph(module, tuple(inputs.values()), list(inputs), unit_specs.OUTPUTS[kind],
                                     unit_specs.axes_for(kind, tdtm))
        size = weights.externalize(graph)
        onnx_io.save_graph(graph, self.folder, uid + ".onnx")
        entry = {"id": uid, "file": uid + ".onnx", "weightsFile": weights.name, "sizeBytes": int(size),
                 "inputs": onnx_io.graph_io_spec(graph, "inputs"), "outputs": onnx_io.graph_io_spec(graph, "outputs")}
        del graph
        return entry

    def single(self, uid, kind, module, parity_variants=(None,)):
        wf = onnx_io.WeightFile(self.folder, uid + ".weights")
        entry = self.export(uid, kind, module, wf)
        wf.write()
        for variant in parity_variants:
            self.parity(uid, kind, module, variant)
        self.progress.unit(uid, entry["sizeBytes"])
        return entry

    @torch.no_grad()
    def parity(self, uid, kind, module, variant=None, reference=None):
        if not self.parity_dir:
            return
        g = self.parity_geometry
        if variant:
            g = unit_specs.Geometry(**{**vars_geometry(g), **variant})
        inputs = unit_specs.example_inputs(kind, self.ctx, g, self.gen, tdtm=uid.endswith(".tdtm"))
        args = tuple(inputs.values())
        outs = reference(*args) if reference else module(*args)
        outs = outs if isinstance(outs, tuple) else (outs,)
        if reference:  # the traced formulation must agree with the independent reference too
            err = (module(*args) - outs[0]).abs().max().item()
            if err > 1e-5:
                raise AssertionError(f"{uid}: TDTM graph path differs from the reference by {err}")
        case = uid + "".join(f"@{k}={v}" for k, v in (variant or {}).items())
        write = lambda name, t: builtin_parity._write_tensor(self.parity_dir, case, name, t)  # noqa: E731
        self.cases.append({"name": case, "unit": uid, "file": uid + ".onnx",
                           "reference": "tdtm-merge-attention-unmerge" if reference else "pytorch",
                           "inputs": [write(n, v) for n, v in inputs.items()],
                           "outputs": [write(n, v) for n, v in zip(unit_specs.OUTPUTS[kind], outs)]})

    def write_parity_index(self):
        if self.parity_dir:
            with open(os.path.join(self.parity_dir, "index.json"), "w") as f:
                json.dump({"tolerance": PARITY_TOLERANCE, "cases": self.cases}, f, indent=1)

    # ----- the three parts -----
    def text(self):
        cfg, src = self.inp.t5cfg, self.inp.t5
        entries = {"blocks": []}
        for uid, prefix, make in t5_encoder.unit_prefixes(cfg):
            module = self.load(make, prefix, src)
            if uid == "text.embed":
                entries["embed"] = self.single(uid, "text.embed", module)
            elif uid == "text.final":
                entries["final"] = self.single(uid, "text.final", module)
            else:
                kind = "text.block.first" if module.first else "text.block"
                variants = (None, {"text_len": 7}) if module.first else (None,)
                entries["blocks"].append(self.single(uid, kind, module, variants))
            del module
            gc.collect()
        if hasattr(src, "release"):
            src.release()
        return entries

    def denoiser(self):
        mcfg, src = self.inp.mcfg, self.inp.stdit
        parts = layouts.stdit_parts(mcfg)
        _, _, make_head = parts[0]
        with layouts.without_init():
            head = make_head()
        head_keys = layouts.shapes_of(head)
        if not self.inp.has_rope:
            head.rope.freqs.copy_(stdit3.rope_freqs(head.head_dim))
            head_keys.pop("rope.freqs")
        state = dict(head.state_dict())
        state.update({key: layouts.read_checked(src, key, shape) for key, shape in head_keys.items()})
        head.load_state_dict(state, strict=True)
        head.eval()
        expected_freqs = stdit3.rope_freqs(head.head_dim)
        if not torch.allclose(head.rope.freqs, expected_freqs, rtol=1e-5, atol=1e-7):
            raise ImportRefused(f"{src.path}: 'rope.freqs' is not 10000^(-2i/{head.head_dim}); the studio computes "
                                "the rotary tables from that formula and cannot run this checkpoint")
        null = head.y_embedder.y_embedding.detach().float().contiguous()
        null.numpy().astype("<f4").tofile(os.path.join(self.folder, "null_caption.bin"))
        entries = {"embedder": self.single("denoiser.embedder", "denoiser.embedder",
                                           unit_specs.denoiser_embedder(head)), "blocks": []}
        final_module = unit_specs.denoiser_final(head)
        for uid, prefix, make in parts[1:]:
            pair = self.load(make, prefix, src)
            wf = onnx_io.WeightFile(self.folder, uid + ".weights")
            plain_unit = unit_specs.BlockPairUnit(pair, False)
            tdtm_unit = unit_specs.BlockPairUnit(pair, True)
            plain = self.export(uid, "denoiser.block", plain_unit, wf)
            merged = self.export(uid + ".tdtm", "denoiser.block", tdtm_unit, wf, tdtm=True)
            wf.write()
            self.parity(uid, "denoiser.block", plain_unit)
            ref = lambda *a, pair=pair: tdtm_reference.block_pair_tdtm(pair, pair.index, *a)  # noqa: E731
            self.parity(uid + ".tdtm", "denoiser.block", tdtm_unit, None, ref)
            self.parity(uid + ".tdtm", "denoiser.block", tdtm_unit, {"frames": 6}, ref)
            self.progress.unit(uid, plain["sizeBytes"])
            self.progress.unit(uid + ".tdtm", merged["sizeBytes"])
            entries["blocks"].append({"unit": plain, "tdtm": merged})
            del pair, plain_unit, tdtm_unit
            gc.collect()
        entries["final"] = self.single("denoiser.final", "denoiser.final", final_module)
        return entries, list(null.shape)

    def vae(self):
        spatial, temporal, src = self.inp.spatial, self.inp.temporal, self.inp.vae
        keys = lambda key: key if key in ("scale", "shift") else layouts.TEMPORAL_PREFIX + key  # noqa: E731
        tdec = self.load(lambda: vae_temporal.TemporalDecoder(temporal), "", src, keys)
        temporal_entry = self.single("vae.temporal", "vae.temporal", tdec, (None, {"chunk_frames": 2}))
        scale = [float(x) for x in tdec.scale.flatten()]
        shift = [float(x) for x in tdec.shift.flatten()]
        probe = package_facts.PreviewProbe(self.inp.spatial.latent_channels, self.inp.vae_cfg["chunkFrames"],
                                           temporal.time_factor)
        latents, x_z = probe.temporal(tdec)
        del tdec
        gc.collect()
        sdec = self.load(lambda: vae_spatial.SpatialDecoder(spatial), layouts.SPATIAL_PREFIX, src)
        spatial_entry = self.single("vae.spatial", "vae.spatial", sdec)
        factors, bias, rmse = probe.fit(latents, x_z, sdec)
        del sdec
        gc.collect()
        # The encoders (conditioning frames → latents): parity also at a pixel size that is not a multiple of the
        # spatial factor (one frame, 40 × 60 → 5 × 7) and on a one-frame chunk (an image, padded to 4 frames).
        senc = self.load(lambda: vae_spatial.SpatialEncoder(spatial), layouts.SPATIAL_PREFIX, src)
        spatial_encoder = self.single("vae.spatial_encoder", "vae.spatial_encoder", senc,
                                      (None, {"frame_batch": 1, "height_px": 40, "width_px": 60}))
        del senc
        gc.collect()
        tenc = self.load(lambda: vae_temporal.TemporalEncoder(temporal), "", src, keys)
        temporal_encoder = self.single("vae.temporal_encoder", "vae.temporal_encoder", tenc, (None, {"chunk_frames": 1}))
        del tenc
        gc.collect()
        return {"temporal": temporal_entry, "spatial": spatial_entry, "scale": scale, "shift": shift,
                "encoder": {"spatial": spatial_encoder, "temporal": temporal_encoder},
                "preview": {"factors": factors, "bias": bias}, "preview_rmse": rmse}


def vars_geometry(g):
    return {"batch": g.b, "text_len": g.l, "frames": g.t, "height": g.h, "width": g.w, "height_px": g.height_px,
            "width_px": g.width_px, "fps": g.fps, "chunk_frames": g.chunk_frames, "frame_batch": g.frame_batch}


def check_out(out):
    if os.path.lexists(out) and not (os.path.isdir(out) and not os.listdir(out)):
        raise ImportRefused(f"{out}: already exists; choose a new folder (nothing was changed)")
    parent = os.path.dirname(out) or "."
    if not os.path.isdir(parent):
        raise ImportRefused(f"{parent}: the folder to create the package in does not exist")


def prepare_out(out):
    check_out(out)
    parent = os.path.dirname(out) or "."
    return tempfile.mkdtemp(prefix=f".{os.path.basename(out)}.importing-", dir=parent)


def run(args):
    started = time.time()
    inputs = Inputs(args)
    out = os.path.abspath(args.out)
    tmp = prepare_out(out)
    try:
        total = inputs.t5cfg.num_layers + 2 + 2 * inputs.mcfg["depth"] + 2 + 4  # VAE: 2 decoders, 2 encoders
        builder = Builder(inputs, tmp, args.parity, Progress(total, args.progress_json))
        text = builder.text()
        denoiser, null_shape = builder.denoiser()
        vae = builder.vae()
        builder.write_parity_index()
        tokenizer = inputs.tokenizer.copy_into(tmp, inputs.mcfg["model_max_length"])
        manifest = package_facts.manifest(args, package_id(args.id or args.name), inputs, tokenizer, text, denoiser,
                                          null_shape, vae)
        with open(os.path.join(tmp, "manifest.json"), "w") as f:
            json.dump(manifest, f, indent=2)
        if os.path.isdir(out):
            os.rmdir(out)  # empty (checked above)
        os.rename(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    size = sum(os.path.getsize(os.path.join(out, f)) for f in os.listdir(out) if os.path.isfile(os.path.join(out, f)))
    summary = {"event": "done", "out": out, "sizeBytes": size, "seconds": round(time.time() - started, 2),
               "peakRssBytes": peak_rss_bytes(),
               "previewRmse": round(vae["preview_rmse"], 5)}
    print(json.dumps(summary) if args.progress_json else
          f"wrote {out}: {size / 1e6:.2f} MB in {summary['seconds']} s, peak RSS "
          f"{summary['peakRssBytes'] / 2 ** 20:.0f} MiB", flush=True)


def run_random(args):
    """Writes real-size random checkpoints (kept with --keep-checkpoints), then imports them."""
    out = os.path.abspath(args.out)
    # The bench prints this command with OUT under bench-data/, which a fresh checkout does not have yet.
    os.makedirs(os.path.dirname(out), exist_ok=True)
    check_out(out)  # refuse an existing OUT before writing gigabytes
    keep = args.keep_checkpoints
    folder = os.path.abspath(keep) if keep else tempfile.mkdtemp(prefix=f".{os.path.basename(out)}.checkpoints-",
                                                                 dir=os.path.dirname(out))
    started = time.time()
    try:
        blocks = [] if args.t5_blocks is None else ["--t5-blocks", str(args.t5_blocks)]
        write_checkpoints.main(["--out", folder, "--size", RANDOM_CONFIGS[args.config], "--t5-format", "safetensors",
                                *blocks])
        print(f"random checkpoints ({args.config} sizes) in {time.time() - started:.0f} s", flush=True)
        args.stdit, args.vae, args.t5 = (os.path.join(folder, part) for part in ("stdit", "vae", "t5"))
        run(args)
    finally:
        if not keep:
            shutil.rmtree(folder, ignore_errors=True)


def main(argv=None):
    args = parse_args(argv)
    torch.set_num_threads(1)
    for noise in ("The shape inference of prim::Constant", "Constant folding - Only steps=1"):
        warnings.filterwarnings("ignore", message=noise, category=UserWarning)
    try:
        if args.random:
            run_random(args)
        else:
            run(args)
    except ImportRefused as err:
        print(f"import-model: refused: {err}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())

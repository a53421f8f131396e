"""Write the studio model package (models/FORMAT.md, schema src/shared/model/manifest.ts).

Shipped package (EMA weights; the default checkpoint is recipe v2's released one, which gives models/shapes-tiny/
byte for byte):
    /usr/bin/python3 models/tools/export_package.py [--checkpoint models/checkpoints/shapes-tiny-v2.pt] [--out models/shapes-tiny]
Random-weight test package in seconds, with parity fixtures:
    /usr/bin/python3 models/tools/export_package.py --random --seed 0 --out DIR --parity [--depth 2 --hidden 64 ...]
A checkpoint whose keys or shapes do not match the configs is refused (exit code 2, offending keys named).
"""
import argparse
import json
import math
import os
import sys
import time

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
import torch  # noqa: E402

import checkpoint as ckpt_lib  # noqa: E402
import data  # noqa: E402
import onnx_io  # noqa: E402
import parity  # noqa: E402
import units  # noqa: E402
from text_encoder import WordTokenizer  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
MODELS = os.path.dirname(HERE)
CONFIG_DIR = os.path.join(MODELS, "config")
DEFAULT_CKPT = os.path.join(MODELS, "checkpoints", "shapes-tiny-v2.pt")
DEFAULT_OUT = os.path.join(MODELS, "shapes-tiny")


def read_configs(config_dir=CONFIG_DIR):
    cfgs = {}
    for name in ("denoiser", "text", "decoder", "clip"):
        with open(os.path.join(config_dir, name + ".json")) as f:
            cfgs[name] = json.load(f)
    return cfgs


def apply_overrides(cfgs, args):
    d, t, c = cfgs["denoiser"], cfgs["text"], cfgs["clip"]
    for key, target, field in (("depth", d, "depth"), ("hidden", d, "hidden_size"), ("heads", d, "num_heads"),
                               ("text_depth", t, "depth"), ("frames", c, "frames")):
        if getattr(args, key) is not None:
            target[field] = getattr(args, key)
    if args.text_hidden is not None:
        t["hidden_size"] = args.text_hidden
        d["caption_channels"] = args.text_hidden
    if args.decoder_channels is not None:
        cfgs["decoder"]["channels"] = [int(c) for c in args.decoder_channels.split(",")]


@torch.no_grad()
def randomize(modules, seed):
    """Non-degenerate random weights for every tensor (training init zeroes some, which would hide bugs)."""
    gen = torch.Generator().manual_seed(seed)
    for module in modules.values():
        for name, p in list(module.named_parameters()) + list(module.named_buffers()):
            if name.endswith("rope.freqs"):
                continue
            leaf = name.rsplit(".", 1)[-1]
            if leaf == "weight" and p.dim() >= 2:
                fan_in = p[0].numel()
                p.copy_(torch.randn(p.shape, generator=gen) / math.sqrt(fan_in))
            elif "norm" in name and leaf == "weight":
                p.copy_(1.0 + 0.2 * torch.randn(p.shape, generator=gen))
            elif leaf == "latent_scale":
                p.copy_(0.5 + torch.rand(p.shape, generator=gen))
            else:
                p.copy_(0.2 * torch.randn(p.shape, generator=gen))
    # A real PCA encoder keeps preview factors meaningful even with random weights.
    videos, _, _ = data.batch(seed, 0, 32, data.train_combinations())
    modules["encoder"].fit(torch.from_numpy(videos))


@torch.no_grad()
def preview_fit(encoder, factor, clips=256, seed=12345):
    """Least-squares map normalized latent -> RGB (latent resolution) on training clips."""
    videos, _, _ = data.batch(seed, 0, clips, data.train_combinations())
    v = torch.from_numpy(videos).double()
    z = encoder(v.float()).double()  # [N, C, F, h, w]
    b, c3, f, hp, wp = v.shape
    rgb = v.reshape(b, c3, f, hp // factor, factor, wp // factor, factor).mean(dim=(4, 6))
    zz = z.permute(0, 2, 3, 4, 1).reshape(-1, z.shape[1])
    design = torch.cat((zz, torch.ones(zz.shape[0], 1, dtype=torch.float64)), dim=1)
    target = rgb.permute(0, 2, 3, 4, 1).reshape(-1, 3)
    sol = torch.linalg.lstsq(design, target).solution  # [C+1, 3]
    resid = (design @ sol - target).pow(2).mean().sqrt().item()
    factors = [[round(float(x), 6) for x in row] for row in sol[:-1]]
    return factors, [round(float(x), 6) for x in sol[-1]], resid


def unit_entry(uid, file_name, weights_name, size_bytes, model):
    return {"id": uid, "file": file_name, "weightsFile": weights_name, "sizeBytes": int(size_bytes),
            "inputs": onnx_io.graph_io_spec(model, "inputs"), "outputs": onnx_io.graph_io_spec(model, "outputs")}


class Exporter:
    def __init__(self, modules, cfgs, out_dir, tokenizer):
        self.m, self.cfgs, self.out, self.tok = modules, cfgs, out_dir, tokenizer
        clip, dec = cfgs["clip"], cfgs["decoder"]
        self.geometry = units.Geometry(batch=2, frames=max(3, clip["frames"] // dec["temporal_factor"] - 1),
                                       height=clip["height"] // dec["spatial_factor"],
                                       width=clip["width"] // dec["spatial_factor"],
                                       text_len=cfgs["text"]["max_tokens"], height_px=clip["height"],
                                       width_px=clip["width"], fps=clip["fps"])
        self.gen = torch.Generator().manual_seed(7)
        self.wrappers = {}  # unit id -> (kind, module, tdtm)

    def _inputs(self, kind, tdtm=False):
        return units.example_inputs(kind, self.cfgs["denoiser"], self.cfgs["text"], self.geometry, self.gen,
                                    tdtm=tdtm, vocab_size=len(self.tok.words))

    def export_unit(self, uid, kind, module, weight_file, tdtm=False):
        inputs = self._inputs(kind, tdtm)
        graph = onnx_io.export_graph(module, tuple(inputs.values()), list(inputs), units.OUTPUTS[kind],
                                     units.axes_for(kind, tdtm))
        size = weight_file.externalize(graph)
        file_name = uid + ".onnx"
        onnx_io.save_graph(graph, self.out, file_name)
        self.wrappers[uid] = (kind, module, tdtm)
        return unit_entry(uid, file_name, weight_file.name, size, graph)

    def export_single(self, uid, kind, module):
        wf = onnx_io.WeightFile(self.out, uid + ".weights")
        entry = self.export_unit(uid, kind, module, wf)
        wf.write()
        return entry

    def run(self):
        enc, model, dec = self.m["text"], self.m["denoiser"], self.m["decoder"]
        text = {"embed": self.export_single("text.embed", "text.embed", units.TextEmbed(enc)),
                "blocks": [self.export_single(f"text.block.{i:02d}", "text.block", units.TextBlock(enc, i))
                           for i in range(len(enc.blocks))],
                "final": self.export_single("text.final", "text.final", units.TextFinal(enc))}
        den = {"embedder": self.export_single("denoiser.embedder", "denoiser.embedder",
                                              units.DenoiserEmbedder(model)), "blocks": []}
        for i in range(model.depth):
            uid = f"denoiser.block.{i:02d}"
            wf = onnx_io.WeightFile(self.out, uid + ".weights")
            plain = self.export_unit(uid, "denoiser.block", units.DenoiserBlockPair(model, i, False), wf)
            merged = self.export_unit(uid + ".tdtm", "denoiser.block", units.DenoiserBlockPair(model, i, True),
                                      wf, tdtm=True)
            wf.write()
            den["blocks"].append({"unit": plain, "tdtm": merged})
        den["final"] = self.export_single("denoiser.final", "denoiser.final", units.DenoiserFinal(model))
        decoder = self.export_single("decoder", "decoder", units.Decoder(dec))
        return text, den, decoder


def write_package(modules, cfgs, out_dir, package_id, name, description, training, write_parity):
    os.makedirs(out_dir, exist_ok=True)
    for mod in modules.values():
        mod.eval()
    tcfg, dcfg, decfg, clip = cfgs["text"], cfgs["denoiser"], cfgs["decoder"], cfgs["clip"]
    tok = WordTokenizer(ckpt_lib.vocab_words(), tcfg["max_tokens"])
    if len(tok.words) != tcfg["vocab_size"]:
        raise SystemExit(f"vocabulary has {len(tok.words)} words but text config vocab_size is {tcfg['vocab_size']}")
    tok.save(os.path.join(out_dir, "vocab.json"))
    null = modules["denoiser"].y_embedder.y_embedding.detach().float().contiguous()
    null.numpy().astype("<f4").tofile(os.path.join(out_dir, "null_caption.bin"))

    exporter = Exporter(modules, cfgs, out_dir, tok)
    text, den, decoder = exporter.run()
    factors, bias, preview_rmse = preview_fit(modules["encoder"], decfg["spatial_factor"])

    model = modules["denoiser"]
    manifest = {
        "schemaVersion": 1, "id": package_id, "name": name, "version": "1.0.0", "description": description,
        "architecture": "stdit3",
        "native": {"frames": clip["frames"], "height": clip["height"], "width": clip["width"], "fps": clip["fps"]},
        "latent": {"channels": dcfg["in_channels"], "frames": clip["frames"] // decfg["temporal_factor"],
                   "height": clip["height"] // decfg["spatial_factor"],
                   "width": clip["width"] // decfg["spatial_factor"]},
        "sampler": {"steps": clip["sampler_steps"], "cfgScale": clip["cfg_scale"], "numTimesteps": 1000,
                    "timestepTransform": clip["timestep_transform"], "conditioningFps": clip["fps"]},
        "text": {"tokenizer": {"kind": "word", "vocabFile": "vocab.json", "maxTokens": tcfg["max_tokens"],
                               "padId": tok.pad_id, "unknownId": tok.unk_id, "endId": tok.end_id,
                               "lowercase": True},
                 "hiddenSize": tcfg["hidden_size"], **text},
        "nullCaption": {"file": "null_caption.bin", "shape": list(null.shape)},
        "denoiser": {"hiddenSize": model.hidden_size, "depth": model.depth, "numHeads": model.num_heads,
                     "patchSize": list(model.patch_size), "inChannels": model.in_channels,
                     "outChannels": model.out_channels, "captionChannels": dcfg["caption_channels"],
                     "modelMaxLength": dcfg["model_max_length"], "inputSqSize": dcfg.get("input_sq_size", 512),
                     **den},
        "decoder": {"unit": decoder, "temporalFactor": decfg["temporal_factor"],
                    "spatialFactor": decfg["spatial_factor"]},
        "preview": {"factors": factors, "bias": bias},
    }
    if training is not None:
        manifest["training"] = training
    with open(os.path.join(out_dir, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=2)
    if write_parity:
        parity.write_fixtures(exporter, os.path.join(out_dir, "parity"))
    return manifest, preview_rmse


def recipe_text(ck):
    """The checkpoint's recipe line plus the resumed phases it records (train.py --resume ...)."""
    phases = [f"{p['from_step']}→{p['to_step']} lr {p['lr']:g}"
              + (f" τ-shift {p['tau_shift']:g}" if p.get("tau_shift", 1.0) != 1.0 else "")
              + (f" {p['high_noise_frac']:.0%} at τ≥{p['high_noise_min']:g}" if p.get("high_noise_frac") else "")
              + (f" {p['uniform_frac']:.0%} at τ~U(0,1)" if p.get("uniform_frac") else "")
              + (f" outline weight {p['outline_weight']:g} from step {p['outline_from']}" if p.get("outline_weight") else "")
              + (f" {p['round_input_frac']:.0%} rounded-outline inputs (blur σ {p['round_sigma_px'][0]:g}–"
                 f"{p['round_sigma_px'][1]:g} px)" if p.get("round_input_frac") else "")
              + (f" {p['own_step_frac']:.0%} own-step inputs" if p.get("own_step_frac") else "")
              + (f" faint-pair squares and triangles drawn {p['faint_outline_repeat']}×"
                 if p.get("faint_outline_repeat", 1) > 1 else "")
              + (" (from the released weights, fresh optimizer)" if p.get("from_release") else "")
              + (" temporal pos-emb" if p.get("temporal_pos") else "")
              + (f" {p['world']} world" if p.get("world") else "")
              for p in ck.get("phases", [])]
    base = ck.get("recipe", "models/tools/train_all.py")
    prediction = (ck.get("denoiser_config") or {}).get("prediction_type")
    if prediction:
        base += f"; denoiser head: {prediction}"
    return base + ("; recorded phases: " + "; ".join(phases) if phases else "")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--checkpoint", default=DEFAULT_CKPT)
    ap.add_argument("--out", default=None)
    ap.add_argument("--config-dir", default=CONFIG_DIR)
    ap.add_argument("--random", action="store_true", help="random weights (engine tests); no checkpoint")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--parity", action="store_true", help="also write parity fixtures into OUT/parity/")
    for flag in ("depth", "hidden", "heads", "text-depth", "text-hidden", "frames"):
        ap.add_argument("--" + flag, type=int, default=None, help="config override (random packages only)")
    ap.add_argument("--decoder-channels", default=None, help="config override, e.g. 16,12,8 (random packages only)")
    args = ap.parse_args(argv)
    torch.set_num_threads(1)
    started = time.time()

    cfgs = read_configs(args.config_dir)
    overrides = any(getattr(args, k) is not None for k in ("depth", "hidden", "heads", "text_depth",
                                                          "text_hidden", "frames", "decoder_channels"))
    if overrides and not args.random:
        ap.error("config overrides are only allowed with --random")
    apply_overrides(cfgs, args)
    torch.manual_seed(args.seed)
    modules = ckpt_lib.build_modules(cfgs)
    held_out = data.held_out_descriptions()
    if args.random:
        randomize(modules, args.seed)
        out = args.out or os.path.join(MODELS, "runs", "random-package")
        pkg_id, name = "shapes-tiny-random", "Shapes tiny (random weights, for tests)"
        desc = f"Random-weight package, seed {args.seed}; same structure as shapes-tiny. Not a usable model."
        training = {"recipe": "random weights (export_package.py --random)", "steps": 0, "wallClockSeconds": 0,
                    "heldOut": held_out}
    else:
        ck = torch.load(args.checkpoint, map_location="cpu")
        cfgs = ckpt_lib.configs_for(ck, cfgs)
        modules = ckpt_lib.build_modules(cfgs)
        try:
            ckpt_lib.load_into(modules, ckpt_lib.weights_for_export(ck))
        except ckpt_lib.CheckpointMismatch as err:
            print(f"export_package: refusing {args.checkpoint}: {err}", file=sys.stderr)
            return 2
        out = args.out or DEFAULT_OUT
        pkg_id, name = "shapes-tiny", "Shapes in motion (tiny STDiT3)"
        desc = ("Tiny Open-Sora 1.2-structured text-to-video model trained from scratch on synthetic clips of one "
                "coloured shape moving on a plain background (16 frames, 32x32).")
        training = {"recipe": recipe_text(ck), "steps": int(ck.get("step", 0)),
                    "wallClockSeconds": float(ck.get("wall_seconds", 0.0)), "heldOut": held_out}
    manifest, rmse = write_package(modules, cfgs, out, pkg_id, name, desc, training, args.parity)
    total = sum(os.path.getsize(os.path.join(out, f)) for f in os.listdir(out) if os.path.isfile(os.path.join(out, f)))
    print(f"wrote {out}: {total / 1e6:.2f} MB, preview rmse {rmse:.5f}, {time.time() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())

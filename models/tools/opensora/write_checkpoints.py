"""Small random-weight checkpoints in the three published Open-Sora 1.2 layouts, for the importer's tests.

    /usr/bin/python3 models/tools/opensora/write_checkpoints.py --out DIR [--t5-format bin|safetensors] [--seed N]
        [--size small|wide|real] [--t5-blocks N]

Writes DIR/stdit (config.json + model.safetensors, as hpcai-tech/OpenSora-STDiT-v3), DIR/vae (config.json +
model.safetensors, as hpcai-tech/OpenSora-VAE-v1.2) and DIR/t5 (config.json, a real SentencePiece unigram
`spiece.model` trained here on a small corpus, tokenizer_config.json, and two weight shards with their index,
as DeepFloyd/t5-v1_1-xxl: pickled `pytorch_model-0000N-of-00002.bin` + `pytorch_model.bin.index.json`, or
safetensors shards + `model.safetensors.index.json`). Key names and config fields are the published ones;
only the sizes are small. Every tensor is random and non-zero, so no block is an identity.
`--size real` writes Open-Sora 1.2's real sizes (STDiT3-XL/2 with its 28 pairs: the published 4.8 GB; the
published VAE) and a T5-XXL with only --t5-blocks real-size blocks (≈ 0.8 GB each; 24 would be 19 GB): what
`import-model --random` and the real-size bench need.
"""
import argparse
import io
import json
import math
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import sentencepiece  # noqa: E402
import torch  # noqa: E402

import census  # noqa: E402  (the published sizes)
import layouts  # noqa: E402
import safetensors_io  # noqa: E402
import t5_encoder  # noqa: E402
import vae_spatial  # noqa: E402
import vae_temporal  # noqa: E402

STDIT_SMALL = {"hidden_size": 64, "depth": 2, "num_heads": 4, "patch_size": [1, 2, 2], "in_channels": 4,
               "pred_sigma": True, "caption_channels": 32, "model_max_length": 16, "qk_norm": True, "mlp_ratio": 4.0}
T5_SMALL = {"d_model": 32, "d_kv": 8, "d_ff": 64, "num_layers": 3, "num_heads": 4, "vocab_size": 320,
            "relative_attention_num_buckets": 32, "relative_attention_max_distance": 128, "layer_norm_epsilon": 1e-6}
SPATIAL_SMALL = vae_spatial.SpatialSizes([32, 32, 64, 64], 1, 4)
TEMPORAL_SMALL = vae_temporal.TemporalSizes(32, [1, 2, 2, 2], 1, [False, True, True])
# Real widths (STDiT3-XL/2, T5-XXL, the published VAE) with few blocks: the importer's per-unit memory and time
# at full width, for measuring on a machine that cannot hold the full checkpoints.
STDIT_WIDE = dict(census.STDIT_XL2, depth=2)
T5_WIDE = dict(census.T5_XXL, num_layers=2)
SPATIAL_WIDE = census.SDXL_VAE
TEMPORAL_WIDE = census.TEMPORAL_SD
# The test package's sizes (test/fixtures/packages/opensora-tiny; every GroupNorm width is 32).
STDIT_TINY = dict(STDIT_SMALL, hidden_size=32, num_heads=2)
SPATIAL_TINY = vae_spatial.SpatialSizes([32, 32, 32, 32], 1, 4)
TEMPORAL_TINY = vae_temporal.TemporalSizes(32, [1, 1, 1], 1, [True, True])
SIZES = {"small": (STDIT_SMALL, T5_SMALL, SPATIAL_SMALL, TEMPORAL_SMALL),
         "tiny": (STDIT_TINY, T5_SMALL, SPATIAL_TINY, TEMPORAL_TINY),
         "wide": (STDIT_WIDE, T5_WIDE, SPATIAL_WIDE, TEMPORAL_WIDE),
         "real": (census.STDIT_XL2, census.T5_XXL, census.SDXL_VAE, census.TEMPORAL_SD)}
REAL_T5_BLOCKS = 4
VAE_SCALE = (3.85, 2.32, 2.33, 3.06)  # OpenSoraVAE_V1_2's normalization (opensora/models/vae/vae.py)
VAE_SHIFT = (-0.10, 0.34, 0.27, 0.98)
SPM_VOCAB = 200

CORPUS_WORDS = ("a cat dog bird fish horse red blue green yellow purple orange small large tiny huge walking running "
                "flying swimming jumping in on under over the snow rain sun city forest river ocean beach mountain "
                "street night day morning evening camera slowly quickly aesthetic score cinematic close-up wide shot "
                "of with and through near far above below drone view golden hour").split()


def stdit_config_json(cfg):
    """config.json in the published form (transformers PretrainedConfig fields of STDiT3Config)."""
    return {"architectures": ["STDiT3"], "model_type": "STDiT3", "caption_channels": cfg["caption_channels"],
            "class_dropout_prob": 0.1, "depth": cfg["depth"], "drop_path": 0.0, "enable_flash_attn": False,
            "enable_layernorm_kernel": False, "enable_sequence_parallelism": False, "freeze_y_embedder": True,
            "hidden_size": cfg["hidden_size"], "in_channels": cfg["in_channels"], "input_size": [None, None, None],
            "input_sq_size": 512, "mlp_ratio": cfg["mlp_ratio"], "model_max_length": cfg["model_max_length"],
            "num_heads": cfg["num_heads"], "only_train_temporal": False, "patch_size": cfg["patch_size"],
            "pred_sigma": cfg["pred_sigma"], "qk_norm": cfg["qk_norm"], "skip_y_embedder": False,
            "torch_dtype": "float32", "transformers_version": "4.36.2"}


def vae_config_json():
    return {"architectures": ["VideoAutoencoderPipeline"], "model_type": "VideoAutoencoderPipeline",
            "cal_loss": False, "freeze_vae_2d": False, "from_pretrained": None, "micro_frame_size": 17,
            "scale": list(VAE_SCALE), "shift": list(VAE_SHIFT), "torch_dtype": "float32",
            "transformers_version": "4.36.2",
            "vae_2d": {"from_pretrained": "PixArt-alpha/pixart_sigma_sdxlvae_T5_diffusers", "local_files_only": True,
                       "micro_batch_size": 4, "subfolder": "vae", "type": "VideoAutoencoderKL"},
            "vae_temporal": {"from_pretrained": None, "type": "VAE_Temporal_SD"}}


def t5_config_json(cfg):
    return {"architectures": ["T5EncoderModel"], "model_type": "t5", "d_ff": cfg["d_ff"], "d_kv": cfg["d_kv"],
            "d_model": cfg["d_model"], "decoder_start_token_id": 0, "dense_act_fn": "gelu_new", "dropout_rate": 0.1,
            "eos_token_id": 1, "feed_forward_proj": "gated-gelu", "initializer_factor": 1.0,
            "is_encoder_decoder": True, "is_gated_act": True, "layer_norm_epsilon": cfg["layer_norm_epsilon"],
            "num_decoder_layers": cfg["num_layers"], "num_heads": cfg["num_heads"], "num_layers": cfg["num_layers"],
            "output_past": True, "pad_token_id": 0, "relative_attention_max_distance": cfg["relative_attention_max_distance"],
            "relative_attention_num_buckets": cfg["relative_attention_num_buckets"], "tie_word_embeddings": False,
            "torch_dtype": "float32", "transformers_version": "4.28.0", "use_cache": True,
            "vocab_size": cfg["vocab_size"]}


def tokenizer_config_json():
    return {"additional_special_tokens": [f"<extra_id_{i}>" for i in range(100)], "eos_token": "</s>",
            "extra_ids": 100, "model_max_length": 512, "pad_token": "<pad>", "sp_model_kwargs": {},
            "tokenizer_class": "T5Tokenizer", "unk_token": "<unk>"}


def random_state(shapes, gen):
    """Non-degenerate random tensors: fan-in-scaled matrices, norm weights near 1, small vectors."""
    state = {}
    for key, shape in shapes.items():
        leaf = key.rsplit(".", 1)[-1]
        if key.endswith("rope.freqs"):
            state[key] = 10000.0 ** (-torch.arange(0, 2 * shape[0], 2, dtype=torch.float32) / (2 * shape[0]))
        elif len(shape) >= 2:
            fan_in = math.prod(shape[1:])
            state[key] = torch.randn(shape, generator=gen) / math.sqrt(fan_in)
        elif "norm" in key and leaf == "weight":
            state[key] = 1.0 + 0.2 * torch.randn(shape, generator=gen)
        else:
            state[key] = 0.2 * torch.randn(shape, generator=gen)
    return state


def write_json(path, obj):
    with open(path, "w") as f:
        json.dump(obj, f, indent=2)


def write_stdit(folder, gen, cfg):
    os.makedirs(folder)
    with layouts.without_init():
        shapes = {}
        for _, prefix, make in layouts.stdit_parts(cfg):
            shapes.update(layouts.shapes_of(make(), prefix))
    write_json(os.path.join(folder, "config.json"), stdit_config_json(cfg))
    safetensors_io.write(os.path.join(folder, "model.safetensors"), random_state(shapes, gen), {"format": "pt"})


def write_vae(folder, gen, spatial, temporal):
    os.makedirs(folder)
    with layouts.without_init():
        shapes = layouts.shapes_of(layouts.vae_parts(spatial, temporal)())
    state = random_state(shapes, gen)
    state["scale"] = torch.tensor(VAE_SCALE).reshape(1, 4, 1, 1, 1)
    state["shift"] = torch.tensor(VAE_SHIFT).reshape(1, 4, 1, 1, 1)
    write_json(os.path.join(folder, "config.json"), vae_config_json())
    safetensors_io.write(os.path.join(folder, "model.safetensors"), state, {"format": "pt"})


def train_spiece(path):
    """A real SentencePiece unigram model with T5's special-id layout (pad 0, </s> 1, <unk> 2, no <s>)."""
    gen = torch.Generator().manual_seed(3)
    lines = []
    for _ in range(600):
        n = int(torch.randint(4, 12, (1,), generator=gen))
        idx = torch.randint(0, len(CORPUS_WORDS), (n,), generator=gen).tolist()
        lines.append(" ".join(CORPUS_WORDS[i] for i in idx).capitalize() + ".")
    model = io.BytesIO()
    sentencepiece.SentencePieceTrainer.train(
        sentence_iterator=iter(lines), model_writer=model, model_type="unigram", vocab_size=SPM_VOCAB,
        pad_id=0, eos_id=1, unk_id=2, bos_id=-1, pad_piece="<pad>", eos_piece="</s>", unk_piece="<unk>",
        character_coverage=1.0, minloglevel=2)
    with open(path, "wb") as f:
        f.write(model.getvalue())


def write_t5(folder, gen, fmt, sizes):
    os.makedirs(folder)
    cfg = t5_encoder.T5Config(sizes)
    with layouts.without_init():
        ordered = {}
        for _, prefix, make in t5_encoder.unit_prefixes(cfg):
            ordered.update(layouts.shapes_of(make(), prefix))
    state = random_state(ordered, gen)
    write_json(os.path.join(folder, "config.json"), t5_config_json(sizes))
    write_json(os.path.join(folder, "tokenizer_config.json"), tokenizer_config_json())
    train_spiece(os.path.join(folder, "spiece.model"))
    keys = list(state)  # state-dict order, as save_pretrained shards
    half = len(keys) // 2
    groups = [keys[:half], keys[half:]]
    ext, index_name = (".bin", "pytorch_model.bin.index.json") if fmt == "bin" else \
        (".safetensors", "model.safetensors.index.json")
    stem = "pytorch_model" if fmt == "bin" else "model"
    weight_map = {}
    for n, group in enumerate(groups, start=1):
        name = f"{stem}-{n:05d}-of-{len(groups):05d}{ext}"
        shard = {k: state[k] for k in group}
        if fmt == "bin":
            if "shared.weight" in shard:  # torch.save of T5EncoderModel keeps the tied alias, sharing storage
                shard["encoder.embed_tokens.weight"] = shard["shared.weight"]
            torch.save(shard, os.path.join(folder, name))
        else:
            safetensors_io.write(os.path.join(folder, name), shard, {"format": "pt"})
        weight_map.update({k: name for k in shard})
    total = sum(t.numel() * 4 for t in state.values())
    write_json(os.path.join(folder, index_name), {"metadata": {"total_size": total}, "weight_map": weight_map})


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", required=True)
    ap.add_argument("--t5-format", choices=("bin", "safetensors"), default="bin")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--size", choices=sorted(SIZES), default="small",
                    help="small (tests), tiny (the test package's), wide (real widths, 2 STDiT3 pairs, 2 T5 blocks: ≈ 4 GB) or real "
                         "(Open-Sora 1.2's sizes, --t5-blocks T5 blocks: ≈ 10 GB with 4)")
    ap.add_argument("--t5-blocks", type=int, default=None,
                    help=f"T5 blocks to write (default: the size's own; {REAL_T5_BLOCKS} for --size real)")
    args = ap.parse_args(argv)
    torch.set_num_threads(1)
    gen = torch.Generator().manual_seed(args.seed)
    os.makedirs(args.out, exist_ok=True)
    stdit, t5, spatial, temporal = SIZES[args.size]
    t5_blocks = args.t5_blocks or (REAL_T5_BLOCKS if args.size == "real" else None)
    if t5_blocks is not None:
        if not 1 <= t5_blocks <= census.T5_XXL["num_layers"]:
            ap.error(f"--t5-blocks must be 1…{census.T5_XXL['num_layers']}")
        t5 = dict(t5, num_layers=t5_blocks)
    write_stdit(os.path.join(args.out, "stdit"), gen, stdit)
    write_vae(os.path.join(args.out, "vae"), gen, spatial, temporal)
    write_t5(os.path.join(args.out, "t5"), gen, args.t5_format, t5)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Replace the decoder in a training checkpoint with a (longer-trained) stage-1 decoder.

The PCA encoder is deterministic, so the denoiser's latent space does not change; the swap is refused if the
two encoders differ. Usage: swap_decoder.py --ckpt models/runs/v2-denoiser.pt --decoder models/runs/v2-latent.pt
"""
import argparse

import torch

import checkpoint as ckpt_lib


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ckpt", required=True)
    ap.add_argument("--decoder", required=True)
    args = ap.parse_args()
    ck = torch.load(args.ckpt, map_location="cpu")
    stage1 = torch.load(args.decoder, map_location="cpu")
    differing = ckpt_lib.differing_encoder_tensor(ck["encoder"], stage1["encoder"])
    if differing is not None:
        raise SystemExit(f"encoder tensor '{differing}' differs: the latent space would change; refusing")
    ck["decoder"] = stage1["decoder"]
    ck["decoder_config"] = ckpt_lib.decoder_config(stage1, ckpt_lib.decoder_config(ck, {}))
    ck["decoder_eval"] = stage1.get("eval")
    ckpt_lib.save_atomic(ck, args.ckpt)
    print(f"swapped decoder into {args.ckpt}: {stage1.get('eval')}")


if __name__ == "__main__":
    main()

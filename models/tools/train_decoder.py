"""Stage 1: fit the PCA latent encoder and train the conv decoder (latent -> pixels).

Usage: train_decoder.py --out models/runs/decoder.pt [--seconds 420] [--device cpu|cuda|mps]
Prints reconstruction PSNR and the judge's accuracy on decode(encode(clip)) for held-out combinations.
"""
import argparse
import json
import os
import time

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

import checkpoint as ckpt_lib  # noqa: E402
import data  # noqa: E402
import devices  # noqa: E402
import scorer  # noqa: E402
from latent import LatentDecoder, PatchPCAEncoder  # noqa: E402

SEED = 20261126
PCA_CLIPS = 512
EVAL_CLIPS = 200
LATENT_NOISE = 0.05  # decoder robustness to small denoiser errors
CROP_FRAMES = 4


def psnr(a, b):
    mse = ((a - b) ** 2).mean().item()
    return 10 * np.log10(4.0 / max(mse, 1e-12))  # signal range [-1, 1] -> peak-to-peak 2


@torch.no_grad()
def evaluate(encoder, decode_fn, device, clips=EVAL_CLIPS):
    videos, _, combos = data.batch(SEED + 7, 0, clips, data.held_out_combinations(), world="wide")
    v = torch.from_numpy(videos)
    rec = torch.cat([decode_fn(encoder(v[i:i + 25].to(device))).cpu() for i in range(0, clips, 25)])
    acc, _ = scorer.score(rec.numpy(), combos)
    return psnr(rec, v), acc


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--steps", type=int, default=1200)
    ap.add_argument("--seconds", type=float, default=None, help="optional wall-clock cap (not reproducible)")
    ap.add_argument("--batch", type=int, default=16)
    devices.add_device_argument(ap)
    args = ap.parse_args()
    torch.set_num_threads(1)
    device = devices.pick_device(args.device)
    torch.manual_seed(SEED)
    np.random.seed(SEED)
    cfgs = {n: json.load(open(os.path.join(os.path.dirname(__file__), "..", "config", n + ".json")))
            for n in ("decoder",)}
    dcfg = cfgs["decoder"]
    started = time.time()

    encoder = PatchPCAEncoder(dcfg["spatial_factor"], dcfg["latent_channels"]).to(device)
    videos, _, _ = data.batch(SEED, 0, PCA_CLIPS, data.train_combinations(), world="wide")
    explained = encoder.fit(torch.from_numpy(videos).to(device))
    print(f"pca explained variance per component: {[round(e, 4) for e in explained]}", flush=True)
    lin_psnr, lin_acc = evaluate(encoder, encoder.linear_decode, device)
    print(f"linear decode: psnr {lin_psnr:.2f} dB, judge {lin_acc}", flush=True)

    decoder = LatentDecoder(dcfg).to(device)
    decoder.latent_shift.copy_(encoder.latent_shift)
    decoder.latent_scale.copy_(encoder.latent_scale)
    opt = torch.optim.AdamW(decoder.parameters(), lr=2e-3, weight_decay=0.0)
    step, index = 0, 0
    log = []
    while step < args.steps and (args.seconds is None or time.time() - started < args.seconds):
        vids, _, _ = data.batch(SEED + 1, index, args.batch, data.train_combinations(), world="wide")
        index += args.batch
        v = torch.from_numpy(vids).to(device)
        t0 = np.random.randint(0, v.shape[2] - CROP_FRAMES + 1)
        v = v[:, :, t0:t0 + CROP_FRAMES]
        with torch.no_grad():
            z = encoder(v)
            z = z + LATENT_NOISE * torch.randn_like(z)
        for g in opt.param_groups:  # cosine decay to 10 %: the last steps sharpen edges
            g["lr"] = 2e-3 * (0.1 + 0.45 * (1 + np.cos(np.pi * min(1.0, step / args.steps))))
        rec = decoder(z)
        loss = F.l1_loss(rec, v) + F.mse_loss(rec, v)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        step += 1
        if step % 50 == 0:
            log.append((step, round(time.time() - started, 1), round(loss.item(), 5)))
            print(f"step {step} t {time.time() - started:.0f}s loss {loss.item():.4f}", flush=True)
    decoder.eval()
    dec_psnr, dec_acc = evaluate(encoder, decoder, device)
    print(f"learned decode: psnr {dec_psnr:.2f} dB, judge {dec_acc}", flush=True)
    cpu = lambda m: {k: t.cpu() for k, t in m.state_dict().items()}  # noqa: E731
    ckpt_lib.save_atomic({"encoder": cpu(encoder), "decoder": cpu(decoder), "steps": step, "device": device.type,
                          "seconds": time.time() - started, "log": log,
                          "eval": {"linear": {"psnr": lin_psnr, **lin_acc}, "learned": {"psnr": dec_psnr, **dec_acc}}},
                         args.out)


if __name__ == "__main__":
    main()

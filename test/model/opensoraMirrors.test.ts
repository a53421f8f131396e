import { describe, expect, it } from 'vitest';
import { runPython } from './opensoraTools';

/**
 * Facts of the upstream architectures that parity alone cannot show (parity compares ONNX with the mirrors):
 * T5's relative-position buckets against values worked out by hand from T5's bucketing rule, and the temporal
 * VAE decoder's time layout: with its GroupNorms (whose statistics span all frames) set aside, latent frame k
 * reaches video frames ≥ 4k only, which needs front-only time padding and depth-to-time with frame 2t + τ.
 */
describe('Open-Sora 1.2 mirror modules', () => {
  it('buckets T5 relative positions as T5 does (32 buckets, max distance 128, bidirectional)', () => {
    const distances = [-500, -128, -64, -9, -8, -7, -1, 0, 1, 7, 8, 9, 64, 127, 128, 500];
    const out = runPython(
      `import json, torch, t5_encoder
d = json.loads(sys.argv[1])
length = 1001
b = t5_encoder.relative_buckets(length, 32, 128)
q = 500  # query position; key position = q + distance
print(json.dumps([int(b[q, q + x]) for x in d]))`,
      [JSON.stringify(distances)],
    );
    // keys before the query: buckets 0..15 (exact below 8, then 8 + ⌊8·log(n/8)/log(16)⌋, capped at 15); after: +16
    expect(JSON.parse(out)).toEqual([15, 15, 14, 8, 8, 7, 1, 0, 17, 23, 24, 24, 30, 31, 31, 31]);
  });

  it('computes upstream\'s causal Conv3d (front time padding, unpadded Conv3d) as its one-Conv2d export does, and depth-to-time at rank 5', () => {
    // The export (CoreML-friendly: 2-D convolutions, rank ≤ 5) against the formulation of Open-Sora v1.2.0's
    // CausalConv3d and its rank-6 depth-to-time, on the same weights: float32 rounding apart, the same numbers.
    const out = runPython(`import json, torch, torch.nn.functional as F, vae_temporal as vt
torch.manual_seed(0)
errors = []
for cin, cout, kernel, stride, frames in [(32, 64, (3, 3, 3), (1, 1, 1), 5), (32, 32, (3, 3, 3), (2, 1, 1), 20),
                                           (8, 8, (1, 1, 1), (1, 1, 1), 4), (4, 32, (3, 3, 3), (1, 1, 1), 1)]:
    conv = vt.CausalConv3d(cin, cout, kernel, stride)
    x = torch.randn(2, cin, frames, 6, 7)
    kt, kh, kw = kernel
    with torch.no_grad():
        upstream = conv.conv(F.pad(x, (kw // 2, kw // 2, kh // 2, kh // 2, (kt - 1) + (1 - stride[0]), 0)))
        ours = conv(x)
    errors.append([list(ours.shape) == list(upstream.shape), float((ours - upstream).abs().max() / upstream.abs().max())])
x = torch.randn(2, 8, 3, 4, 5)
rank6 = x.reshape(2, 4, 2, 3, 4, 5).permute(0, 1, 3, 2, 4, 5).reshape(2, 4, 6, 4, 5)
print(json.dumps({"convs": errors, "depthToTime": float((vt.depth_to_time(x, 2) - rank6).abs().max())}))`);
    const { convs, depthToTime } = JSON.parse(out) as { convs: [boolean, number][]; depthToTime: number };
    expect(convs).toHaveLength(4);
    for (const [sameShape, relative] of convs) {
      expect(sameShape).toBe(true);
      expect(relative).toBeLessThan(1e-5);
    }
    expect(depthToTime).toBe(0);
  });

  it('lays out time in the temporal VAE decoder causally: latent frame k changes only video frames 4k and later', () => {
    const out = runPython(`import json, torch, vae_temporal
torch.manual_seed(0)
sizes = vae_temporal.TemporalSizes(32, [1, 2, 2, 2], 1, [False, True, True])
dec = vae_temporal.TemporalDecoder(sizes).eval()
for name, m in list(dec.named_modules()):
    for child, sub in list(m.named_children()):
        if isinstance(sub, torch.nn.GroupNorm):
            setattr(m, child, torch.nn.Identity())
z = torch.randn(1, 4, 5, 6, 6)
changed = []
with torch.no_grad():
    base = dec(z)
    for k in range(5):
        z2 = z.clone(); z2[:, :, k] += 1.0
        diff = (dec(z2) - base).abs().amax(dim=(0, 1, 3, 4))
        changed.append([int(i) for i in torch.nonzero(diff > 1e-6).flatten()])
print(json.dumps({"frames": int(base.shape[2]), "changed": changed}))`);
    const { frames, changed } = JSON.parse(out) as { frames: number; changed: number[][] };
    expect(frames).toBe(20);
    changed.forEach((list, k) => {
      expect(list[0], `latent frame ${k}`).toBe(4 * k);
      expect(list.at(-1)).toBe(19);
    });
  });
});

"""Tensor and element counts of the mirror modules at the real Open-Sora 1.2 sizes, as JSON.

The published files' sizes pin these numbers down (model.safetensors of OpenSora-STDiT-v3 is 4,835,598,472
bytes = 4 bytes × 1,208,872,772 elements + its header; OpenSora-VAE-v1.2 is 1,573,430,548 bytes; the
t5-v1_1-xxl encoder has 4,762,310,656 parameters), so equal counts show the mirrors lay out the same tensors.
Modules are built without initialization, one part at a time: the whole census takes seconds.
"""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import layouts  # noqa: E402
import t5_encoder  # noqa: E402
import vae_spatial  # noqa: E402
import vae_temporal  # noqa: E402

STDIT_XL2 = {"hidden_size": 1152, "depth": 28, "num_heads": 16, "patch_size": [1, 2, 2], "in_channels": 4,
             "pred_sigma": True, "caption_channels": 4096, "model_max_length": 300, "qk_norm": True, "mlp_ratio": 4.0}
T5_XXL = {"d_model": 4096, "d_kv": 64, "d_ff": 10240, "num_layers": 24, "num_heads": 64, "vocab_size": 32128,
          "relative_attention_num_buckets": 32, "relative_attention_max_distance": 128, "layer_norm_epsilon": 1e-6}
SDXL_VAE = vae_spatial.SpatialSizes([128, 256, 512, 512], 2, 4)
TEMPORAL_SD = vae_temporal.TemporalSizes(128, [1, 2, 2, 4], 4, [False, True, True])


def count(shapes):
    elements = 0
    for shape in shapes.values():
        n = 1
        for d in shape:
            n *= d
        elements += n
    return {"tensors": len(shapes), "elements": elements}


def main():
    with layouts.without_init():
        stdit = {}
        for _, prefix, make in layouts.stdit_parts(STDIT_XL2):
            stdit.update(layouts.shapes_of(make(), prefix))
        vae = layouts.shapes_of(layouts.vae_parts(SDXL_VAE, TEMPORAL_SD)())
        # The encoder units: encoder + quant_conv (the temporal one also holds scale/shift).
        spatial_encoder = layouts.shapes_of(vae_spatial.SpatialEncoder(SDXL_VAE))
        temporal_encoder = layouts.shapes_of(vae_temporal.TemporalEncoder(TEMPORAL_SD))
        cfg = t5_encoder.T5Config(T5_XXL)
        t5 = {}
        for _, prefix, make in t5_encoder.unit_prefixes(cfg):
            t5.update(layouts.shapes_of(make(), prefix))
    part = lambda prefix: count({k: s for k, s in vae.items() if k.startswith(prefix)})  # noqa: E731
    print(json.dumps({"stdit": count(stdit), "vae": count(vae),
                      "vaeSpatial": part("spatial_vae.module."), "vaeSpatialDecoder": part("spatial_vae.module.decoder."),
                      "vaeTemporal": part("temporal_vae."), "vaeTemporalDecoder": part("temporal_vae.decoder."),
                      "vaeSpatialEncoderUnit": count(spatial_encoder), "vaeTemporalEncoderUnit": count(temporal_encoder),
                      "t5": count(t5)}))


if __name__ == "__main__":
    main()

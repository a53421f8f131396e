/**
 * STDiT3's units need latent H and W divisible by the patch size; some presets' latents are odd (240p 16:9 is
 * 30 × 53). As upstream's patch embedder does (opensora/models/stdit/stdit3.py, PatchEmbed3D pads bottom/right
 * with zeros, and unpatchify crops), the engine pads the latent before the units and crops `v` after.
 */
export interface PaddedGrid {
  readonly height: number;
  readonly width: number;
  readonly paddedHeight: number;
  readonly paddedWidth: number;
}

export function paddedGridOf(height: number, width: number, patch: { height: number; width: number }): PaddedGrid {
  return { height, width, paddedHeight: Math.ceil(height / patch.height) * patch.height, paddedWidth: Math.ceil(width / patch.width) * patch.width };
}

/** [planes, H, W] → [planes, Hp, Wp], zeros at the bottom and right (planes = every leading axis multiplied). */
export function padPlanes(values: Float32Array, planes: number, grid: PaddedGrid): Float32Array {
  if (grid.paddedHeight === grid.height && grid.paddedWidth === grid.width) {
    return values;
  }
  const out = new Float32Array(planes * grid.paddedHeight * grid.paddedWidth);
  for (let plane = 0; plane < planes; plane++) {
    for (let row = 0; row < grid.height; row++) {
      const from = (plane * grid.height + row) * grid.width;
      out.set(values.subarray(from, from + grid.width), (plane * grid.paddedHeight + row) * grid.paddedWidth);
    }
  }
  return out;
}

/** [planes, Hp, Wp] → [planes, H, W]: the top-left H × W of every plane. */
export function cropPlanes(values: Float32Array, planes: number, grid: PaddedGrid): Float32Array {
  if (grid.paddedHeight === grid.height && grid.paddedWidth === grid.width) {
    return values;
  }
  const out = new Float32Array(planes * grid.height * grid.width);
  for (let plane = 0; plane < planes; plane++) {
    for (let row = 0; row < grid.height; row++) {
      const from = (plane * grid.paddedHeight + row) * grid.paddedWidth;
      out.set(values.subarray(from, from + grid.width), (plane * grid.height + row) * grid.width);
    }
  }
  return out;
}

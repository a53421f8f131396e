/** Nearest-neighbour upscaling of RGBA pixels (tiny clips are exported bigger, with crisp pixels). Pure. */
export function upscaleNearest<T extends Uint8Array | Uint8ClampedArray>(rgba: T, width: number, height: number, scale: number): T {
  if (!Number.isInteger(scale) || scale < 1) {
    throw new RangeError(`Upscale factor must be a positive integer, got ${scale}.`);
  }
  if (scale === 1) {
    return rgba;
  }
  const outWidth = width * scale;
  const out = new (rgba.constructor as new (length: number) => T)(outWidth * height * scale * 4);
  const source = new Uint32Array(rgba.buffer.slice(rgba.byteOffset, rgba.byteOffset + width * height * 4));
  const target = new Uint32Array(out.buffer);
  for (let y = 0; y < height * scale; y++) {
    const sourceRow = Math.floor(y / scale) * width;
    const targetRow = y * outWidth;
    for (let x = 0; x < outWidth; x++) {
      target[targetRow + x] = source[sourceRow + Math.floor(x / scale)];
    }
  }
  return out;
}

/** The default export scale: the smallest whole factor that makes the longer side at least 256 px (at most 16). */
export function defaultExportScale(width: number, height: number): number {
  const longer = Math.max(width, height, 1);
  return Math.min(16, Math.max(1, Math.ceil(256 / longer)));
}

/** Undoes a whole-factor nearest-neighbour upscale: every `scale`-th pixel of every `scale`-th row. Pure. */
export function downscaleNearest<T extends Uint8Array | Uint8ClampedArray>(rgba: T, width: number, height: number, scale: number): T {
  if (!Number.isInteger(scale) || scale < 1 || width % scale !== 0 || height % scale !== 0) {
    throw new RangeError(`Cannot undo a ${scale}× upscale of a ${width}×${height} image.`);
  }
  if (scale === 1) {
    return rgba;
  }
  const outWidth = width / scale;
  const outHeight = height / scale;
  const out = new (rgba.constructor as new (length: number) => T)(outWidth * outHeight * 4);
  const source = new Uint32Array(rgba.buffer.slice(rgba.byteOffset, rgba.byteOffset + width * height * 4));
  const target = new Uint32Array(out.buffer);
  for (let y = 0; y < outHeight; y++) {
    for (let x = 0; x < outWidth; x++) {
      target[y * outWidth + x] = source[y * scale * width + x * scale];
    }
  }
  return out;
}

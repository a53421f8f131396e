/** Even size of an I420 picture holding a width × height RGBA frame (4:2:0 chroma covers 2×2 pixels). */
export function evenSize(width: number, height: number): { width: number; height: number } {
  return { width: width + (width % 2), height: height + (height % 2) };
}

/**
 * RGBA → I420 (planar Y, then Cb and Cr at half size each way), BT.601 limited range, as H.264 decoders read an
 * untagged stream (Recommendation ITU-R BT.601, item 2.5 of its encoding table: Y in 16..235, Cb/Cr in
 * 16..240). Each chroma sample is the mean of its 2×2 pixels. Odd sizes are padded by one column and/or row repeating the edge pixels. Alpha is ignored. Pure.
 */
export function rgbaToI420(rgba: Uint8Array | Uint8ClampedArray, width: number, height: number): Uint8Array<ArrayBuffer> {
  const out = evenSize(width, height);
  const chromaWidth = out.width / 2;
  const lumaBytes = out.width * out.height;
  const chromaBytes = chromaWidth * (out.height / 2);
  const i420 = new Uint8Array(lumaBytes + 2 * chromaBytes);
  for (let y = 0; y < out.height; y += 2) {
    for (let x = 0; x < out.width; x += 2) {
      let r = 0;
      let g = 0;
      let b = 0;
      for (let dy = 0; dy < 2; dy++) {
        const sourceRow = Math.min(y + dy, height - 1) * width;
        for (let dx = 0; dx < 2; dx++) {
          const at = (sourceRow + Math.min(x + dx, width - 1)) * 4;
          const pr = rgba[at];
          const pg = rgba[at + 1];
          const pb = rgba[at + 2];
          i420[(y + dy) * out.width + x + dx] = Math.round(16 + (65.481 * pr + 128.553 * pg + 24.966 * pb) / 255);
          r += pr;
          g += pg;
          b += pb;
        }
      }
      const chroma = (y / 2) * chromaWidth + x / 2;
      i420[lumaBytes + chroma] = Math.round(128 + (-37.797 * r - 74.203 * g + 112 * b) / 1020);
      i420[lumaBytes + chromaBytes + chroma] = Math.round(128 + (112 * r - 93.786 * g - 18.214 * b) / 1020);
    }
  }
  return i420;
}

/** Drawing typed-array pixels onto canvases (the preview and player paths; pixels never pass through React). */

export interface RgbaFrames {
  width: number;
  height: number;
  frames: number;
  /** RGBA, frames concatenated, width·height·4 bytes each. */
  rgba: Uint8Array;
}

/** Puts one frame at (x, y) in canvas pixels, at its native size (CSS upscales it with image-rendering: pixelated). */
export function putFrame(context: CanvasRenderingContext2D, clip: RgbaFrames, frameIndex: number, x = 0, y = 0): void {
  const frameBytes = clip.width * clip.height * 4;
  const index = Math.min(Math.max(0, frameIndex), clip.frames - 1);
  const pixels = new Uint8ClampedArray(clip.rgba.buffer, clip.rgba.byteOffset + index * frameBytes, frameBytes) as Uint8ClampedArray<ArrayBuffer>;
  context.putImageData(new ImageData(pixels, clip.width, clip.height), x, y);
}

/** Sizes the canvas to the clip's frame (only when it differs: resizing clears it) and returns its 2D context. */
export function prepareCanvas(canvas: HTMLCanvasElement, width: number, height: number): CanvasRenderingContext2D | null {
  if (canvas.width !== width || canvas.height !== height) {
    canvas.width = width;
    canvas.height = height;
  }
  return canvas.getContext('2d');
}

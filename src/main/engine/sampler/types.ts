/**
 * Shape of one batch item of a latent video, layout [C, T, H, W] (channel-major, then latent frame, row,
 * column), float32. The same field names as the manifest's `latent` object, so that object can be passed as is.
 */
export interface LatentShape {
  /** Latent channels C (4 for Open-Sora 1.2). */
  readonly channels: number;
  /** Latent frames T. */
  readonly frames: number;
  /** Latent rows H. */
  readonly height: number;
  /** Latent columns W. */
  readonly width: number;
}

/** Element count of a [C, T, H, W] latent. */
export function latentElementCount(shape: LatentShape): number {
  return shape.channels * shape.frames * shape.height * shape.width;
}

/** Throws unless `length` equals the element count of `shape`; `what` names the tensor in the message. */
export function assertLatentLength(what: string, length: number, shape: LatentShape): void {
  const expected = latentElementCount(shape);
  if (length !== expected) {
    throw new RangeError(
      `${what} has ${length} elements, expected ${expected} for latent [C, T, H, W] = ` +
        `[${shape.channels}, ${shape.frames}, ${shape.height}, ${shape.width}]`,
    );
  }
}

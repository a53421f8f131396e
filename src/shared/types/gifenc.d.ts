// Types for the parts of gifenc (no bundled typings) that the tests use to make GIF files (the studio's own encoder, engine/output/gifWriter.ts, loads it in a worker).
declare module 'gifenc' {
  export type Palette = number[][];
  export interface GifEncoderStream {
    writeFrame(index: Uint8Array, width: number, height: number, options?: { palette?: Palette; delay?: number; repeat?: number; transparent?: boolean }): void;
    finish(): void;
    bytes(): Uint8Array;
  }
  const gifenc: {
    GIFEncoder(options?: { auto?: boolean; initialCapacity?: number }): GifEncoderStream;
    quantize(rgba: Uint8Array | Uint8ClampedArray, maxColors: number, options?: { format?: 'rgb565' | 'rgb444' | 'rgba4444' }): Palette;
    applyPalette(rgba: Uint8Array | Uint8ClampedArray, palette: Palette, format?: 'rgb565' | 'rgb444' | 'rgba4444'): Uint8Array;
  };
  export default gifenc;
  export const GIFEncoder: typeof gifenc.GIFEncoder;
  export const quantize: typeof gifenc.quantize;
  export const applyPalette: typeof gifenc.applyPalette;
}

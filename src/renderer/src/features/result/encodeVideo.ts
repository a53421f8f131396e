import { BufferTarget, CanvasSource, getFirstEncodableVideoCodec, Mp4OutputFormat, Output, QUALITY_HIGH, WebMOutputFormat, type VideoCodec } from 'mediabunny';
import type { ResultClip } from './useJobResult';

export interface EncodedVideo {
  bytes: Uint8Array;
  mimeType: string;
  extension: 'mp4' | 'webm';
  codec: VideoCodec;
  width: number;
  height: number;
  frames: number;
}

export interface VideoExportOptions {
  /** Nearest-neighbour pixel scale. */
  scale: number;
  title: string;
  /** The file's comment tag (the reproducibility record as JSON), once the container and codec are chosen. */
  comment: (chosen: { extension: 'mp4' | 'webm'; codec: VideoCodec; width: number; height: number }) => string;
}

/**
 * Encodes the clip with WebCodecs through mediabunny: H.264 in MP4, or VP9 in WebM where H.264 cannot be encoded.
 * Frames are drawn to a canvas at the export size with smoothing off, then captured one by one.
 */
export async function encodeClipVideo(clip: ResultClip, options: VideoExportOptions): Promise<EncodedVideo> {
  // Encoders want even dimensions.
  const width = even(clip.width * options.scale);
  const height = even(clip.height * options.scale);
  const codec = await getFirstEncodableVideoCodec(['avc', 'vp9'], { width, height });
  if (!codec) {
    throw new Error('This browser can encode neither H.264 nor VP9 video (WebCodecs).');
  }
  const extension = codec === 'avc' ? 'mp4' : 'webm';
  const frameCanvas = document.createElement('canvas');
  frameCanvas.width = clip.width;
  frameCanvas.height = clip.height;
  const frameContext = frameCanvas.getContext('2d');
  const canvas = document.createElement('canvas');
  canvas.width = width;
  canvas.height = height;
  const context = canvas.getContext('2d');
  if (!frameContext || !context) {
    throw new Error('No 2D canvas is available for encoding.');
  }
  context.imageSmoothingEnabled = false;

  const output = new Output({ format: extension === 'mp4' ? new Mp4OutputFormat() : new WebMOutputFormat(), target: new BufferTarget() });
  const source = new CanvasSource(canvas, { codec, quality: QUALITY_HIGH });
  output.addVideoTrack(source, { frameRate: clip.fps });
  output.setMetadataTags({ title: options.title, comment: options.comment({ extension, codec, width, height }) });
  await output.start();
  const frameBytes = clip.width * clip.height * 4;
  const frameDuration = 1 / clip.fps;
  for (let index = 0; index < clip.frames; index++) {
    const pixels = new Uint8ClampedArray(clip.rgba.buffer, clip.rgba.byteOffset + index * frameBytes, frameBytes) as Uint8ClampedArray<ArrayBuffer>;
    frameContext.putImageData(new ImageData(pixels, clip.width, clip.height), 0, 0);
    context.clearRect(0, 0, width, height);
    context.drawImage(frameCanvas, 0, 0, clip.width * options.scale, clip.height * options.scale);
    await source.add(index * frameDuration, frameDuration);
  }
  source.close();
  await output.finalize();
  const buffer = output.target.buffer;
  if (!buffer) {
    throw new Error('The encoder produced no file.');
  }
  return { bytes: new Uint8Array(buffer), mimeType: await output.getMimeType(), extension, codec, width, height, frames: clip.frames };
}

function even(value: number): number {
  return Math.max(2, value + (value % 2));
}

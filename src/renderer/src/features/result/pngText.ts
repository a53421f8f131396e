/** Adds an iTXt (UTF-8 text) chunk to a PNG file, so a saved frame carries its reproducibility record. Pure. */

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

let crcTable: Uint32Array | undefined;

export function crc32(bytes: Uint8Array): number {
  if (!crcTable) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) {
        c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      }
      crcTable[n] = c >>> 0;
    }
  }
  let crc = 0xffffffff;
  for (const byte of bytes) {
    crc = crcTable[(crc ^ byte) & 0xff] ^ (crc >>> 8);
  }
  return (crc ^ 0xffffffff) >>> 0;
}

export function isPng(bytes: Uint8Array): boolean {
  return PNG_SIGNATURE.every((value, index) => bytes[index] === value);
}

/** The chunk: length, "iTXt", keyword\0, no compression, empty language and translated keyword, UTF-8 text, CRC. */
export function itxtChunk(keyword: string, text: string): Uint8Array {
  if (!/^[\x20-\x7e]{1,79}$/.test(keyword)) {
    throw new RangeError('A PNG text keyword is 1–79 printable Latin-1 characters.');
  }
  const encoder = new TextEncoder();
  const data = new Uint8Array([...encoder.encode(keyword), 0, 0, 0, 0, 0, ...encoder.encode(text)]);
  const chunk = new Uint8Array(12 + data.length);
  const view = new DataView(chunk.buffer);
  view.setUint32(0, data.length);
  chunk.set(encoder.encode('iTXt'), 4);
  chunk.set(data, 8);
  view.setUint32(8 + data.length, crc32(chunk.subarray(4, 8 + data.length)));
  return chunk;
}

/** The PNG with the text chunk inserted right after IHDR (before the image data, where readers look first). */
export function addPngText(png: Uint8Array, keyword: string, text: string): Uint8Array {
  if (!isPng(png)) {
    throw new RangeError('Not a PNG file.');
  }
  const ihdrLength = new DataView(png.buffer, png.byteOffset + 8, 4).getUint32(0);
  const insertAt = 8 + 12 + ihdrLength;
  const chunk = itxtChunk(keyword, text);
  const result = new Uint8Array(png.length + chunk.length);
  result.set(png.subarray(0, insertAt), 0);
  result.set(chunk, insertAt);
  result.set(png.subarray(insertAt), insertAt + chunk.length);
  return result;
}

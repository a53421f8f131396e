/** The texts of a PNG's uncompressed iTXt chunks with this keyword: how tests find the record inside a frame. */
export function readPngText(png: Uint8Array, keyword: string): string[] {
  const texts: string[] = [];
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  const decoder = new TextDecoder();
  for (let offset = 8; offset + 12 <= png.length; offset += 12 + view.getUint32(offset)) {
    const length = view.getUint32(offset);
    if (decoder.decode(png.subarray(offset + 4, offset + 8)) !== 'iTXt') {
      continue;
    }
    const data = png.subarray(offset + 8, offset + 8 + length);
    const keywordEnd = data.indexOf(0);
    if (decoder.decode(data.subarray(0, keywordEnd)) === keyword) {
      // keyword\0, compression flag, method, language\0, translated keyword\0, text
      const languageEnd = data.indexOf(0, keywordEnd + 3);
      const translatedEnd = data.indexOf(0, languageEnd + 1);
      texts.push(decoder.decode(data.subarray(translatedEnd + 1)));
    }
  }
  return texts;
}

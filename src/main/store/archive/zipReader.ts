import { Writable, pipeline } from 'node:stream';
import zlib from 'node:zlib';
import yauzl from 'yauzl';

/** One file entry of a zip's central directory, name decoded, with the facts the import checks. */
export interface ZipEntryInfo {
  name: string;
  isDirectory: boolean;
  isSymlink: boolean;
  isEncrypted: boolean;
  uncompressedSize: number;
  entry: yauzl.Entry;
}

const S_IFMT = 0o170000;
const S_IFLNK = 0o120000;

/** Opens a zip for random access (the central directory is read, no entry data). Rejects when it is not a zip. */
export function openZip(file: string): Promise<yauzl.ZipFile> {
  return new Promise((resolve, reject) => {
    // Names are decoded and checked here (not by yauzl) so a refusal can say exactly what is wrong with which entry.
    yauzl.open(file, { lazyEntries: true, autoClose: false, decodeStrings: false, validateEntrySizes: true }, (error, zip) => (error ? reject(error) : resolve(zip)));
  });
}

/** Lists every entry of the central directory, stopping early once more than `maxEntries` were seen. */
export function listEntries(zip: yauzl.ZipFile, maxEntries: number): Promise<ZipEntryInfo[]> {
  return new Promise((resolve, reject) => {
    const entries: ZipEntryInfo[] = [];
    zip.on('entry', (entry: yauzl.Entry) => {
      const raw = entry.fileName as unknown as Buffer;
      const name = raw.toString((entry.generalPurposeBitFlag & 0x800) !== 0 ? 'utf8' : 'latin1');
      const mode = (entry.externalFileAttributes >>> 16) & S_IFMT;
      entries.push({
        name,
        isDirectory: name.endsWith('/'),
        isSymlink: mode === S_IFLNK,
        isEncrypted: (entry.generalPurposeBitFlag & 0x1) !== 0,
        uncompressedSize: entry.uncompressedSize,
        entry,
      });
      if (entries.length > maxEntries) {
        resolve(entries);
        return;
      }
      zip.readEntry();
    });
    zip.once('end', () => resolve(entries));
    zip.once('error', reject);
    zip.readEntry();
  });
}

/** An entry whose bytes do not match the CRC-32 its header states (damaged in transit or edited). */
export class ZipCrcMismatch extends Error {
  constructor(stated: number, actual: number) {
    super(`its CRC-32 is ${hex(actual)}, the archive states ${hex(stated)}`);
    this.name = 'ZipCrcMismatch';
  }
}

function hex(value: number): string {
  return `0x${value.toString(16).padStart(8, '0')}`;
}

/**
 * Streams one entry into `sink`, counting the bytes that really come out (a lying size header cannot get past
 * `maxBytes`); rejects with `tooLarge()` when they exceed it. The CRC-32 of what came out is checked against the
 * entry's (yauzl checks sizes, not CRCs): a damaged entry is refused before anything that used it is kept.
 */
export function streamEntry(zip: yauzl.ZipFile, entry: yauzl.Entry, sink: Writable, maxBytes: number, tooLarge: () => Error): Promise<number> {
  return new Promise((resolve, reject) => {
    zip.openReadStream(entry, (error, stream) => {
      if (error) {
        reject(error);
        return;
      }
      let bytes = 0;
      let crc = 0;
      let refused: Error | undefined;
      stream.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
        crc = zlib.crc32(chunk, crc);
        if (bytes > maxBytes && !refused) {
          refused = tooLarge();
          stream.destroy(refused);
        }
      });
      pipeline(stream, sink, (failure) => {
        if (refused || failure) {
          reject(refused ?? failure);
        } else if (crc !== entry.crc32) {
          reject(new ZipCrcMismatch(entry.crc32, crc));
        } else {
          resolve(bytes);
        }
      });
    });
  });
}

/** An entry's bytes in memory (for project.json, which has its own small limit). */
export async function readEntry(zip: yauzl.ZipFile, entry: yauzl.Entry, maxBytes: number, tooLarge: () => Error): Promise<Buffer> {
  const chunks: Buffer[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      chunks.push(chunk);
      callback();
    },
  });
  await streamEntry(zip, entry, sink, maxBytes, tooLarge);
  return Buffer.concat(chunks);
}

import { createHash } from 'node:crypto';
import fs from 'node:fs';

/** Keep every tensor aligned in the file, as the Python exporter does (mmap-friendly loading). */
const ALIGN_BYTES = 64;

/**
 * One external-data file, streamed: each distinct tensor (same ONNX data type and bytes) is stored once, so a
 * block graph and its TDTM variant reference one copy; only offsets stay in memory. Same layout as
 * models/tools/onnx_io.py's WeightFile, so an fp32 import writes the Python importer's bytes.
 */
export class WeightsFile {
  private readonly offsets = new Map<string, { offset: number; length: number }>();
  private fd: number | null = null;
  private sizeBytes = 0;

  constructor(
    readonly file: string,
    readonly name: string,
  ) {}

  store(dataType: number, bytes: Uint8Array): { offset: number; length: number } {
    const key = `${dataType}:${createHash('sha256').update(bytes).digest('hex')}`;
    const known = this.offsets.get(key);
    if (known) {
      return known;
    }
    if (this.fd === null) {
      this.fd = fs.openSync(this.file, 'w');
    }
    const pad = (ALIGN_BYTES - (this.sizeBytes % ALIGN_BYTES)) % ALIGN_BYTES;
    if (pad) {
      fs.writeSync(this.fd, Buffer.alloc(pad));
      this.sizeBytes += pad;
    }
    const entry = { offset: this.sizeBytes, length: bytes.length };
    this.offsets.set(key, entry);
    let written = 0;
    while (written < bytes.length) {
      written += fs.writeSync(this.fd, bytes, written, bytes.length - written);
    }
    this.sizeBytes += bytes.length;
    return entry;
  }

  /** Finishes the file (an empty one when nothing was stored). */
  close(): void {
    if (this.fd === null) {
      fs.writeFileSync(this.file, Buffer.alloc(0));
    } else {
      fs.closeSync(this.fd);
      this.fd = null;
    }
  }
}

import { parseBoundedJson } from './boundedJson';
import { ImportRefused } from './errors';
import { closeFile, openRegularFile, readExactly, type OpenFile } from './regularFile';
import { ITEM_BYTES, elementCount, isValidShape, type RawTensor, type TensorDtype } from './tensorData';

/** The reference implementation's header limit. */
const MAX_HEADER_BYTES = 100 * 1024 * 1024;
/** A header is {name: {dtype, shape: [...], data_offsets: [...]}, __metadata__: {...}}: three levels. */
const MAX_HEADER_DEPTH = 4;

export interface SafetensorsEntry {
  name: string;
  dtype: TensorDtype;
  shape: number[];
  /** Absolute byte range in the file. */
  start: number;
  end: number;
}

/**
 * One .safetensors file (huggingface/safetensors, "Format": a u64 little-endian header length N, N bytes of
 * UTF-8 JSON {name: {dtype, shape, data_offsets}}, then the data buffer), validated in full when opened: header
 * length within the file and the 100 MB limit, bounded JSON, known dtypes, shapes whose byte size equals the
 * offsets' span, spans that tile the buffer without overlap or hole up to the file's end. Tensors are then read
 * one at a time at their offsets.
 */
export class SafetensorsFile {
  readonly entries = new Map<string, SafetensorsEntry>();

  private constructor(private readonly file: OpenFile) {}

  get path(): string {
    return this.file.path;
  }

  static open(path: string): SafetensorsFile {
    const file = openRegularFile(path, 'a .safetensors weights file');
    try {
      const st = new SafetensorsFile(file);
      st.readHeader();
      return st;
    } catch (error) {
      closeFile(file);
      throw error;
    }
  }

  private readHeader(): void {
    const { path, sizeBytes } = this.file;
    if (sizeBytes < 8) {
      throw new ImportRefused(`${path}: not a safetensors file (${sizeBytes} bytes, shorter than the 8-byte header length)`);
    }
    const n = Number(readExactly(this.file, 0, 8).readBigUInt64LE(0));
    if (n > MAX_HEADER_BYTES || 8 + n > sizeBytes) {
      throw new ImportRefused(`${path}: truncated or not safetensors: header length ${n} but the file has ${sizeBytes} bytes`);
    }
    const text = readExactly(this.file, 8, n).toString('utf8');
    const header = parseBoundedJson(text, path, 'the safetensors header', { maxBytes: MAX_HEADER_BYTES, maxDepth: MAX_HEADER_DEPTH });
    if (!isPlainObject(header)) {
      throw new ImportRefused(`${path}: the safetensors header is not a JSON object`);
    }
    const dataStart = 8 + n;
    const spans: SafetensorsEntry[] = [];
    for (const [name, value] of Object.entries(header)) {
      if (name === '__metadata__') {
        continue;
      }
      const entry = this.entry(name, value, dataStart);
      this.entries.set(name, entry);
      spans.push(entry);
    }
    spans.sort((a, b) => a.start - b.start || a.end - b.end);
    let cursor = dataStart;
    for (const span of spans) {
      if (span.start !== cursor) {
        throw new ImportRefused(`${path}: tensor '${span.name}' starts at buffer byte ${span.start - dataStart}, expected ${cursor - dataStart} (overlap or hole in the data buffer)`);
      }
      cursor = span.end;
    }
    if (cursor !== sizeBytes) {
      throw new ImportRefused(`${path}: truncated or padded: the header describes ${cursor} bytes, the file has ${sizeBytes}`);
    }
  }

  private entry(name: string, value: unknown, dataStart: number): SafetensorsEntry {
    const path = this.file.path;
    if (!isPlainObject(value) || Object.keys(value).sort().join(',') !== 'data_offsets,dtype,shape') {
      throw new ImportRefused(`${path}: header entry for '${name}' must have exactly dtype, shape, data_offsets`);
    }
    const { dtype, shape, data_offsets: offsets } = value;
    if (typeof dtype !== 'string' || !(dtype in ITEM_BYTES)) {
      throw new ImportRefused(`${path}: tensor '${name}' has unsupported dtype ${JSON.stringify(dtype)}`);
    }
    if (!isValidShape(shape)) {
      throw new ImportRefused(`${path}: tensor '${name}' has an invalid shape ${JSON.stringify(shape)}`);
    }
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((o) => Number.isSafeInteger(o) && (o as number) >= 0) || (offsets[0] as number) > (offsets[1] as number)) {
      throw new ImportRefused(`${path}: tensor '${name}' has invalid data_offsets ${JSON.stringify(offsets)}`);
    }
    const [begin, end] = offsets as [number, number];
    const need = elementCount(shape) * ITEM_BYTES[dtype as TensorDtype];
    if (end - begin !== need) {
      throw new ImportRefused(`${path}: tensor '${name}' ${dtype}[${shape.join(', ')}] needs ${need} bytes but its data_offsets span ${end - begin}`);
    }
    if (dataStart + end > this.file.sizeBytes) {
      throw new ImportRefused(`${path}: tensor '${name}' ends at byte ${dataStart + end}, past the end of the ${this.file.sizeBytes}-byte file`);
    }
    return { name, dtype: dtype as TensorDtype, shape, start: dataStart + begin, end: dataStart + end };
  }

  read(name: string): RawTensor {
    const entry = this.entries.get(name);
    if (!entry) {
      throw new ImportRefused(`${this.path}: has no tensor '${name}'`);
    }
    return { dtype: entry.dtype, shape: entry.shape, bytes: readExactly(this.file, entry.start, entry.end - entry.start) };
  }

  close(): void {
    closeFile(this.file);
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

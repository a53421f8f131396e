import yauzl from 'yauzl';
import { ImportRefused } from './errors';
import { closeFile, openRegularFile, readExactly, type OpenFile } from './regularFile';
import { readStatePickle, type PickledTensor } from './statePickle';
import { ITEM_BYTES, elementCount, type RawTensor } from './tensorData';

/** data.pkl of a state dict is a few hundred bytes per tensor; anything near this is not one. */
const MAX_PICKLE_BYTES = 256 * 1024 * 1024;
const MAX_ENTRIES = 1_000_000;
const ZIP_MAGIC = 0x04034b50;

/**
 * A PyTorch weights file in torch.save's zip format (since torch 1.6; `pytorch_model-0000N-of-0000M.bin`): an
 * uncompressed zip holding `<name>/data.pkl` (the state dict, read by statePickle.ts without running it) and one
 * member `<name>/data/<key>` per storage. Shapes are known when the file is opened; each tensor's bytes are read
 * from its storage member when asked for, one tensor at a time.
 */
export class TorchZipFile {
  private constructor(
    private readonly file: OpenFile,
    private readonly zip: yauzl.ZipFile,
    private readonly members: Map<string, yauzl.Entry>,
    private readonly prefix: string,
    readonly tensors: Map<string, PickledTensor>,
  ) {}

  get path(): string {
    return this.file.path;
  }

  /** True when the file starts like a zip archive (else: PyTorch's legacy format, or not a weights file). */
  static looksLikeZip(path: string): boolean {
    const file = openRegularFile(path, 'a PyTorch weights file');
    try {
      return file.sizeBytes >= 4 && readExactly(file, 0, 4).readUInt32LE(0) === ZIP_MAGIC;
    } finally {
      closeFile(file);
    }
  }

  static async open(path: string): Promise<TorchZipFile> {
    const file = openRegularFile(path, 'a PyTorch weights file');
    let zip: yauzl.ZipFile | null = null;
    try {
      try {
        zip = await yauzl.fromFdPromise(file.fd, { lazyEntries: true, autoClose: false, strictFileNames: true, validateEntrySizes: true });
      } catch (error) {
        throw new ImportRefused(`${path}: not a readable PyTorch weights file (${(error as Error).message})`);
      }
      const members = await readEntries(zip, path);
      const pickles = [...members.keys()].filter((n) => n.endsWith('/data.pkl') && n.split('/').length === 2);
      if (pickles.length !== 1) {
        throw new ImportRefused(`${path}: a zip archive but not a PyTorch weights file (${pickles.length} data.pkl members at the top level, expected 1)`);
      }
      const prefix = pickles[0].slice(0, -'data.pkl'.length);
      const byteorder = members.get(`${prefix}byteorder`);
      if (byteorder && (await readMember(zip, byteorder, path)).toString('latin1') !== 'little') {
        throw new ImportRefused(`${path}: stored big-endian; only little-endian weights are supported`);
      }
      const pickleEntry = members.get(pickles[0])!;
      if (pickleEntry.uncompressedSize > MAX_PICKLE_BYTES) {
        throw new ImportRefused(`${path}: ${pickles[0]} is ${pickleEntry.uncompressedSize} bytes, larger than any state dict's`);
      }
      const tensors = readStatePickle(await readMember(zip, pickleEntry, path), `${path} (${pickles[0]})`);
      const shard = new TorchZipFile(file, zip, members, prefix, tensors);
      for (const [key, t] of tensors) {
        shard.storageEntry(key, t);
      }
      return shard;
    } catch (error) {
      closeZip(zip, file);
      throw error;
    }
  }

  /** The storage member of a tensor, checked: stored uncompressed, with exactly the storage's bytes. */
  private storageEntry(key: string, t: PickledTensor): yauzl.Entry {
    const name = `${this.prefix}data/${t.storage.key}`;
    const entry = this.members.get(name);
    if (!entry) {
      throw new ImportRefused(`${this.path}: tensor '${key}' refers to ${name}, which the archive lacks`);
    }
    const expected = t.storage.numel * ITEM_BYTES[t.storage.dtype];
    if (entry.compressionMethod !== 0 || entry.uncompressedSize !== expected) {
      throw new ImportRefused(`${this.path}: storage ${name} of '${key}' has ${entry.uncompressedSize} bytes (compression ${entry.compressionMethod}), expected ${expected} stored`);
    }
    return entry;
  }

  shape(key: string): number[] {
    return this.tensor(key).shape;
  }

  private tensor(key: string): PickledTensor {
    const t = this.tensors.get(key);
    if (!t) {
      throw new ImportRefused(`${this.path}: has no tensor '${key}'`);
    }
    return t;
  }

  /** One tensor's bytes, row-major (a strided view is gathered from its storage). */
  async read(key: string): Promise<RawTensor> {
    const t = this.tensor(key);
    const entry = this.storageEntry(key, t);
    const item = ITEM_BYTES[t.storage.dtype];
    const n = elementCount(t.shape);
    if (n === 0) {
      return { dtype: t.storage.dtype, shape: t.shape, bytes: Buffer.alloc(0) };
    }
    if (isRowMajor(t.shape, t.stride)) {
      const bytes = await readMember(this.zip, entry, this.path, t.offset * item, (t.offset + n) * item);
      return { dtype: t.storage.dtype, shape: t.shape, bytes };
    }
    const storage = await readMember(this.zip, entry, this.path);
    const bytes = Buffer.allocUnsafe(n * item);
    const index = new Array<number>(t.shape.length).fill(0);
    for (let i = 0; i < n; i++) {
      let source = t.offset;
      for (let d = 0; d < index.length; d++) {
        source += index[d] * t.stride[d];
      }
      storage.copy(bytes, i * item, source * item, (source + 1) * item);
      for (let d = index.length - 1; d >= 0; d--) {
        if (++index[d] < t.shape[d]) {
          break;
        }
        index[d] = 0;
      }
    }
    return { dtype: t.storage.dtype, shape: t.shape, bytes };
  }

  close(): void {
    closeZip(this.zip, this.file);
  }
}

/** yauzl's close() closes the descriptor it was given; without a zip the file is closed here. */
function closeZip(zip: yauzl.ZipFile | null, file: OpenFile): void {
  if (zip) {
    zip.close();
  } else {
    closeFile(file);
  }
}

function isRowMajor(shape: number[], stride: number[]): boolean {
  let expected = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    if (shape[d] > 1 && stride[d] !== expected) {
      return false;
    }
    expected *= shape[d];
  }
  return true;
}

async function readEntries(zip: yauzl.ZipFile, path: string): Promise<Map<string, yauzl.Entry>> {
  if (zip.entryCount > MAX_ENTRIES) {
    throw new ImportRefused(`${path}: ${zip.entryCount} archive members; not a weights file`);
  }
  const members = new Map<string, yauzl.Entry>();
  await new Promise<void>((resolve, reject) => {
    zip.on('entry', (entry: yauzl.Entry) => {
      members.set(entry.fileName, entry);
      zip.readEntry();
    });
    zip.on('end', () => resolve());
    zip.on('error', (error: Error) => reject(new ImportRefused(`${path}: damaged zip archive (${error.message})`)));
    zip.readEntry();
  });
  return members;
}

/** Bytes [start, end) of a member (all of it by default), into one buffer of exactly that size. */
async function readMember(zip: yauzl.ZipFile, entry: yauzl.Entry, path: string, start = 0, end = entry.uncompressedSize): Promise<Buffer> {
  const out = Buffer.allocUnsafe(end - start);
  let filled = 0;
  try {
    const options = entry.compressionMethod === 0 && end > start ? { start, end } : {};
    const stream = await zip.openReadStreamPromise(entry, options);
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      if (filled + chunk.length > out.length) {
        throw new Error('member longer than its directory entry');
      }
      chunk.copy(out, filled);
      filled += chunk.length;
    }
  } catch (error) {
    throw new ImportRefused(`${path}: cannot read ${entry.fileName} (${(error as Error).message})`);
  }
  if (filled !== out.length) {
    throw new ImportRefused(`${path}: ${entry.fileName} is truncated (${filled} of ${out.length} bytes)`);
  }
  return out;
}

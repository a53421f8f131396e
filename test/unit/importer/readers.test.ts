import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import yazl from 'yazl';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ImportRefused } from '../../../src/main/importer/errors';
import { SafetensorsFile } from '../../../src/main/importer/safetensors';
import { TIED_T5_ALIAS, openSafetensorsSource, openShardedWeights } from '../../../src/main/importer/tensorSource';
import { TorchZipFile } from '../../../src/main/importer/torchZip';
import { floatToHalf, halfToFloat, toFloat32 } from '../../../src/main/importer/tensorData';

/**
 * The Node importer's readers on real files written by the Python tools (test/fixtures/checkpoints/opensora-tiny:
 * safetensors by models/tools/opensora/safetensors_io.py, pickled shards by torch.save), and on hostile files made
 * here: each is refused with a message naming the file, without reading past it or running anything.
 */
const CKPT = path.resolve('test/fixtures/checkpoints/opensora-tiny');

let work = '';
beforeAll(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'importer-readers-'));
});
afterAll(() => {
  fs.rmSync(work, { recursive: true, force: true });
});

/** A safetensors file from a header object and a data buffer. */
function writeSafetensors(file: string, header: string, data = Buffer.alloc(0), declaredLength?: number): string {
  const text = Buffer.from(header, 'utf8');
  const length = Buffer.alloc(8);
  length.writeBigUInt64LE(BigInt(declaredLength ?? text.length));
  fs.writeFileSync(file, Buffer.concat([length, text, data]));
  return file;
}

async function zipWith(file: string, members: Record<string, Buffer>): Promise<string> {
  const zip = new yazl.ZipFile();
  for (const [name, bytes] of Object.entries(members)) {
    zip.addBuffer(bytes, name, { compress: false });
  }
  zip.end();
  await new Promise<void>((resolve, reject) => {
    zip.outputStream.pipe(fs.createWriteStream(file)).on('close', resolve).on('error', reject);
  });
  return file;
}

function refusal(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ImportRefused);
    return (error as Error).message;
  }
  throw new Error('not refused');
}

async function asyncRefusal(fn: () => Promise<unknown>): Promise<string> {
  try {
    await fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ImportRefused);
    return (error as Error).message;
  }
  throw new Error('not refused');
}

describe('checkpoint readers on files the Python tools wrote', () => {
  it('reads the same T5 tensors from torch.save zip shards and from safetensors shards', async () => {
    const pickled = await openShardedWeights(path.join(CKPT, 't5'));
    const st = await openShardedWeights(path.join(CKPT, 't5-safetensors'));
    try {
      // torch.save of T5EncoderModel also holds the tied alias of the embedding (sharing its storage)
      expect(pickled.keys().sort()).toEqual([...st.keys(), TIED_T5_ALIAS].sort());
      expect(pickled.keys()).toContain('encoder.block.2.layer.1.DenseReluDense.wo.weight');
      for (const key of st.keys()) {
        expect(pickled.shape(key), key).toEqual(st.shape(key));
        const [a, b] = [await pickled.read(key), await st.read(key)];
        expect(a.dtype).toBe('F32');
        expect(a.bytes.equals(b.bytes), key).toBe(true);
      }
      expect(pickled.fileOf('shared.weight')).toMatch(/pytorch_model-0000[12]-of-00002\.bin$/);
    } finally {
      pickled.close();
      st.close();
    }
  });

  it('reads a single safetensors file with its header validated, one tensor at a time', async () => {
    const src = openSafetensorsSource(path.join(CKPT, 'stdit', 'model.safetensors'));
    try {
      expect(src.shape('x_embedder.proj.weight')).toEqual([32, 4, 1, 2, 2]);
      const t = await src.read('y_embedder.y_embedding');
      expect(t.shape).toEqual([16, 32]);
      expect(toFloat32(t).every((v) => Number.isFinite(v))).toBe(true);
    } finally {
      src.close();
    }
  });

  it('widens bf16/f16 exactly and rounds float32 to f16 to nearest even', () => {
    expect([0x3c00, 0xc000, 0x7bff, 0x0001, 0x7c00].map(halfToFloat)).toEqual([1, -2, 65504, 2 ** -24, Infinity]);
    expect([1, -2, 65504, 65520, 1 + 2 ** -11, 1 + 3 * 2 ** -11, 2 ** -25, 2 ** -24].map(floatToHalf)).toEqual([0x3c00, 0xc000, 0x7bff, 0x7c00, 0x3c00, 0x3c02, 0x0000, 0x0001]);
    const bf16 = Buffer.from([0x80, 0x3f, 0x00, 0xc0]); // 1.0, -2.0
    expect(Array.from(toFloat32({ dtype: 'BF16', shape: [2], bytes: bf16 }))).toEqual([1, -2]);
  });
});

describe('hostile files are refused by name', () => {
  it('a 100,000-deep JSON header, without recursing into it', () => {
    const file = writeSafetensors(path.join(work, 'deep.safetensors'), `${'['.repeat(100_000)}${']'.repeat(100_000)}`);
    expect(refusal(() => SafetensorsFile.open(file))).toMatch(/deep\.safetensors: the safetensors header nests deeper than 4 levels/);
  });

  it('a header length past the end of the file, offsets that overlap or leave a hole, a byte size that disagrees with the shape', () => {
    const past = writeSafetensors(path.join(work, 'past.safetensors'), '{}', Buffer.alloc(0), 1 << 30);
    expect(refusal(() => SafetensorsFile.open(past))).toMatch(/past\.safetensors: truncated or not safetensors: header length 1073741824/);
    const overlap = writeSafetensors(
      path.join(work, 'overlap.safetensors'),
      JSON.stringify({ a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] }, b: { dtype: 'F32', shape: [2], data_offsets: [4, 12] } }),
      Buffer.alloc(12),
    );
    expect(refusal(() => SafetensorsFile.open(overlap))).toMatch(/overlap\.safetensors: tensor 'b' starts at buffer byte 4, expected 8/);
    const size = writeSafetensors(path.join(work, 'size.safetensors'), JSON.stringify({ a: { dtype: 'F32', shape: [1e6, 1e6], data_offsets: [0, 8] } }), Buffer.alloc(8));
    expect(refusal(() => SafetensorsFile.open(size))).toMatch(/size\.safetensors: tensor 'a' F32\[1000000, 1000000\] needs 4000000000000 bytes but its data_offsets span 8/);
  });

  it('an index that maps a key to ../.. or to a symbolic link or a FIFO', async () => {
    const folder = path.join(work, 't5-escape');
    fs.cpSync(path.join(CKPT, 't5-safetensors'), folder, { recursive: true });
    const indexPath = path.join(folder, 'model.safetensors.index.json');
    const index = JSON.parse(fs.readFileSync(indexPath, 'utf8')) as { weight_map: Record<string, string> };
    const original = JSON.stringify(index);
    index.weight_map['shared.weight'] = '../../etc/passwd';
    fs.writeFileSync(indexPath, JSON.stringify(index));
    expect(await asyncRefusal(() => openShardedWeights(folder))).toMatch(/model\.safetensors\.index\.json: "weight_map" places 'shared\.weight' in "\.\.\/\.\.\/etc\/passwd", which is not a file name in this folder/);

    fs.writeFileSync(indexPath, original);
    const shard = path.join(folder, 'model-00001-of-00002.safetensors');
    fs.renameSync(shard, `${shard}.real`);
    const outside = path.join(work, 'outside.safetensors');
    fs.renameSync(`${shard}.real`, outside);
    fs.symlinkSync(outside, shard);
    expect(await asyncRefusal(() => openShardedWeights(folder))).toMatch(/model-00001-of-00002\.safetensors: is a symbolic link leaving its folder/);

    fs.rmSync(shard);
    const fifo = spawnSync('mkfifo', [shard]);
    expect(fifo.status).toBe(0);
    expect(await asyncRefusal(() => openShardedWeights(folder))).toMatch(/model-00001-of-00002\.safetensors: is a named pipe \(FIFO\); the importer reads regular files only/);
  });

  it('follows the links of a Hugging Face cache snapshot into its blobs/ folder, and links inside the folder', async () => {
    // models--org--name/snapshots/REV/FILE -> ../../blobs/HASH: how a hub download lays out every file
    const repo = path.join(work, 'models--DeepFloyd--t5-v1_1-xxl');
    const snapshot = path.join(repo, 'snapshots', 'rev1');
    fs.mkdirSync(path.join(repo, 'blobs'), { recursive: true });
    fs.mkdirSync(snapshot, { recursive: true });
    for (const name of fs.readdirSync(path.join(CKPT, 't5-safetensors'))) {
      const blob = path.join(repo, 'blobs', `hash-${name}`);
      fs.copyFileSync(path.join(CKPT, 't5-safetensors', name), blob);
      fs.symlinkSync(path.join('..', '..', 'blobs', `hash-${name}`), path.join(snapshot, name));
    }
    const fromSnapshot = await openShardedWeights(snapshot);
    const original = await openShardedWeights(path.join(CKPT, 't5-safetensors'));
    try {
      expect(fromSnapshot.keys()).toEqual(original.keys());
      const key = 'encoder.block.0.layer.0.SelfAttention.q.weight';
      expect((await fromSnapshot.read(key)).bytes.equals((await original.read(key)).bytes)).toBe(true);
    } finally {
      fromSnapshot.close();
      original.close();
    }
    // The same links from a folder that is not a snapshot lead out of it: refused.
    const plain = path.join(work, 'not-a-snapshot', 'inner');
    fs.mkdirSync(plain, { recursive: true });
    for (const name of fs.readdirSync(snapshot)) {
      fs.symlinkSync(path.join(repo, 'blobs', `hash-${name}`), path.join(plain, name));
    }
    expect(await asyncRefusal(() => openShardedWeights(plain))).toMatch(/is a symbolic link leaving its folder/);
    // A link to a file of the same folder is read.
    const local = path.join(work, 't5-local-link');
    fs.cpSync(path.join(CKPT, 't5-safetensors'), local, { recursive: true });
    const shard = path.join(local, 'model-00001-of-00002.safetensors');
    fs.renameSync(shard, path.join(local, 'kept.bin'));
    fs.symlinkSync('kept.bin', shard);
    const linked = await openShardedWeights(local);
    linked.close();
  });

  it('a pickled shard whose pickle names a global outside the allow-list, without running it', async () => {
    // GLOBAL os.system, then the call: what torch.load without weights_only would run
    const evil = Buffer.concat([Buffer.from('\x80\x02cos\nsystem\nq\x00X\x07\x00\x00\x00touch xq\x01\x85q\x02Rq\x03.', 'latin1')]);
    const file = await zipWith(path.join(work, 'evil.bin'), { 'archive/data.pkl': evil, 'archive/version': Buffer.from('3\n') });
    const message = await asyncRefusal(() => TorchZipFile.open(file));
    expect(message).toMatch(/evil\.bin \(archive\/data\.pkl\): the pickle names os\.system, which is not allowed; refused without running anything/);
    expect(fs.existsSync(path.join(process.cwd(), 'x'))).toBe(false);
  });

  it('a pickle using an opcode a state dict never needs, and a storage that is shorter than its tensor', async () => {
    const inst = Buffer.from('\x80\x02(ibuiltins\nlist\n.', 'latin1');
    const file = await zipWith(path.join(work, 'inst.bin'), { 'archive/data.pkl': inst });
    expect(await asyncRefusal(() => TorchZipFile.open(file))).toMatch(/uses opcode INST \(0x69\)/);

    const real = await TorchZipFile.open(path.join(CKPT, 't5', 'pytorch_model-00002-of-00002.bin'));
    const [key, tensor] = [...real.tensors][0];
    real.close();
    const storageName = `data/${tensor.storage.key}`;
    // the same state dict over a storage cut short: refused when opened, before any tensor is read
    const members: Record<string, Buffer> = {};
    const zipPath = path.join(CKPT, 't5', 'pytorch_model-00002-of-00002.bin');
    const listing = spawnSync('unzip', ['-Z1', zipPath], { encoding: 'utf8' });
    if (listing.status !== 0) {
      return; // no unzip on this machine: the allow-list cases above still ran
    }
    for (const name of listing.stdout.trim().split('\n')) {
      const bytes = spawnSync('unzip', ['-p', zipPath, name], { maxBuffer: 1 << 26 }).stdout as Buffer;
      members[name] = name.endsWith(storageName) ? bytes.subarray(0, 8) : bytes;
    }
    const cut = await zipWith(path.join(work, 'cut.bin'), members);
    expect(await asyncRefusal(() => TorchZipFile.open(cut))).toMatch(new RegExp(`cut\\.bin: (storage .*data/${tensor.storage.key} of '.*' has 8 bytes|.*reaching element)`));
    expect(key.length).toBeGreaterThan(0);
  });
});

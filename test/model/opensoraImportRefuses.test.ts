import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importModel, makeTempDir, runPython, writeCheckpoints } from './opensoraTools';

/**
 * Bad input to `npm run import-model`: each case is refused (exit code 2) with a message naming the file and,
 * where it is about a tensor, the key; nothing is written (no package, no half-built folder). Hostile input too (real
 * named pipes and links, absurd configs, deep headers): refused at once, never quoting a file, never a traceback.
 */
const RENAME_SAFETENSORS_KEY = `
import safetensors_io
path, old, new = sys.argv[1:4]
f = safetensors_io.SafetensorsFile(path)
state = {(new if k == old else k): f.read(k) for k in f.tensors}
safetensors_io.write(path, state)
`;

const RENAME_T5_KEY = `
import json, os, torch
folder, old, new = sys.argv[1:4]
index_path = os.path.join(folder, 'pytorch_model.bin.index.json')
index = json.load(open(index_path))
shard = index['weight_map'].pop(old)
index['weight_map'][new] = shard
state = torch.load(os.path.join(folder, shard))
state[new] = state.pop(old)
torch.save(state, os.path.join(folder, shard))
json.dump(index, open(index_path, 'w'))
`;

function editJson(file: string, edit: (value: Record<string, unknown>) => void): void {
  const value = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
  edit(value);
  fs.writeFileSync(file, JSON.stringify(value));
}

function mkfifo(file: string): void {
  fs.rmSync(file, { force: true });
  execFileSync('mkfifo', [file]);
}

/** A safetensors file whose JSON header is `header` (no tensors). */
function rawSafetensors(file: string, header: string): void {
  const text = Buffer.from(header + ' '.repeat((8 - (header.length % 8)) % 8));
  const length = Buffer.alloc(8);
  length.writeBigUInt64LE(BigInt(text.length));
  fs.writeFileSync(file, Buffer.concat([length, text]));
}

const ADD_STRAY_KEYS = `
import safetensors_io, torch
path, count = sys.argv[1], int(sys.argv[2])
f = safetensors_io.SafetensorsFile(path)
state = {k: f.read(k) for k in f.tensors}
state.update({f"stray.{i:05d}.weight": torch.zeros(1) for i in range(count)})
safetensors_io.write(path, state)
`;

const OPEN_T5 = `
import sources
src = sources.open_t5_weights(sys.argv[1])
print(len(src.keys()))
`;

describe('Open-Sora 1.2 import refuses bad checkpoints', () => {
  let work = '';
  let pristine = '';
  let caseNo = 0;

  beforeAll(() => {
    work = makeTempDir('studio-opensora-refuse-');
    pristine = path.join(work, 'pristine');
    writeCheckpoints(pristine, 'bin');
  });
  afterAll(() => {
    if (work) {fs.rmSync(work, { recursive: true, force: true });}
  });

  /** Copies the good checkpoints, lets `spoil` damage them, imports, and checks the refusal. */
  function expectRefusal(spoil: (ckpt: string) => void, ...expected: (string | RegExp)[]): string {
    const dir = path.join(work, `case-${++caseNo}`);
    fs.cpSync(pristine, path.join(dir, 'ckpt'), { recursive: true });
    spoil(path.join(dir, 'ckpt'));
    const out = path.join(dir, 'pkg');
    const run = importModel(path.join(dir, 'ckpt'), out);
    expect(run.status, `stdout: ${run.stdout}\nstderr: ${run.stderr}`).toBe(2);
    for (const e of expected) {
      if (typeof e === 'string') {expect(run.stderr).toContain(e);} else {expect(run.stderr).toMatch(e);}
    }
    expect(run.stderr).not.toMatch(/Traceback|RecursionError|MemoryError/);
    expect(fs.existsSync(out)).toBe(false);
    expect(fs.readdirSync(dir)).toEqual(['ckpt']);
    return run.stderr;
  }

  it('refuses a folder that is not the one its flag asks for, and says which it is', () => {
    const stderr = expectRefusal((ck) => fs.renameSync(path.join(ck, 'stdit'), path.join(ck, 'unused')), /stdit: not a folder/);
    expect(stderr).toContain('--stdit');
    expectRefusal(
      (ck) => {
        fs.rmSync(path.join(ck, 'stdit'), { recursive: true });
        fs.cpSync(path.join(ck, 'vae'), path.join(ck, 'stdit'), { recursive: true });
      },
      /stdit\/config\.json: model_type is 'VideoAutoencoderPipeline', but --stdit expects 'STDiT3' \(hpcai-tech\/OpenSora-STDiT-v3\)/,
      'that is the hpcai-tech/OpenSora-VAE-v1.2 folder; pass it to --vae',
    );
  });

  it('refuses a missing or invalid config.json, or one that contradicts the tensors', () => {
    expectRefusal((ck) => fs.rmSync(path.join(ck, 'vae', 'config.json')), /vae\/config\.json: missing; --vae expects the hpcai-tech\/OpenSora-VAE-v1.2 folder/);
    expectRefusal((ck) => fs.writeFileSync(path.join(ck, 't5', 'config.json'), '{"model_type": "t5",'), /t5\/config\.json: not valid JSON/);
    expectRefusal((ck) => {
      const p = path.join(ck, 'stdit', 'config.json');
      fs.writeFileSync(p, JSON.stringify({ ...JSON.parse(fs.readFileSync(p, 'utf8')), hidden_size: 128 }));
    }, /stdit\/config\.json: hidden_size is 128 but the tensors in model\.safetensors say 64/);
    expectRefusal((ck) => {
      const p = path.join(ck, 't5', 'config.json');
      const cfg = JSON.parse(fs.readFileSync(p, 'utf8')) as Record<string, unknown>;
      delete cfg.d_kv;
      fs.writeFileSync(p, JSON.stringify(cfg));
    }, /t5\/config\.json: missing field 'd_kv'/);
  });

  it('refuses a missing shard and an index naming a file that does not exist', () => {
    expectRefusal((ck) => fs.rmSync(path.join(ck, 't5', 'pytorch_model-00002-of-00002.bin')), /pytorch_model\.bin\.index\.json: names shard 'pytorch_model-00002-of-00002\.bin' .* does not exist/);
    expectRefusal((ck) => {
      const p = path.join(ck, 't5', 'pytorch_model.bin.index.json');
      const index = JSON.parse(fs.readFileSync(p, 'utf8')) as { weight_map: Record<string, string> };
      index.weight_map['encoder.final_layer_norm.weight'] = 'pytorch_model-00003-of-00002.bin';
      fs.writeFileSync(p, JSON.stringify(index));
    }, "names shard 'pytorch_model-00003-of-00002.bin' (for 1 keys, e.g. 'encoder.final_layer_norm.weight')");
  });

  it('refuses a pickled shard that is not a PyTorch weights file, naming it', () => {
    expectRefusal((ck) => fs.writeFileSync(path.join(ck, 't5', 'pytorch_model-00001-of-00002.bin'), 'garbage'), /pytorch_model-00001-of-00002\.bin: not a readable PyTorch weights file/);
    expectRefusal((ck) => {
      const p = path.join(ck, 't5', 'pytorch_model-00002-of-00002.bin');
      fs.writeFileSync(p, fs.readFileSync(p).subarray(0, 4000));
    }, /pytorch_model-00002-of-00002\.bin: not a readable PyTorch weights file/);
  });

  it('refuses a truncated safetensors file, naming it', () => {
    expectRefusal((ck) => {
      const p = path.join(ck, 'stdit', 'model.safetensors');
      fs.writeFileSync(p, fs.readFileSync(p).subarray(0, 100));
    }, /stdit\/model\.safetensors: truncated or not safetensors: header length \d+ but file has 100 bytes/);
    expectRefusal((ck) => {
      const p = path.join(ck, 'vae', 'model.safetensors');
      fs.truncateSync(p, fs.statSync(p).size - 4);
    }, /vae\/model\.safetensors: truncated or padded/);
  });

  it('refuses a spiece.model that is not a SentencePiece model', () => {
    expectRefusal((ck) => fs.writeFileSync(path.join(ck, 't5', 'spiece.model'), 'not a sentencepiece model\n'), /t5\/spiece\.model: not a SentencePiece model/);
  });

  it('refuses a checkpoint with one renamed key, naming the key and the file', () => {
    expectRefusal(
      (ck) => runPython(RENAME_SAFETENSORS_KEY, [path.join(ck, 'stdit', 'model.safetensors'), 'spatial_blocks.1.attn.qkv.weight', 'spatial_blocks.1.attn.qkv_renamed.weight']),
      "missing key 'spatial_blocks.1.attn.qkv.weight'",
      /stdit\/model\.safetensors: unexpected key 'spatial_blocks\.1\.attn\.qkv_renamed\.weight'/,
    );
    expectRefusal(
      (ck) => runPython(RENAME_SAFETENSORS_KEY, [path.join(ck, 'vae', 'model.safetensors'), 'temporal_vae.decoder.conv_out.conv.bias', 'temporal_vae.decoder.conv_out.conv.b']),
      "missing key 'temporal_vae.decoder.conv_out.conv.bias'",
      "unexpected key 'temporal_vae.decoder.conv_out.conv.b'",
    );
    expectRefusal(
      (ck) => runPython(RENAME_T5_KEY, [path.join(ck, 't5'), 'encoder.block.1.layer.1.DenseReluDense.wi_0.weight', 'encoder.block.1.layer.1.DenseReluDense.wi.weight']),
      "missing key 'encoder.block.1.layer.1.DenseReluDense.wi_0.weight'",
      /pytorch_model-0000\d-of-00002\.bin: unexpected key 'encoder\.block\.1\.layer\.1\.DenseReluDense\.wi\.weight'/,
    );
  });

  it('refuses to write over an existing folder and leaves it as it was', () => {
    const dir = path.join(work, 'existing');
    const out = path.join(dir, 'pkg');
    fs.mkdirSync(out, { recursive: true });
    fs.writeFileSync(path.join(out, 'keep.txt'), 'mine');
    const run = importModel(pristine, out);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain(`${out}: already exists; choose a new folder (nothing was changed)`);
    expect(fs.readdirSync(out)).toEqual(['keep.txt']);
    expect(fs.readdirSync(dir)).toEqual(['pkg']);
  });

  // Hostile checkpoints (issue 29): real named pipes, real links, an absurd config, a header 100,000 deep, 50,000 stray keys.
  it('T5 num_layers 1,000,000,000 is refused against the tensors before anything is built from it', () => {
    expectRefusal(
      (ck) => editJson(path.join(ck, 't5', 'config.json'), (cfg) => (cfg.num_layers = 1_000_000_000)),
      't5/config.json: num_layers is 1000000000; it must be an integer from 1 to 256',
    );
    expectRefusal((ck) => editJson(path.join(ck, 't5', 'config.json'), (cfg) => (cfg.num_layers = 200)), /t5\/config\.json: num_layers is 200 but the weights hold \d+ encoder blocks/);
    expectRefusal((ck) => editJson(path.join(ck, 't5', 'config.json'), (cfg) => (cfg.num_heads = 0)), 't5/config.json: num_heads is 0; it must be an integer from 1 to 1024');
    expectRefusal(
      (ck) =>
        editJson(path.join(ck, 't5', 'config.json'), (cfg) => {
          cfg.d_kv = (cfg.d_kv as number) * 2;
        }),
      /t5\/config\.json: num_heads·d_kv × d_model is \[\d+, \d+\] but 'encoder\.block\.0\.layer\.0\.SelfAttention\.q\.weight' is \[\d+, \d+\]/,
    );
  });

  it('a safetensors header or a config.json nested 100,000 deep is a typed refusal naming the file, not a RecursionError', () => {
    const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
    expectRefusal((ck) => rawSafetensors(path.join(ck, 'stdit', 'model.safetensors'), deep), /stdit\/model\.safetensors: safetensors header nested 100000 levels deep, more than the 8 the format uses/);
    expectRefusal((ck) => fs.writeFileSync(path.join(ck, 'vae', 'config.json'), deep), /vae\/config\.json: JSON nested 100000 levels deep/);
  });

  it('named pipes as config.json, model.safetensors or a T5 shard are refused without waiting on them', () => {
    for (const file of [path.join('t5', 'config.json'), path.join('stdit', 'model.safetensors'), path.join('t5', 'pytorch_model-00001-of-00002.bin')]) {
      expectRefusal((ck) => mkfifo(path.join(ck, file)), `${file}: a named pipe (FIFO), not a regular file`);
    }
  });

  it('links leaving the folder are refused (a config linked to /etc/passwd is never quoted); a Hugging Face cache snapshot is read', () => {
    const stderr = expectRefusal(
      (ck) => {
        fs.rmSync(path.join(ck, 'vae', 'config.json'));
        fs.symlinkSync('/etc/passwd', path.join(ck, 'vae', 'config.json'));
      },
      /vae\/config\.json: a symbolic link leaving .*vae; copy the file itself into the folder/,
    );
    expect(stderr).not.toContain('root:x');
    expectRefusal(
      (ck) => {
        const shard = path.join(ck, 't5', 'pytorch_model-00002-of-00002.bin');
        fs.renameSync(shard, path.join(ck, 'elsewhere.bin'));
        fs.symlinkSync(path.join(ck, 'elsewhere.bin'), shard);
      },
      /t5\/pytorch_model-00002-of-00002\.bin: a symbolic link leaving .*t5; copy the file itself into the folder/,
    );
    // models--org--name/snapshots/<revision>/<file> -> ../../blobs/<hash>: every file a link, all inside the repository.
    const repo = path.join(work, 'hf-cache', 'models--DeepFloyd--t5-v1_1-xxl');
    const snapshot = path.join(repo, 'snapshots', 'abc123');
    fs.mkdirSync(path.join(repo, 'blobs'), { recursive: true });
    fs.mkdirSync(snapshot, { recursive: true });
    for (const [index, name] of fs.readdirSync(path.join(pristine, 't5')).entries()) {
      fs.copyFileSync(path.join(pristine, 't5', name), path.join(repo, 'blobs', `blob${index}`));
      fs.symlinkSync(path.join('..', '..', 'blobs', `blob${index}`), path.join(snapshot, name));
    }
    expect(Number(runPython(OPEN_T5, [snapshot]).trim())).toBeGreaterThan(10);
  });

  it('an index mapping a weight to ../../… is refused naming the key and the entry', () => {
    expectRefusal(
      (ck) =>
        editJson(path.join(ck, 't5', 'pytorch_model.bin.index.json'), (index) => {
          (index.weight_map as Record<string, string>)['encoder.final_layer_norm.weight'] = '../../etc/passwd';
        }),
      "pytorch_model.bin.index.json: weight_map maps 'encoder.final_layer_norm.weight' to '../../etc/passwd', which is not a file name beside the index (shards must sit in the same folder)",
    );
  });

  it('50,000 stray keys give a few named keys and a count, not a megabyte of message', () => {
    const stderr = expectRefusal(
      (ck) => runPython(ADD_STRAY_KEYS, [path.join(ck, 'stdit', 'model.safetensors'), '50000']),
      "unexpected key 'stray.00000.weight'",
      'and 49995 more unexpected keys (50000 in all)',
    );
    expect(stderr.length).toBeLessThan(3000);
    expect(stderr).not.toContain('stray.00005.weight');
  });
});

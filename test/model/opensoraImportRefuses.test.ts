import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importModel, makeTempDir, runPython, writeCheckpoints } from './opensoraTools';

/**
 * Bad input to `npm run import-model`: each case is refused (exit code 2) with a message naming the file and,
 * where it is about a tensor, the key; nothing is written (no package, no half-built folder).
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
});

import fs from 'node:fs';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manifestSchema, type ModelManifest } from '../../../src/shared/model/manifest';
import { fixturePackage } from '../support/randomPackage';

/**
 * Chains the ONNX units the way FORMAT.md describes (text → CFG Euler steps → decoder) and compares the final
 * latent and video with the Python reference sampler (models/tools/sampler.py) on the same noise; the reference
 * tensors are committed with the package (test/fixtures/packages/random-d2/parity).
 */
interface TensorFile { name: string; dtype: 'float32' | 'int64'; shape: number[]; file: string }
interface Pipeline { prompt: string; steps: number; cfgScale: number; fps: number; timesteps: number[]; tensors: Record<string, TensorFile> }

function readFloats(file: string): Float32Array {
  const buf = fs.readFileSync(file);
  return new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
}

function tokenize(vocab: string[], text: string, tok: { maxTokens: number; padId: number; unknownId: number; endId: number }): number[] {
  const index = new Map(vocab.map((w, i) => [w, i]));
  const ids = text.toLowerCase().split(/[^a-z0-9]+/).filter((w) => w.length > 0).map((w) => index.get(w) ?? tok.unknownId);
  const kept = [...ids.slice(0, tok.maxTokens - 1), tok.endId];
  return [...kept, ...new Array<number>(tok.maxTokens - kept.length).fill(tok.padId)];
}

function relErr(got: Float32Array, want: Float32Array): number {
  let err = 0;
  let scale = 1;
  for (let i = 0; i < want.length; i++) {
    err = Math.max(err, Math.abs(got[i] - want[i]));
    scale = Math.max(scale, Math.abs(want[i]));
  }
  return Number.isNaN(err) ? Infinity : err / scale;
}

describe('model package pipeline (ONNX units chained vs Python sampler)', () => {
  let dir = '';
  let manifest: ModelManifest;
  let pipe: Pipeline;
  const sessions = new Map<string, ort.InferenceSession>();
  const run = async (file: string, feeds: Record<string, ort.Tensor>): Promise<ort.InferenceSession.OnnxValueMapType> => {
    if (!sessions.has(file)) {sessions.set(file, await ort.InferenceSession.create(path.join(dir, file), { intraOpNumThreads: 1 }));}
    return sessions.get(file)!.run(feeds);
  };

  beforeAll(() => {
    dir = fixturePackage('random-d2');
    manifest = manifestSchema.parse(JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8')));
    pipe = (JSON.parse(fs.readFileSync(path.join(dir, 'parity', 'index.json'), 'utf8')) as { pipeline: Pipeline }).pipeline;
  });
  afterAll(async () => {
    for (const s of sessions.values()) {await s.release();}
  });

  it('tokenizes the prompt as the exporter does', () => {
    const tok = manifest.text.tokenizer;
    if (tok.kind !== 'word') {throw new Error('expected a word tokenizer');}
    const vocab = JSON.parse(fs.readFileSync(path.join(dir, tok.vocabFile), 'utf8')) as string[];
    const buf = fs.readFileSync(path.join(dir, 'parity', pipe.tensors.input_ids.file));
    const want = Array.from(new BigInt64Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength)), Number);
    expect(tokenize(vocab, pipe.prompt, tok)).toEqual(want);
  });

  it('reproduces the reference latent and video', async () => {
    const fx = (name: string): Float32Array => readFloats(path.join(dir, 'parity', pipe.tensors[name].file));
    const shape = (name: string): number[] => pipe.tensors[name].shape;
    const L = manifest.text.tokenizer.maxTokens;
    const D = manifest.text.hiddenSize;
    const mask = fx('token_mask');
    const bias = Float32Array.from(mask, (m) => (m > 0 ? 0 : -1e4));
    const idsBuf = fs.readFileSync(path.join(dir, 'parity', pipe.tensors.input_ids.file));
    const ids = new BigInt64Array(idsBuf.buffer.slice(idsBuf.byteOffset, idsBuf.byteOffset + idsBuf.byteLength));

    let h = (await run(manifest.text.embed.file, { input_ids: new ort.Tensor('int64', ids, [1, L]) })).h;
    for (const block of manifest.text.blocks) {
      h = (await run(block.file, { h, attn_bias: new ort.Tensor('float32', bias, [1, L]) })).h_out;
    }
    const textEmb = (await run(manifest.text.final.file, { h })).text_emb.data as Float32Array;
    const nullCaption = readFloats(path.join(dir, manifest.nullCaption.file)).subarray(0, L * D);
    const y = new ort.Tensor('float32', Float32Array.from([...textEmb, ...nullCaption]), [2, L, D]);
    const yBias = new ort.Tensor('float32', Float32Array.from([...bias, ...bias]), [2, L]);

    const zShape = shape('noise');
    const n = zShape.reduce((a, b) => a * b, 1);
    const z = Float32Array.from(fx('noise'));
    const pos = new ort.Tensor('float32', fx('pos_emb'), shape('pos_emb'));
    const cos = new ort.Tensor('float32', fx('rope_cos'), shape('rope_cos'));
    const sin = new ort.Tensor('float32', fx('rope_sin'), shape('rope_sin'));
    const ts = pipe.timesteps;
    for (let i = 0; i < ts.length; i++) {
      const z2 = new ort.Tensor('float32', Float32Array.from([...z, ...z]), [2, ...zShape.slice(1)]);
      const timestep = new ort.Tensor('float32', Float32Array.from([ts[i], ts[i]]), [2]);
      const emb = await run(manifest.denoiser.embedder.file, { z: z2, timestep, fps: new ort.Tensor('float32', Float32Array.from([pipe.fps, pipe.fps]), [2]), pos_emb: pos, y });
      let x = emb.x;
      for (const pair of manifest.denoiser.blocks) {
        x = (await run(pair.unit.file, { x, y_tok: emb.y_tok, y_bias: yBias, t_mlp: emb.t_mlp, rope_cos: cos, rope_sin: sin })).x_out;
      }
      const v = (await run(manifest.denoiser.final.file, { x, t_emb: emb.t_emb, z: z2, timestep })).v.data as Float32Array;
      const dt = (i + 1 < ts.length ? ts[i] - ts[i + 1] : ts[i]) / 1000;
      const perSample = v.length / 2; // [2, 8, T, H, W]: channels 0..3 of each row are the velocity
      for (let k = 0; k < n; k++) {
        const vc = v[k];
        const vu = v[perSample + k];
        z[k] += (vu + pipe.cfgScale * (vc - vu)) * dt;
      }
    }
    expect(relErr(z, fx('latent'))).toBeLessThan(1e-3);
    const video = (await run(manifest.decoder.unit.file, { z: new ort.Tensor('float32', z, zShape) })).video.data as Float32Array;
    expect(relErr(video, fx('video'))).toBeLessThan(1e-3);
  });
});

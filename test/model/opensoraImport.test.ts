import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSoraManifestSchema, packageManifestSchema, type OpenSoraManifest } from '../../src/shared/model/manifest';
import { importModel, makeTempDir, runPython, runTool, writeCheckpoints } from './opensoraTools';
import { parityFailures, readParityIndex } from '../engine/support/parityFixtures';

/**
 * `npm run import-model` on small checkpoints in the three published Open-Sora 1.2 layouts (random weights,
 * real key names, a real spiece.model): the package it writes, and every ONNX unit against the PyTorch mirror
 * modules (≤ 1e-4), TDTM variants against an explicit merge → attention → unmerge reference.
 */
describe('Open-Sora 1.2 import (small published-format checkpoints)', () => {
  let work = '';
  let pkg = '';
  let manifest: OpenSoraManifest;
  let importStdout = '';

  beforeAll(() => {
    work = makeTempDir('studio-opensora-import-');
    writeCheckpoints(path.join(work, 'ckpt'), 'bin');
    pkg = path.join(work, 'pkg');
    const run = importModel(path.join(work, 'ckpt'), pkg, ['--parity', '--progress-json', '--name', 'Open-Sora small test']);
    importStdout = run.stdout;
    if (run.status !== 0) {throw new Error(`import failed: ${run.stderr}`);}
    manifest = openSoraManifestSchema.parse(JSON.parse(fs.readFileSync(path.join(pkg, 'manifest.json'), 'utf8')));
  });
  afterAll(() => {
    if (work) {fs.rmSync(work, { recursive: true, force: true });}
  });

  it('writes a manifest the schema accepts, discriminated by architecture, with sizes read from the checkpoints', () => {
    expect(packageManifestSchema.parse(manifest).architecture).toBe('opensora-1.2');
    expect(manifest.id).toBe('open-sora-small-test');
    expect(manifest.text.hiddenSize).toBe(32);
    expect(manifest.text.blocks.map((u) => u.id)).toEqual(['text.block.00', 'text.block.01', 'text.block.02']);
    expect(manifest.denoiser).toMatchObject({ hiddenSize: 64, depth: 2, numHeads: 4, inChannels: 4, outChannels: 8, captionChannels: 32, modelMaxLength: 16 });
    expect(manifest.vae.temporal).toMatchObject({ chunkFrames: 17, chunkLatentFrames: 5, timeFactor: 4 });
    expect(manifest.vae.spatial).toMatchObject({ spatialFactor: 8, microBatch: 4 });
    expect(manifest.vae.encoder).toMatchObject({ spatial: { id: 'vae.spatial_encoder' }, temporal: { id: 'vae.temporal_encoder' }, posterior: 'mean' });
    expect(manifest.vae.encoder!.temporal.inputs[0]).toEqual({ name: 'x_z', dtype: 'float32', shape: ['B', 4, 'Fz', 'H', 'W'] });
    expect(manifest.vae.scale).toEqual([3.85, 2.32, 2.33, 3.06].map((x) => Math.fround(x)));
    expect(manifest.nullCaption.shape).toEqual([16, 32]);
    expect(fs.statSync(path.join(pkg, manifest.nullCaption.file)).size).toBe(16 * 32 * 4);
    expect(manifest.preview.factors).toHaveLength(4);
    const p144 = manifest.clip.presets.resolutions.find((r) => r.name === '144p')!.aspects.find((a) => a.aspect === '16:9');
    expect(p144).toEqual({ aspect: '16:9', width: 256, height: 144, latentWidth: 32, latentHeight: 18 });
  });

  it('carries the relative-position bias from the first T5 block to the others', () => {
    const [first, ...rest] = manifest.text.blocks;
    expect(first.outputs.map((t) => t.name)).toEqual(['h_out', 'pos_bias']);
    expect(first.outputs[1].shape).toEqual([1, 4, 'L', 'L']);
    for (const block of rest) {expect(block.inputs.map((t) => t.name)).toEqual(['h', 'attn_bias', 'pos_bias']);}
  });

  it('gives each TDTM variant its block pair\'s weights file and keeps every file the manifest names', () => {
    for (const pair of manifest.denoiser.blocks) {
      expect(pair.tdtm.id).toBe(`${pair.unit.id}.tdtm`);
      expect(pair.tdtm.weightsFile).toBe(pair.unit.weightsFile);
    }
    const units = [manifest.text.embed, ...manifest.text.blocks, manifest.text.final, manifest.denoiser.embedder, ...manifest.denoiser.blocks.flatMap((b) => [b.unit, b.tdtm]), manifest.denoiser.final, manifest.vae.temporal.unit, manifest.vae.spatial.unit, manifest.vae.encoder!.spatial, manifest.vae.encoder!.temporal];
    for (const u of units) {
      expect(fs.existsSync(path.join(pkg, u.file)), u.file).toBe(true);
      expect(fs.statSync(path.join(pkg, u.weightsFile!)).size).toBeGreaterThanOrEqual(u.sizeBytes);
    }
    expect(manifest.text.tokenizer).toMatchObject({ kind: 'sentencepiece', modelFile: 'spiece.model', maxTokens: 16, padId: 0, endId: 1, promptSuffix: ' aesthetic score: 6.5.' });
    expect(fs.readFileSync(path.join(pkg, 'spiece.model'))).toEqual(fs.readFileSync(path.join(work, 'ckpt', 't5', 'spiece.model')));
    const events = importStdout.trim().split('\n').map((line) => JSON.parse(line) as { event: string; done?: number; total?: number });
    expect(events.at(-1)!.event).toBe('done');
    expect(events.filter((e) => e.event === 'unit').at(-1)).toMatchObject({ done: units.length, total: units.length });
    expect(fs.readdirSync(work).filter((f) => f.includes('.importing-'))).toEqual([]);
  });

  it('matches the PyTorch mirror modules on every unit within 1e-4 (ONNX in onnxruntime-node)', async () => {
    const fixtures = path.join(pkg, 'parity');
    const index = readParityIndex(fixtures);
    const covered = new Set(index.cases.map((c) => c.unit));
    for (const u of [manifest.text.embed, ...manifest.text.blocks, manifest.text.final, manifest.denoiser.embedder, ...manifest.denoiser.blocks.flatMap((b) => [b.unit, b.tdtm]), manifest.denoiser.final, manifest.vae.temporal.unit, manifest.vae.spatial.unit, manifest.vae.encoder!.spatial, manifest.vae.encoder!.temporal]) {
      expect(covered.has(u.id), u.id).toBe(true);
    }
    // symbolic axes exercised at sizes other than the export's: T5 at two lengths, TDTM at odd and even T, a short VAE chunk
    // and the encoders at a pixel size that is not a multiple of 8 and on a one-frame chunk (an image)
    expect(index.cases.map((c) => c.name)).toEqual(
      expect.arrayContaining(['text.block.00@text_len=7', 'denoiser.block.00.tdtm@frames=6', 'vae.temporal@chunk_frames=2', 'vae.spatial_encoder@frame_batch=1@height_px=40@width_px=60', 'vae.temporal_encoder@chunk_frames=1']),
    );
    expect(await parityFailures(pkg, fixtures, index)).toEqual([]);
  });

  it('reads T5 from safetensors shards too, giving the same text units as the pickled shards', () => {
    const ck = path.join(work, 'ckpt-st');
    writeCheckpoints(ck, 'safetensors');
    expect(fs.readdirSync(path.join(ck, 't5')).sort()).toEqual(['config.json', 'model-00001-of-00002.safetensors', 'model-00002-of-00002.safetensors', 'model.safetensors.index.json', 'spiece.model', 'tokenizer_config.json']);
    const out = path.join(work, 'pkg-st');
    const run = importModel(ck, out);
    expect(run.status, run.stderr).toBe(0);
    for (const f of ['text.embed.weights', 'text.block.00.weights', 'text.block.02.weights', 'text.final.weights', 'denoiser.block.01.weights', 'vae.spatial.weights']) {
      expect(fs.readFileSync(path.join(out, f)).equals(fs.readFileSync(path.join(pkg, f))), f).toBe(true);
    }
  });

  it('reads pickled shards in the legacy (pre-zip) torch format too, with the same result', () => {
    const ck = path.join(work, 'ckpt-legacy');
    fs.cpSync(path.join(work, 'ckpt'), ck, { recursive: true });
    runPython(
      `import glob, os, torch
for f in glob.glob(os.path.join(sys.argv[1], 'pytorch_model-*.bin')):
    torch.save(torch.load(f), f, _use_new_zipfile_serialization=False)`,
      [path.join(ck, 't5')],
    );
    const out = path.join(work, 'pkg-legacy');
    const run = importModel(ck, out);
    expect(run.status, run.stderr).toBe(0);
    for (const f of ['text.embed.weights', 'text.block.01.weights', 'text.final.weights']) {
      expect(fs.readFileSync(path.join(out, f)).equals(fs.readFileSync(path.join(pkg, f))), f).toBe(true);
    }
  });

  it('builds mirror modules whose tensors at the real sizes add up to the published checkpoints', () => {
    const census = runTool('census.py', []);
    expect(census.status, census.stderr).toBe(0);
    // 4,835,598,472 B (STDiT-v3) and 1,573,430,548 B (VAE-v1.2) of fp32 tensors + JSON header; T5-XXL encoder 4,762,310,656 parameters
    expect(JSON.parse(census.stdout)).toEqual({
      stdit: { tensors: 973, elements: 1_208_872_772 },
      vae: { tensors: 517, elements: 393_341_015 },
      vaeSpatial: { tensors: 248, elements: 83_653_863 },
      vaeSpatialDecoder: { tensors: 138, elements: 49_490_179 },
      vaeTemporal: { tensors: 267, elements: 309_687_144 },
      vaeTemporalDecoder: { tensors: 132, elements: 165_265_924 },
      // the encoder units: the published encoders (34,163,592 and 144,421,128 parameters) + quant_conv (72) (+ scale/shift)
      vaeSpatialEncoderUnit: { tensors: 108, elements: 34_163_664 },
      vaeTemporalEncoderUnit: { tensors: 135, elements: 144_421_208 },
      t5: { tensors: 219, elements: 4_762_310_656 },
    });
  });

  it('tokenizes with the packaged spiece.model as T5 does (pad 0, </s> 1, unknown 2)', () => {
    const out = runPython(
      'import sentencepiece, json\nsp = sentencepiece.SentencePieceProcessor(model_file=sys.argv[1])\nprint(json.dumps([sp.GetPieceSize(), sp.IdToPiece(0), sp.IdToPiece(1), sp.IdToPiece(2), len(sp.EncodeAsIds("A red cat walking in the snow."))]))',
      [path.join(pkg, 'spiece.model')],
    );
    const [size, pad, end, unk, count] = JSON.parse(out) as [number, string, string, string, number];
    expect([pad, end, unk]).toEqual(['<pad>', '</s>', '<unk>']);
    expect(size).toBe(200);
    expect(count).toBeGreaterThan(3);
  });
});

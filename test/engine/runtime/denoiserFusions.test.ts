import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, describe, expect, it } from 'vitest';
import { ModelProto } from '../../../src/main/importer/onnxProto';
import { streamingSessionOptions } from '../../../src/main/engine/runtime/sessionOptions';

/**
 * What onnxruntime makes of the exported STDiT3 block graphs with the engine's session options (the graph it runs,
 * written by optimizedModelFilePath). models/tools/stdit3.py shapes the export for these fusions
 * (docs/real-size.md): each affine-free LayerNorm becomes one LayerNormalization, and TDTM's merge and unmerge are
 * one matrix product each over the frames, with no strided Slice or padding Concat of the activations.
 * Both the shipped model's units and an Open-Sora 1.2 package's units come from the same exporter.
 */
const PACKAGES = ['models/shapes-tiny', 'test/fixtures/packages/opensora-tiny'];
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'denoiser-fusions-'));
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

async function optimizedOpCounts(unitFile: string): Promise<Map<string, number>> {
  const optimizedFile = path.join(work, `${path.basename(path.dirname(unitFile))}-${path.basename(unitFile)}`);
  const session = await ort.InferenceSession.create(unitFile, { ...streamingSessionOptions(), optimizedModelFilePath: optimizedFile });
  await session.release();
  const model = ModelProto.decode(fs.readFileSync(optimizedFile)) as unknown as { graph: { node: { opType: string }[] } };
  const counts = new Map<string, number>();
  for (const node of model.graph.node) {
    counts.set(node.opType, (counts.get(node.opType) ?? 0) + 1);
  }
  return counts;
}

describe.each(PACKAGES)('the denoiser block pair of %s as onnxruntime runs it', (packageDir) => {
  it('each block\'s two LayerNorms and its q/k RMSNorms are single operators: no Pow, ReduceMean or Sqrt pass over the tokens', async () => {
    const counts = await optimizedOpCounts(path.resolve(packageDir, 'denoiser.block.00.onnx'));
    expect(counts.get('LayerNormalization')).toBe(4);
    expect(counts.get('SimplifiedLayerNormalization')).toBe(4);
    for (const op of ['Pow', 'ReduceMean', 'Sqrt']) {
      expect(counts.get(op) ?? 0, op).toBe(0);
    }
  });

  it('the TDTM variant merges and unmerges with one product each (two attentions per block) and slices nothing', async () => {
    const plain = await optimizedOpCounts(path.resolve(packageDir, 'denoiser.block.00.onnx'));
    const merged = await optimizedOpCounts(path.resolve(packageDir, 'denoiser.block.00.tdtm.onnx'));
    expect(merged.get('LayerNormalization')).toBe(4);
    expect(merged.get('Slice') ?? 0).toBe(0);
    const products = (counts: Map<string, number>) => (counts.get('MatMul') ?? 0) + (counts.get('FusedMatMul') ?? 0);
    // 2 blocks × (self-attention + cross-attention) × (merge + unmerge)
    expect(products(merged) - products(plain)).toBe(8);
  });
});

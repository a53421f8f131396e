import type { ModelManifest, ModelUnit } from '@shared/model/manifest';

/**
 * Every manifest field that a graph also states, checked against the unit's tensor specs (which checkPackageUnits
 * checks against the ONNX graphs themselves), plus the relations models/FORMAT.md states between fields (the clip is
 * the latent times the decoder's factors). A contradiction would otherwise surface as an ONNX error at the first step,
 * or as a record claiming a clip that was never made. Returns one message per contradiction, naming field and file.
 */
export function manifestContradictions(manifest: ModelManifest): string[] {
  const problems: string[] = [];
  const expectDim = (field: string, value: number, unit: ModelUnit, side: 'inputs' | 'outputs', tensor: string, axis: number): void => {
    const spec = unit[side].find((candidate) => candidate.name === tensor);
    const dim = spec?.shape[axis];
    if (typeof dim === 'number' && dim !== value) {
      problems.push(`${field} is ${value} but ${unit.file} ${side === 'inputs' ? 'input' : 'output'} "${tensor}" has ${dim} on axis ${axis}`);
    }
  };
  const expectEqual = (field: string, value: number, otherField: string, other: number): void => {
    if (value !== other) {
      problems.push(`${field} is ${value} but ${otherField} is ${other}`);
    }
  };

  const { latent, native, denoiser, decoder, text } = manifest;
  // Latent channels: the denoiser's input, its final layer's z, the decoder's input, the preview's factors.
  expectEqual('latent.channels', latent.channels, 'denoiser.inChannels', denoiser.inChannels);
  expectEqual('latent.channels', latent.channels, 'the number of preview.factors rows', manifest.preview.factors.length);
  expectDim('latent.channels', latent.channels, denoiser.embedder, 'inputs', 'z', 1);
  expectDim('latent.channels', latent.channels, denoiser.final, 'inputs', 'z', 1);
  expectDim('latent.channels', latent.channels, decoder.unit, 'inputs', 'z', 1);
  expectDim('denoiser.outChannels', denoiser.outChannels, denoiser.final, 'outputs', 'v', 1);
  // Hidden size through the denoiser.
  expectDim('denoiser.hiddenSize', denoiser.hiddenSize, denoiser.embedder, 'outputs', 'x', 3);
  expectDim('denoiser.hiddenSize', denoiser.hiddenSize, denoiser.embedder, 'outputs', 'y_tok', 2);
  expectDim('denoiser.hiddenSize', denoiser.hiddenSize, denoiser.embedder, 'outputs', 't_emb', 1);
  expectDim('denoiser.hiddenSize', denoiser.hiddenSize, denoiser.embedder, 'inputs', 'pos_emb', 2);
  expectDim('6 × denoiser.hiddenSize', 6 * denoiser.hiddenSize, denoiser.embedder, 'outputs', 't_mlp', 1);
  for (const pair of denoiser.blocks) {
    for (const unit of [pair.unit, pair.tdtm]) {
      expectDim('denoiser.hiddenSize', denoiser.hiddenSize, unit, 'inputs', 'x', 3);
      expectDim('denoiser.hiddenSize', denoiser.hiddenSize, unit, 'outputs', 'x_out', 3);
    }
  }
  expectDim('denoiser.hiddenSize', denoiser.hiddenSize, denoiser.final, 'inputs', 'x', 3);
  expectEqual('denoiser.depth', denoiser.depth, 'the number of denoiser.blocks', denoiser.blocks.length);
  if (denoiser.hiddenSize % denoiser.numHeads !== 0) {
    problems.push(`denoiser.hiddenSize ${denoiser.hiddenSize} is not a multiple of denoiser.numHeads ${denoiser.numHeads}`);
  }
  // Captions: the text encoder's width, the null caption, the denoiser's caption input.
  expectDim('text.hiddenSize', text.hiddenSize, text.embed, 'outputs', 'h', 2);
  for (const block of text.blocks) {
    expectDim('text.hiddenSize', text.hiddenSize, block, 'inputs', 'h', 2);
  }
  expectDim('denoiser.captionChannels', denoiser.captionChannels, text.final, 'outputs', 'text_emb', 2);
  expectDim('denoiser.captionChannels', denoiser.captionChannels, denoiser.embedder, 'inputs', 'y', 2);
  expectEqual('nullCaption.shape[1]', manifest.nullCaption.shape[1], 'denoiser.captionChannels', denoiser.captionChannels);
  expectEqual('nullCaption.shape[0]', manifest.nullCaption.shape[0], 'denoiser.modelMaxLength', denoiser.modelMaxLength);
  if (text.tokenizer.maxTokens > denoiser.modelMaxLength) {
    problems.push(`text.tokenizer.maxTokens ${text.tokenizer.maxTokens} exceeds denoiser.modelMaxLength ${denoiser.modelMaxLength}`);
  }
  // The clip is the latent times the decoder's factors (models/FORMAT.md: F = T·temporalFactor, Hpx = H·spatialFactor).
  expectEqual('native.frames', native.frames, 'latent.frames × decoder.temporalFactor', latent.frames * decoder.temporalFactor);
  expectEqual('native.height', native.height, 'latent.height × decoder.spatialFactor', latent.height * decoder.spatialFactor);
  expectEqual('native.width', native.width, 'latent.width × decoder.spatialFactor', latent.width * decoder.spatialFactor);
  return problems;
}

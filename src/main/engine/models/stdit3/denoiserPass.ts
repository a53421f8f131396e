import { StudioError } from '@shared/ipc/errors';
import type { DenoiserSpec } from '@shared/model/manifest';
import { checkedFeeds, requireFiniteOutputs } from '../../pipeline/numericCheck';
import { float32View, tensorData, type TensorData, type TensorMap } from '../../runtime/types';
import type { PassResult, StreamUnit, UnitStreamer } from '../../streaming/unitStreamer';
import { embedderFeeds, ropeFeeds, type StepConstants } from './denoiseFeeds';

/** Feeds that every unit of a denoiser pass reuses: copied to each worker, not transferred. */
const SHARED_DENOISER_FEEDS = ['y_tok', 't_mlp', 't_emb', 'rope_cos', 'rope_sin', 'y_bias', 'x_mask', 't0_mlp', 't0_emb'];

export interface DenoiserPassRequest {
  readonly constants: StepConstants;
  /** The CFG batch [2, C, T, H, W] at the units' grid (constants.latentDims). */
  readonly latentBatch: Float32Array;
  readonly timestep: number;
  readonly merged: boolean;
  /**
   * Per latent frame, 1 = generate, 0 = reference, for units that take Open-Sora v1.2.0's frame mask (fed as
   * `x_mask` [2, T] for both CFG samples, with the embedder's `t0_mlp`/`t0_emb`); null for units without it.
   */
  readonly frameMask: Uint8Array | null;
  /** The step's index, for messages naming where a NaN appeared. */
  readonly step: number;
  readonly signal?: AbortSignal;
}

/**
 * One STDiT3 evaluation over the units of models/FORMAT.md ("Denoiser"): embedder → block pairs (TDTM units when
 * merged) → final layer, streamed by the UnitStreamer. Returns `v` [2, outChannels, T, H, W] at the units' grid.
 */
export async function runDenoiserPass(
  streamer: UnitStreamer,
  passUnits: readonly StreamUnit[],
  denoiser: DenoiserSpec,
  request: DenoiserPassRequest,
): Promise<{ velocity: Float32Array; pass: PassResult }> {
  const { constants, latentBatch } = request;
  const headDim = denoiser.hiddenSize / denoiser.numHeads;
  const lastIndex = passUnits.length - 1;
  const rope = ropeFeeds(constants, request.merged, headDim);
  let shared: { yTok: TensorData; tMlp: TensorData; tEmb: TensorData; masked: TensorMap } | undefined;
  const frameMask = request.frameMask;
  const xMask = frameMask ? tensorData('bool', [2, frameMask.length], Uint8Array.from([...frameMask, ...frameMask], (v) => (v ? 1 : 0))) : null;
  const pass = await streamer.runPass(
    passUnits,
    // Each unit's outputs are checked for NaN/Inf as they feed the next unit, so the unit that made one is named.
    checkedFeeds(passUnits.map((unit) => unit.id), (index, previous): TensorMap => {
      if (index === 0) {
        return embedderFeeds(constants, latentBatch, request.timestep, denoiser.hiddenSize);
      }
      if (index === 1) {
        const embedded = requireOutputs(previous, ['x', 'y_tok', 't_mlp', 't_emb'], passUnits[0].id);
        const t0 = xMask ? requireOutputs(previous, ['t0_mlp', 't0_emb'], passUnits[0].id) : null;
        shared = { yTok: embedded.y_tok, tMlp: embedded.t_mlp, tEmb: embedded.t_emb, masked: xMask && t0 ? { x_mask: xMask, t0_mlp: t0.t0_mlp, t0_emb: t0.t0_emb } : {} };
      }
      if (!shared) {
        throw new Error('the embedder outputs are missing');
      }
      const x = index === 1 ? requireOutputs(previous, ['x'], passUnits[0].id).x : requireOutputs(previous, ['x_out'], passUnits[index - 1].id).x_out;
      if (index === lastIndex) {
        const { x_mask, t0_emb } = shared.masked;
        return {
          x,
          t_emb: shared.tEmb,
          ...(x_mask && t0_emb ? { x_mask, t0_emb } : {}),
          z: tensorData('float32', constants.latentDims, latentBatch.slice()),
          timestep: tensorData('float32', [2], new Float32Array([request.timestep, request.timestep])),
        };
      }
      const { x_mask, t0_mlp } = shared.masked;
      return { x, y_tok: shared.yTok, t_mlp: shared.tMlp, ...rope, ...(x_mask && t0_mlp ? { x_mask, t0_mlp } : {}) };
    }, { stage: 'denoise', step: request.step }),
    { signal: request.signal, keepFeeds: SHARED_DENOISER_FEEDS },
  );
  const velocity = pass.outputs.v;
  if (!velocity) {
    throw new StudioError('MODEL_INVALID', `${passUnits[lastIndex].id} produced no "v" output.`);
  }
  requireFiniteOutputs(pass.outputs, { stage: 'denoise', step: request.step, unitId: passUnits[lastIndex].id });
  return { velocity: float32View(velocity), pass };
}

/** The named outputs of a unit, or a MODEL_INVALID error naming the unit and the missing tensor. */
export function requireOutputs<K extends string>(outputs: TensorMap | null, names: K[], unitId: string): Record<K, TensorData> {
  const found = {} as Record<K, TensorData>;
  for (const name of names) {
    const tensor = outputs?.[name];
    if (!tensor) {
      throw new StudioError('MODEL_INVALID', `Unit ${unitId} produced no "${name}" output.`);
    }
    found[name] = tensor;
  }
  return found;
}

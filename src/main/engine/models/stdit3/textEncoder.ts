import type { ModelPackage } from '../../package/modelPackage';
import { checkedFeeds, requireFiniteOutputs } from '../../pipeline/numericCheck';
import { tensorData, float32View, type TensorMap } from '../../runtime/types';
import type { StreamUnit, UnitStreamer } from '../../streaming/unitStreamer';
import { captionBatch } from '../captionBatch';
import type { PreparedPrompt, TextConditioning } from '../videoModel';

/** Additive attention bias for padding (models/FORMAT.md): finite, so fp16 runtimes stay safe. */
const PADDING_BIAS = -1e4;


/**
 * Runs the text encoder once (streamed block by block like the denoiser) and builds the CFG caption batch
 * y = [2, L, Ccap]: the prompt's first L embeddings and the null caption's first L rows, where L is the prompt's
 * real token count, end token included (Open-Sora truncates the null caption to the conditional prompt's length;
 * docs/techniques.md §Decisions, D7).
 */
export async function encodePrompt(
  streamer: UnitStreamer,
  units: readonly StreamUnit[],
  pkg: ModelPackage,
  tokens: Pick<PreparedPrompt, 'ids' | 'mask' | 'length'>,
  signal: AbortSignal | undefined,
): Promise<TextConditioning> {
  const maxTokens = tokens.ids.length;
  const bias = new Float32Array(maxTokens);
  for (let i = 0; i < maxTokens; i++) {
    bias[i] = tokens.mask[i] ? 0 : PADDING_BIAS;
  }
  const lastIndex = units.length - 1;
  const pass = await streamer.runPass(
    units,
    checkedFeeds(units.map((unit) => unit.id), (index, previous): TensorMap => {
      if (index === 0) {
        return { input_ids: tensorData('int64', [1, maxTokens], tokens.ids.slice()) };
      }
      const hidden = previous?.h_out ?? previous?.h;
      if (!hidden) {
        throw new Error(`text unit ${units[index - 1].id} produced no hidden state`);
      }
      return index === lastIndex ? { h: hidden } : { h: hidden, attn_bias: tensorData('float32', [1, maxTokens], bias.slice()) };
    }, { stage: 'text' }),
    { signal },
  );
  requireFiniteOutputs(pass.outputs, { stage: 'text', unitId: units[lastIndex].id });
  const textEmb = pass.outputs.text_emb;
  if (!textEmb) {
    throw new Error('the text encoder produced no text_emb output');
  }
  const captions = captionBatch(float32View(textEmb), pkg.nullCaption, tokens.length, pkg.manifest.nullCaption.shape[1]);
  return { captions, tokenCount: tokens.length, pass };
}

import { StudioError } from '@shared/ipc/errors';
import type { OpenSoraManifest } from '@shared/model/manifest';
import type { ModelPackage } from '../../package/modelPackage';
import { checkedFeeds, requireFiniteOutputs } from '../../pipeline/numericCheck';
import { float32View, tensorData, type TensorData, type TensorMap } from '../../runtime/types';
import type { StreamUnit, UnitStreamer } from '../../streaming/unitStreamer';
import { captionBatch } from '../captionBatch';
import type { PreparedPrompt, TextConditioning } from '../videoModel';

/** Feeds every T5 block reuses: copied to each worker, not transferred. */
const SHARED_TEXT_FEEDS = ['attn_bias', 'pos_bias'];

/**
 * T5 v1.1's encoder over the package's text units (models/FORMAT.md, "Text encoder"): `text.embed` → every
 * `text.block.NN` (block 00 computes the relative-position bias and hands it to the others, as transformers'
 * T5Stack does) → `text.final`, streamed like the denoiser.
 *
 * Only the L real tokens are fed (`</s>` included), not the row padded to 300: padded keys get exactly zero
 * attention weight upstream (the mask adds the dtype minimum), and every other T5 operation is per token, so the
 * first L rows are the same as a padded run's, and STDiT3 reads only those rows (it selects tokens by the mask).
 * `attn_bias` is therefore all zeros; the relative-position bias depends only on positions, which do not move.
 */
export async function encodeT5Prompt(
  streamer: UnitStreamer,
  units: readonly StreamUnit[],
  pkg: ModelPackage & { manifest: OpenSoraManifest },
  prompt: Pick<PreparedPrompt, 'ids' | 'length'>,
  signal: AbortSignal | undefined,
): Promise<TextConditioning> {
  const length = prompt.length;
  const ids = prompt.ids.slice(0, length);
  const attnBias = new Float32Array(length);
  const lastIndex = units.length - 1;
  let posBias: TensorData | undefined;
  const pass = await streamer.runPass(
    units,
    checkedFeeds(units.map((unit) => unit.id), (index, previous): TensorMap => {
      if (index === 0) {
        return { input_ids: tensorData('int64', [1, length], ids) };
      }
      const hidden = previous?.h_out ?? previous?.h;
      if (!hidden) {
        throw new StudioError('MODEL_INVALID', `Text unit ${units[index - 1].id} produced no hidden state.`);
      }
      if (index === 2) {
        posBias = previous?.pos_bias;
      }
      if (index === lastIndex) {
        return { h: hidden };
      }
      const bias = tensorData('float32', [1, length], attnBias.slice());
      if (index === 1) {
        return { h: hidden, attn_bias: bias };
      }
      if (!posBias) {
        throw new StudioError('MODEL_INVALID', `Text unit ${units[1].id} produced no "pos_bias" output (the first T5 block computes it).`);
      }
      return { h: hidden, attn_bias: bias, pos_bias: posBias };
    }, { stage: 'text' }),
    { signal, keepFeeds: SHARED_TEXT_FEEDS },
  );
  const textEmb = pass.outputs.text_emb;
  if (!textEmb) {
    throw new StudioError('MODEL_INVALID', `${units[lastIndex].id} produced no "text_emb" output.`);
  }
  requireFiniteOutputs(pass.outputs, { stage: 'text', unitId: units[lastIndex].id });
  const captions = captionBatch(float32View(textEmb), pkg.nullCaption, length, pkg.manifest.nullCaption.shape[1]);
  return { captions, tokenCount: length, pass };
}

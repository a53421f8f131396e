/**
 * The CFG caption batch y = [2, L, C]: the prompt's first L embeddings and the null caption's first L rows, where L
 * is the prompt's real token count, end token included. Open-Sora selects the prompt's tokens with its mask and
 * applies the same mask to the null caption (STDiT3.encode_text repeats the mask over the batch), so the null
 * caption is cut to the conditional prompt's length.
 */
export function captionBatch(embeddings: Float32Array, nullCaption: Float32Array, length: number, channels: number): Float32Array {
  const rowValues = length * channels;
  if (embeddings.length < rowValues || nullCaption.length < rowValues) {
    throw new RangeError(`caption batch: ${length} tokens of ${channels} channels exceed the embeddings or the null caption`);
  }
  const captions = new Float32Array(2 * rowValues);
  captions.set(embeddings.subarray(0, rowValues), 0);
  captions.set(nullCaption.subarray(0, rowValues), rowValues);
  return captions;
}

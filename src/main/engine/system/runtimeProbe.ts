import * as ort from 'onnxruntime-node';

// Interim: replaced by runtime/ort.ts once the runtime module lands.
export function getRuntimeInfo(): { onnxruntimeVersion: string; executionProviders: string[] } {
  const providers = ort.listSupportedBackends?.().map((b) => b.name) ?? ['cpu'];
  return { onnxruntimeVersion: ort.env.versions.node ?? ort.env.versions.common, executionProviders: providers };
}

export async function runSingleUnit(
  modelPath: string,
  feeds: Record<string, { dtype: 'float32'; dims: number[]; data: Float32Array }>,
): Promise<Record<string, { data: ArrayLike<number> }>> {
  const session = await ort.InferenceSession.create(modelPath, { executionProviders: ['cpu'] });
  try {
    const tensors: Record<string, ort.Tensor> = {};
    for (const [name, feed] of Object.entries(feeds)) {
      tensors[name] = new ort.Tensor(feed.dtype, feed.data, feed.dims);
    }
    const result = await session.run(tensors);
    const out: Record<string, { data: ArrayLike<number> }> = {};
    for (const [name, tensor] of Object.entries(result)) {
      out[name] = { data: tensor.data as Float32Array };
    }
    return out;
  } finally {
    await session.release();
  }
}

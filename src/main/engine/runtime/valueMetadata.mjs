// Plain JS so that both the ORT worker body (copied, not bundled) and ort.ts use this one function.

/**
 * Name, ORT type name and dims of each session input or output; sequence/map values are "non-tensor".
 * @param {readonly import('onnxruntime-node').InferenceSession.ValueMetadata[]} list
 */
export function describeValueMetadata(list) {
  return list.map((meta) =>
    meta.isTensor ? { name: meta.name, dtype: meta.type, dims: [...meta.shape] } : { name: meta.name, dtype: 'non-tensor', dims: [] },
  );
}

/**
 * onnxruntime's `freeDimensionOverrides` (a session option that gives named symbolic axes fixed sizes before ORT
 * optimises and partitions, so an EP such as CoreML sees static shapes) is dropped by onnxruntime-node 1.30.0's
 * binding: its session-options parser reads no such key (the string is absent from onnxruntime_binding.node, and a
 * session given it keeps its symbolic inputs). The engine applies the option itself, with the same meaning: the
 * graph's input axes of those names get those sizes, and the session is created from the rewritten graph bytes,
 * its external weights still read from the unit's folder (`session.model_external_initializers_file_folder_path`).
 */
import fs from 'node:fs';
import path from 'node:path';
import type protobuf from 'protobufjs';

import { ModelProto } from '../../importer/onnxProto';
import type { SessionOptions } from './types';

type FreeDimensionOverrides = NonNullable<SessionOptions['freeDimensionOverrides']>;

interface DimLike {
  dimValue?: number | { toNumber(): number } | null;
  dimParam?: string | null;
}
/** The part of a decoded ModelProto the binding reads (also the CoreML report's decoded models). */
export interface GraphInputsLike {
  graph: {
    input: { name: string; type?: { tensorType?: { shape?: { dim?: DimLike[] } } } }[];
    initializer: { name: string }[];
  };
}

/**
 * Gives the graph inputs' symbolic axes named in `sizes` those sizes, in place (initializers listed as inputs are
 * left alone). Returns the names of symbolic axes `sizes` does not name, which stay symbolic.
 */
export function bindFreeDimensions(model: GraphInputsLike, sizes: FreeDimensionOverrides): string[] {
  const initializers = new Set(model.graph.initializer.map((tensor) => tensor.name));
  const unbound = new Set<string>();
  for (const input of model.graph.input) {
    if (initializers.has(input.name)) {
      continue;
    }
    for (const dim of input.type?.tensorType?.shape?.dim ?? []) {
      if (!dim.dimParam) {
        continue;
      }
      const size = sizes[dim.dimParam];
      if (size === undefined) {
        unbound.add(dim.dimParam);
        continue;
      }
      dim.dimValue = size;
      dim.dimParam = null;
    }
  }
  return [...unbound];
}

export function hasFreeDimensionOverrides(options: SessionOptions): boolean {
  return Object.keys(options.freeDimensionOverrides ?? {}).length > 0;
}

/**
 * What the worker creates a session from: the unit's path as it is, or, with free-dimension overrides, its graph
 * bytes with those axes bound and options that read the external weights from the unit's folder.
 */
export async function sessionSource(modelPath: string, options: SessionOptions): Promise<{ model: string | Uint8Array; options: SessionOptions }> {
  if (!hasFreeDimensionOverrides(options)) {
    return { model: modelPath, options };
  }
  const { freeDimensionOverrides, ...rest } = options;
  const model = ModelProto.decode(await fs.promises.readFile(modelPath)) as unknown as GraphInputsLike & protobuf.Message;
  bindFreeDimensions(model, freeDimensionOverrides ?? {});
  const session = { ...(rest.extra?.session as Record<string, string> | undefined), model_external_initializers_file_folder_path: path.dirname(path.resolve(modelPath)) };
  return { model: ModelProto.encode(model).finish(), options: { ...rest, extra: { ...rest.extra, session } } };
}

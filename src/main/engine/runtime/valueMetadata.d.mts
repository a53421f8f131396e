import type { InferenceSession } from 'onnxruntime-node';
import type { TensorMetadata } from './types';

export function describeValueMetadata(list: readonly InferenceSession.ValueMetadata[]): TensorMetadata[];

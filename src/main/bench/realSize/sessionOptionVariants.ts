import { streamingSessionOptions } from '../../engine/runtime/sessionOptions';
import type { SessionOptions } from '../../engine/runtime/types';

/**
 * The session options the real-size bench compares on the same short step: the engine's own
 * (streamingSessionOptions) and one change at a time from it.
 */
export const SESSION_OPTION_VARIANTS = ['engine', 'arena', 'spinning', 'no-prepacking', 'graph-basic', 'one-thread', 'ort-threads'] as const;
export type SessionOptionVariant = (typeof SESSION_OPTION_VARIANTS)[number];

export const SESSION_OPTION_LABELS: Record<SessionOptionVariant, string> = {
  engine: "the engine's (no arena, no memory pattern, no spinning, all graph optimizations, one intra-op thread per physical core)",
  arena: '+ CPU arena and memory pattern',
  spinning: '+ thread-pool spinning',
  'no-prepacking': '+ weight prepacking off',
  'graph-basic': '+ basic graph optimizations only',
  'one-thread': '+ one intra-op thread per session',
  'ort-threads': "+ ORT's own intra-op thread count (its cpuinfo cores, or hardware threads / 2)",
};

export function sessionOptionsFor(variant: SessionOptionVariant): SessionOptions {
  const base = streamingSessionOptions();
  const session = { ...(base.extra as { session?: Record<string, unknown> } | undefined)?.session };
  switch (variant) {
    case 'engine':
      return base;
    case 'arena':
      return { ...base, enableCpuMemArena: true, enableMemPattern: true };
    case 'spinning':
      return { ...base, extra: { session: { ...session, intra_op: { allow_spinning: '1' }, inter_op: { allow_spinning: '1' } } } };
    case 'no-prepacking':
      return { ...base, extra: { session: { ...session, disable_prepacking: '1' } } };
    case 'graph-basic':
      return { ...base, graphOptimizationLevel: 'basic' };
    case 'one-thread':
      return { ...base, intraOpNumThreads: 1 };
    case 'ort-threads': {
      const { intraOpNumThreads: _engineThreads, ...ortChoice } = base;
      return ortChoice;
    }
  }
}

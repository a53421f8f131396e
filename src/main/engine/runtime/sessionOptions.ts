/**
 * Execution providers and session options for streamed units. Pure (no onnxruntime import), so the streamer can
 * build options without loading the native binding on the engine thread; ort.ts re-exports these.
 */
import type { InferenceSession } from 'onnxruntime-node';

import { engineThreadCount } from './cpuCores';
import type { SessionOptions } from './types';

/** CoreML EP flag bits as read by onnxruntime-node's binding (docs/runtime-notes.md §Execution providers and CoreML). */
export const COREML_FLAGS = {
  useCpuOnly: 0x001,
  enableOnSubgraph: 0x002,
  onlyEnableDeviceWithAne: 0x004,
  onlyAllowStaticInputShapes: 0x008,
  createMlProgram: 0x010,
  useCpuAndGpu: 0x020,
} as const;

export interface PlatformId {
  readonly platform: NodeJS.Platform;
  readonly arch: string;
}

export function currentPlatform(): PlatformId {
  return { platform: process.platform, arch: process.arch };
}

/**
 * macOS arm64: CoreML as an MLProgram with CPU fallback (the darwin/arm64 binding ships the CoreML EP; ORT drops an
 * unavailable provider from a list with a warning but rejects a list with none available). Elsewhere: CPU.
 */
export function executionProvidersFor(target: PlatformId = currentPlatform()): InferenceSession.ExecutionProviderConfig[] {
  if (target.platform === 'darwin' && target.arch === 'arm64') {
    return [{ name: 'coreml', coreMlFlags: COREML_FLAGS.createMlProgram }, 'cpu'];
  }
  return ['cpu'];
}

/**
 * Whether sessions get free-dimension overrides for the job's clip (static shapes): where the CoreML EP runs them,
 * since it leaves every Reshape, Slice or Resize with a symbolic input to the CPU (docs/coreml.md). On the CPU EP the
 * sessions stay symbolic, so one session serves every clip and prompt length.
 */
export function staticShapesWanted(target: PlatformId = currentPlatform()): boolean {
  return executionProvidersFor(target).some((provider) => typeof provider !== 'string' && provider.name === 'coreml');
}

export interface StreamingSessionOptionsInput {
  readonly target?: PlatformId;
  /**
   * ORT intra-op threads per session. Two executors each run a session, so a caller that wants loads not to steal
   * compute threads can give each session part of the cores (docs/techniques.md §Decisions, D8). Default: one per
   * physical core (engineThreadCount), never ORT's own choice, which can leave half the cores idle.
   */
  readonly intraOpNumThreads?: number;
}

/**
 * Options for sessions that are created and released per pass:
 * - no CPU arena and no memory pattern, which gave the lowest steady RSS at no measurable speed cost
 *   (docs/runtime-notes.md §Session options); the arena would otherwise keep intermediate buffers after every run of every unit;
 * - no thread-pool spinning. Every session owns an intra-op pool whose threads busy-wait after a run; with many
 *   sessions resident (and a load running beside them) those idle spinners steal the cores the next unit needs.
 *   Measured here (2 cores, 8 resident 6 MB MatMul blocks, one chain pass): 510–600 ms spinning vs 130–155 ms not;
 * - one intra-op thread per physical core, set explicitly (cpuCores.ts): on a 2-vCPU host ORT's default gave one.
 */
export function streamingSessionOptions(input: StreamingSessionOptionsInput = {}): SessionOptions {
  return {
    executionProviders: executionProvidersFor(input.target),
    enableCpuMemArena: false,
    enableMemPattern: false,
    extra: { session: { intra_op: { allow_spinning: '0' }, inter_op: { allow_spinning: '0' } } },
    intraOpNumThreads: input.intraOpNumThreads ?? engineThreadCount(),
  };
}

/** Whether a unit's session stays for many runs (the plan's resident prefix) or is made for one run and released. */
export type UnitResidency = 'resident' | 'streamed';

/**
 * The options a unit's session is created with. A streamed unit's session runs once, so prepacking its weights (MLAS
 * copies every MatMul/Gemm weight into its own panel layout at creation) is paid on every pass, on the loading core,
 * while the other unit computes. Without it MLAS packs each panel as it multiplies, which costs nothing measurable
 * at a step's token counts. Measured at 144p × 51 frames, 25 % budget: loads 10.1 s per step with prepacking, 1.8 s
 * without (docs/real-size.md). Resident sessions keep ORT's default: their packing is paid once.
 */
export function unitSessionOptions(base: SessionOptions, residency: UnitResidency): SessionOptions {
  if (residency === 'resident') {
    return base;
  }
  const extra = (base.extra ?? {}) as { session?: Record<string, unknown> };
  return { ...base, extra: { ...extra, session: { ...extra.session, disable_prepacking: '1' } } };
}

import os from 'node:os';
import type { SystemInfo } from '@shared/ipc/contract';
import { getRuntimeInfo, runOnce } from '../runtime/ort';
import { locateRuntimeCheckModel } from '../paths';
import { expectedRuntimeCheckOutput, maxAbsDifference, RUNTIME_CHECK_INPUT, RUNTIME_CHECK_INPUT_DIMS } from './runtimeCheck';

/** Answers system.info: what this engine runs on, plus a real ONNX run proving the runtime works. */
export async function getSystemInfo(options: { engineStartedAtMs: number }): Promise<SystemInfo> {
  const runtime = getRuntimeInfo();
  const modelPath = locateRuntimeCheckModel();
  const startedMs = performance.now();
  const outputs = await runOnce(modelPath, { x: { dtype: 'float32', dims: [...RUNTIME_CHECK_INPUT_DIMS], data: RUNTIME_CHECK_INPUT } });
  const durationMs = performance.now() - startedMs;
  const actual = outputs.y;
  const maxAbsError = actual ? maxAbsDifference(actual, expectedRuntimeCheckOutput(RUNTIME_CHECK_INPUT)) : Number.POSITIVE_INFINITY;
  return {
    platform: process.platform,
    arch: process.arch,
    nodeVersion: process.versions.node,
    onnxruntimeVersion: runtime.ortVersion,
    executionProviders: [...runtime.executionProviders],
    totalMemoryBytes: os.totalmem(),
    freeMemoryBytes: os.freemem(),
    engineProcessId: process.pid,
    engineRssBytes: process.memoryUsage().rss,
    engineStartedAtMs: options.engineStartedAtMs,
    runtimeCheck: { ok: maxAbsError < 1e-5, model: 'runtime-check.onnx', durationMs, maxAbsError },
  };
}

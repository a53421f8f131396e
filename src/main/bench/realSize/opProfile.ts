import fs from 'node:fs';
import path from 'node:path';

/**
 * Where a step's time goes, from onnxruntime's own profiler (session option `enableProfiling`: a Chrome-trace JSON
 * per session, written when the session is released). Kernel time is summed per operator type over every run of
 * every profiled session except each session's first (its warm-up), sessions run once left out; matrix-product FLOPs are counted from the
 * recorded input and output shapes, so the GEMM rate inside the step is measured, not assumed.
 */
export interface OpProfile {
  /** Timed runs per session (each session's first run is left out). */
  readonly runsPerSession: number;
  /** Kernel milliseconds per timed run of all sessions together, per operator type, largest first. */
  readonly opMs: Array<{ op: string; ms: number; share: number }>;
  readonly kernelMs: number;
  /** Gemm, MatMul and FusedMatMul: their share of the kernel time and their rate. */
  readonly matmulShare: number;
  readonly matmulGflops: number;
}

interface TraceEvent {
  readonly cat?: string;
  readonly name: string;
  readonly ts: number;
  readonly dur: number;
  readonly args?: { op_name?: string; input_type_shape?: Array<Record<string, number[]>>; output_type_shape?: Array<Record<string, number[]>> };
}

const MATMUL_OPS = new Set(['Gemm', 'MatMul', 'FusedMatMul']);

const shapeOf = (entry: Record<string, number[]> | undefined): number[] => (entry ? (Object.values(entry)[0] ?? []) : []);
const product = (dims: readonly number[]): number => dims.reduce((total, dim) => total * dim, 1);

/** 2·(output elements)·K, K the first input's last axis (Gemm with transA is not exported). */
function matmulFlop(event: TraceEvent): number {
  const input = shapeOf(event.args?.input_type_shape?.[0]);
  const output = shapeOf(event.args?.output_type_shape?.[0]);
  return input.length > 0 ? 2 * product(output) * input[input.length - 1] : 0;
}

export function readOpProfiles(files: readonly string[]): OpProfile {
  const opUs = new Map<string, number>();
  let flop = 0;
  let matmulUs = 0;
  let runsPerSession = Infinity;
  let sessions = 0;
  for (const file of files) {
    const events = JSON.parse(fs.readFileSync(file, 'utf8')) as TraceEvent[];
    const runs = events.filter((event) => event.cat === 'Session' && event.name === 'model_run').sort((a, b) => a.ts - b.ts);
    // A session run once (the executors' runtime warm-up) has no timed run.
    if (runs.length < 2) {continue;}
    sessions += 1;
    runsPerSession = Math.min(runsPerSession, runs.length - 1);
    const timedFrom = runs[1].ts;
    for (const event of events) {
      const op = event.args?.op_name;
      if (event.cat !== 'Node' || !op || !event.name.endsWith('_kernel_time') || event.ts < timedFrom) {continue;}
      opUs.set(op, (opUs.get(op) ?? 0) + event.dur);
      if (MATMUL_OPS.has(op)) {
        matmulUs += event.dur;
        flop += matmulFlop(event);
      }
    }
  }
  if (sessions === 0) {
    throw new Error(`no profiled session ran more than once (${files.map((file) => path.basename(file)).join(', ') || 'no profile files'}); the first run is the warm-up`);
  }
  const totalUs = [...opUs.values()].reduce((sum, value) => sum + value, 0);
  const perRun = (us: number): number => us / 1000 / runsPerSession;
  return {
    runsPerSession,
    opMs: [...opUs]
      .sort((a, b) => b[1] - a[1])
      .map(([op, us]) => ({ op, ms: perRun(us), share: us / totalUs })),
    kernelMs: perRun(totalUs),
    matmulShare: matmulUs / totalUs,
    matmulGflops: flop / (matmulUs * 1e3),
  };
}

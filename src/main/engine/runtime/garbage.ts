import v8 from 'node:v8';
import vm from 'node:vm';

/**
 * Collects this thread's garbage now. Dead activations (ArrayBuffers a unit's run or the sampler dropped) are freed by
 * V8 only when its own limits say so: tens of MB of external memory per thread, which no memory budget counts and
 * which made the engine's peak RSS depend on when V8 happened to collect. The engine collects where it knows memory
 * just died: before it reads its baseline and after each unit's release. `gc` is exposed at run time (the flag is
 * process-wide; a fresh context carries the function), so no launcher has to pass --expose-gc.
 */
v8.setFlagsFromString('--expose-gc');
const gc = ((globalThis as { gc?: unknown }).gc ?? vm.runInNewContext('gc')) as (options?: { type: 'major' | 'minor' }) => void;

/** 'full': every generation (≈ 20 ms on the engine thread; for the baseline). 'young': the new generation (< 1 ms). */
export function collectGarbage(scope: 'full' | 'young'): void {
  gc(scope === 'full' ? undefined : { type: 'minor' });
}

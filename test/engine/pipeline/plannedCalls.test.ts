import { describe, expect, it } from 'vitest';
import type { GenerateRequest, GenerationEvent } from '../../../src/shared/domain/generation';
import { plannedModelCalls } from '../../../src/shared/domain/lpl';
import { generateVideo } from '../../../src/main/engine/pipeline/generateVideo';
import { locateBuiltinModel } from '../../../src/main/engine/paths';

/**
 * The engine's 'started' event announces the model calls the shared rule (src/shared/domain/lpl.ts) plans, and the
 * run keeps to it: K without LPL, n + 1 for a leap at n, and for dynamic LPL no number (null), since the leap step
 * is decided from the velocities during the run. Runs the shipped model for a few steps.
 */
const STEPS = 6;

async function run(lpl: NonNullable<GenerateRequest['lpl']>): Promise<{ planned: number | null; stepsRun: number }> {
  const events: GenerationEvent[] = [];
  const { summary } = await generateVideo(
    { prompt: 'a red circle moving left on a blue background', seed: 3, steps: STEPS, lpl },
    { defaultModelPath: locateBuiltinModel(), previews: false, onEvent: (event) => events.push(event) },
  );
  const started = events.find((event) => event.kind === 'started');
  if (started?.kind !== 'started') {
    throw new Error('no started event');
  }
  expect(events.filter((event) => event.kind === 'step')).toHaveLength(summary.stepsRun);
  return { planned: started.plannedModelCalls, stepsRun: summary.stepsRun };
}

describe('planned model calls in the started event', () => {
  it('no LPL: all K steps, as planned', async () => {
    const { planned, stepsRun } = await run({ kind: 'off' });
    expect(planned).toBe(plannedModelCalls({ kind: 'off' }, STEPS));
    expect(planned).toBe(STEPS);
    expect(stepsRun).toBe(STEPS);
  });

  it('fixed leap at n: n + 1 calls, as planned', async () => {
    const { planned, stepsRun } = await run({ kind: 'fixed', leapStep: 2 });
    expect(planned).toBe(plannedModelCalls({ kind: 'fixed', leapStep: 2 }, STEPS));
    expect(planned).toBe(3);
    expect(stepsRun).toBe(3);
  });

  it('dynamic LPL: no number is promised (null, not K), and the run makes at most K calls', async () => {
    const { planned, stepsRun } = await run({ kind: 'dynamic', minimumStep: 1, tolerance: 0.5, patience: 1 });
    expect(plannedModelCalls({ kind: 'dynamic' }, STEPS)).toBeNull();
    expect(planned).toBeNull();
    // Best starts at 0, so only the first score (step 1) can count as an improvement; with a tolerance of 0.5 no
    // later cosine beats it, and patience 1 leaps at step 1 or 2: 2 or 3 calls of the 6.
    expect([2, 3]).toContain(stepsRun);
  });
});

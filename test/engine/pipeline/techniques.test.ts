import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { GenerationEvent } from '../../../src/shared/domain/generation';
import { generateVideo } from '../../../src/main/engine/pipeline/generateVideo';
import { readModelPackage } from '../../../src/main/engine/package/modelPackage';
import { fixturePackage } from '../support/randomPackage';
import { maxAbsDiff } from '../support/tensorCompare';

const PROMPT = 'a blue square moving right on a yellow background';

function stepEvents(events: GenerationEvent[]): Array<Extract<GenerationEvent, { kind: 'step' }>> {
  return events.filter((event): event is Extract<GenerationEvent, { kind: 'step' }> => event.kind === 'step');
}

describe('LPL, TDTM and CI-DL in the pipeline (random-weight package)', () => {
  let modelPath: string;
  let unitBytes: number[];
  beforeAll(() => {
    modelPath = fixturePackage('random-d4');
    const { manifest } = readModelPackage(modelPath);
    unitBytes = [manifest.denoiser.embedder, ...manifest.denoiser.blocks.map((pair) => pair.unit), manifest.denoiser.final].map((unit) => unit.sizeBytes);
  });

  it('streamed output equals all-resident output at several budgets, within each budget', async () => {
    const request = { prompt: PROMPT, seed: 5, steps: 4, modelPath, tdtmMergedSteps: 2 };
    const resident = await generateVideo({ ...request, memoryBudget: { kind: 'all' } }, { previews: false });
    const minimum = await generateVideo({ ...request, memoryBudget: { kind: 'min' } }, { previews: false });
    const middleBytes = Math.round(minimum.summary.memoryBudgetBytes + unitBytes.slice(0, 3).reduce((a, b) => a + b, 0));
    const middle = await generateVideo({ ...request, memoryBudget: { kind: 'bytes', bytes: middleBytes } }, { previews: false });
    const sequential = await generateVideo({ ...request, memoryBudget: { kind: 'min' } }, { previews: false, schedule: 'sequential' });
    expect(maxAbsDiff(resident.latent, minimum.latent)).toBeLessThanOrEqual(1e-6);
    expect(maxAbsDiff(resident.latent, middle.latent)).toBeLessThanOrEqual(1e-6);
    expect(maxAbsDiff(resident.latent, sequential.latent)).toBeLessThanOrEqual(1e-6);
    for (const run of [minimum, middle]) {
      expect(run.summary.peakResidentBytes).toBeGreaterThan(0);
      expect(run.summary.peakResidentBytes).toBeLessThanOrEqual(run.summary.memoryBudgetBytes);
    }
    expect(minimum.summary.peakResidentBytes).toBeLessThan(resident.summary.peakResidentBytes);
  });

  it('refuses a budget below the smallest working set and names the minimum', async () => {
    const attempt = generateVideo({ prompt: PROMPT, modelPath, steps: 2, memoryBudget: { kind: 'bytes', bytes: 1000 } });
    await expect(attempt).rejects.toThrow(/below the smallest working set this model can run with, [\d.]+ MB \(\d+ bytes/);
  });

  it('fixed LPL leaps at step n: n + 1 model calls, the last one flagged as the leap', async () => {
    const events: GenerationEvent[] = [];
    const { summary } = await generateVideo({ prompt: PROMPT, modelPath, seed: 2, steps: 8, lpl: { kind: 'fixed', leapStep: 3 } }, { onEvent: (e) => events.push(e) });
    expect(summary.stepsRun).toBe(4);
    expect(summary.leapStep).toBe(3);
    expect(stepEvents(events).map((e) => e.leap)).toEqual([false, false, false, true]);
  });

  it('dynamic LPL leaps where the reference rule says, given the cosines it measured', async () => {
    const events: GenerationEvent[] = [];
    const lpl = { kind: 'dynamic' as const, minimumStep: 2, tolerance: 1e-3, patience: 2, compare: 'full-latent' as const };
    const { summary } = await generateVideo({ prompt: PROMPT, modelPath, seed: 4, steps: 12, lpl }, { onEvent: (e) => events.push(e), previews: false });
    // Reference rule (docs/techniques.md §LPL, dynamic policy): best starts at 0, patience at max; leap when patience reaches 0.
    let best = 0;
    let patience = lpl.patience;
    let expectedLeap: number | null = null;
    for (const step of stepEvents(events)) {
      if (step.stepIndex >= lpl.minimumStep) {
        expect(step.cosine).not.toBeNull();
        if ((step.cosine as number) > best + lpl.tolerance) {
          best = step.cosine as number;
          patience = lpl.patience;
        } else {
          patience -= 1;
        }
      } else {
        expect(step.cosine).toBeNull();
      }
      if (patience === 0 && step.stepIndex < 11) {
        expectedLeap = step.stepIndex;
        break;
      }
    }
    expect(summary.leapStep).toBe(expectedLeap);
  });

  it('TDTM merges only the first m steps, also with an odd latent frame count', async () => {
    const oddPath = fixturePackage('random-d2-f15');
    const events: GenerationEvent[] = [];
    const { summary, clip } = await generateVideo({ prompt: PROMPT, modelPath: oddPath, seed: 1, steps: 5, tdtmMergedSteps: 3 }, { onEvent: (e) => events.push(e), previews: false });
    expect(summary.mergedSteps).toBe(3);
    expect(stepEvents(events).map((e) => e.merged)).toEqual([true, true, true, false, false]);
    const merged = stepEvents(events)[0].units.map((u) => u.unitId);
    expect(merged).toContain('denoiser.block.00.tdtm');
    expect(stepEvents(events)[4].units.map((u) => u.unitId)).toContain('denoiser.block.00');
    expect(clip.frames).toHaveLength(15);
  });

  it('"finish now" leaps at the next step', async () => {
    const finish = { requested: false };
    const { summary } = await generateVideo(
      { prompt: PROMPT, modelPath, seed: 9, steps: 10 },
      { finish, previews: false, onEvent: (e) => e.kind === 'step' && e.stepIndex === 1 && (finish.requested = true) },
    );
    expect(summary.leapStep).toBe(2);
    expect(summary.stepsRun).toBe(3);
  });

  it('cancel in the middle of a step returns promptly and reports it', async () => {
    const controller = new AbortController();
    const events: GenerationEvent[] = [];
    let abortedAtMs = 0;
    const run = generateVideo(
      { prompt: PROMPT, modelPath, seed: 3, steps: 30, memoryBudget: { kind: 'min' } },
      {
        signal: controller.signal,
        onEvent: (event) => {
          events.push(event);
          if (event.kind === 'step' && event.stepIndex === 1) {
            // Abort while step 2's units are being loaded and run.
            setTimeout(() => {
              abortedAtMs = performance.now();
              controller.abort();
            }, 5);
          }
        },
      },
    );
    await expect(run).rejects.toMatchObject({ code: 'CANCELLED' });
    expect(performance.now() - abortedAtMs).toBeLessThan(1000);
    expect(events.at(-1)?.kind).toBe('cancelled');
    expect(stepEvents(events).length).toBeLessThan(30);
  });
});

describe('bad input is refused before any compute, naming the problem', () => {
  let modelPath: string;
  beforeAll(() => {
    modelPath = fixturePackage('random-d2');
  });

  const cases: Array<[string, Record<string, unknown>, RegExp]> = [
    ['an empty prompt', { prompt: '   ' }, /prompt: prompt is empty/],
    ['steps out of range', { prompt: 'a red circle', steps: 0 }, /steps/],
    ['steps too many', { prompt: 'a red circle', steps: 5000 }, /steps/],
    ['CFG out of range', { prompt: 'a red circle', cfgScale: -1 }, /cfgScale/],
    ['a negative seed', { prompt: 'a red circle', seed: -4 }, /seed/],
    ['a fractional seed', { prompt: 'a red circle', seed: 1.5 }, /seed/],
    ['a leap step ≥ K', { prompt: 'a red circle', steps: 10, lpl: { kind: 'fixed', leapStep: 10 } }, /LPL leap step 10 must be below the step count 10/],
    ['TDTM m > K', { prompt: 'a red circle', steps: 10, tdtmMergedSteps: 11 }, /TDTM merged steps 11 exceed the step count 10/],
  ];
  for (const [what, request, message] of cases) {
    it(`refuses ${what}`, async () => {
      await expect(generateVideo({ modelPath, ...request } as never)).rejects.toThrow(message);
    });
  }

  it('refuses an unknown model path', async () => {
    await expect(generateVideo({ prompt: 'a red circle', modelPath: '/no/such/model' })).rejects.toThrow('Model package not found: /no/such/model is not a folder.');
  });

  it('refuses a corrupt ONNX file, naming it', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'studio-corrupt-'));
    fs.cpSync(modelPath, dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'denoiser.block.01.onnx'), Buffer.from('not an onnx file'));
    await expect(generateVideo({ prompt: 'a red circle', modelPath: dir, steps: 2 })).rejects.toThrow(/denoiser\.block\.01\.onnx/);
  });

  it('truncates an over-long prompt with a warning', async () => {
    const events: GenerationEvent[] = [];
    const prompt = Array.from({ length: 40 }, () => 'red').join(' ');
    const { summary } = await generateVideo({ prompt, modelPath, steps: 1 }, { onEvent: (e) => events.push(e), previews: false });
    expect(summary.warnings.join(' ')).toMatch(/truncated to \d+ words/);
    expect(events.some((e) => e.kind === 'warning')).toBe(true);
  });
});

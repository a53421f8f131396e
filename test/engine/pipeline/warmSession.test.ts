import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { GenerationEvent, GenerateRequest } from '../../../src/shared/domain/generation';
import { EngineSession } from '../../../src/main/engine/pipeline/engineSession';
import { generateVideo } from '../../../src/main/engine/pipeline/generateVideo';
import { fixturePackage } from '../support/randomPackage';

/**
 * The warm engine: a persistent EngineSession keeps the sessions the budget lets stay and recent text embeddings
 * between jobs, so a second job with the same model and budget starts denoising without loading, and its frames are
 * the frames a cold engine makes.
 */
type StepEvent = Extract<GenerationEvent, { kind: 'step' }>;

async function run(request: GenerateRequest, session?: EngineSession): Promise<{ steps: StepEvent[]; frames: Uint8ClampedArray[]; textMs: number; loadMs: number }> {
  const events: GenerationEvent[] = [];
  const { clip, summary } = await generateVideo(request, { session, onEvent: (event) => events.push(event) });
  return {
    steps: events.filter((event): event is StepEvent => event.kind === 'step'),
    frames: clip.frames,
    textMs: summary.timingsMs.text,
    loadMs: summary.timingsMs.load,
  };
}

const loadsIn = (step: StepEvent): string[] => step.units.filter((unit) => unit.loadStartMs !== null).map((unit) => unit.unitId);

describe('warm engine session', () => {
  let modelPath = '';
  let session: EngineSession | undefined;
  beforeAll(() => {
    modelPath = fixturePackage('random-d4');
  });
  afterEach(async () => {
    await session?.releaseAll();
    session = undefined;
  });

  it('a second job with the same model and budget loads nothing before its first step and reuses the text embedding', async () => {
    session = new EngineSession({ persistent: true });
    const request: GenerateRequest = { prompt: 'a red circle moving left on a blue background', seed: 3, steps: 3, modelPath };
    const first = await run(request, session);
    expect(loadsIn(first.steps[0]).length).toBeGreaterThan(0);
    const second = await run({ ...request, seed: 4 }, session);
    // Under the 'all' budget every denoiser unit stays: no step loads; only the decoder is loaded again.
    expect(second.steps.flatMap(loadsIn)).toEqual([]);
    expect(second.loadMs).toBeLessThan(first.loadMs);
    // No text pass ran: the cached embedding was used.
    expect(second.textMs).toBeLessThan(first.textMs);
    // Same frames as a cold engine with that seed.
    const cold = await run({ ...request, seed: 4 });
    expect(second.frames.map((frame) => Buffer.from(frame).toString('base64'))).toEqual(cold.frames.map((frame) => Buffer.from(frame).toString('base64')));
  });

  it('a new prompt runs the text encoder again and still makes the cold engine\'s frames', async () => {
    session = new EngineSession({ persistent: true });
    await run({ prompt: 'a red circle moving left on a blue background', seed: 3, steps: 2, modelPath }, session);
    const request: GenerateRequest = { prompt: 'a green square moving up on a black background', seed: 5, steps: 2, tdtmMergedSteps: 1, modelPath };
    const warm = await run(request, session);
    const cold = await run(request);
    expect(warm.frames.map((frame) => Buffer.from(frame).toString('base64'))).toEqual(cold.frames.map((frame) => Buffer.from(frame).toString('base64')));
  });

  it('under the smallest budget nothing stays, so every job streams every unit', async () => {
    session = new EngineSession({ persistent: true });
    const request: GenerateRequest = { prompt: 'a red circle moving left', seed: 3, steps: 2, memoryBudget: { kind: 'min' }, modelPath };
    await run(request, session);
    const second = await run({ ...request, seed: 9 }, session);
    expect(loadsIn(second.steps[0]).length).toBe(second.steps[0].units.length);
  });

  it('a budget change starts from nothing: the old sessions are released', async () => {
    session = new EngineSession({ persistent: true });
    const request: GenerateRequest = { prompt: 'a red circle moving left', seed: 3, steps: 2, modelPath };
    await run(request, session);
    expect(session.loadedUnitIds().length).toBeGreaterThan(0);
    const changed = await run({ ...request, memoryBudget: { kind: 'min' } }, session);
    expect(loadsIn(changed.steps[0]).length).toBe(changed.steps[0].units.length);
  });
});

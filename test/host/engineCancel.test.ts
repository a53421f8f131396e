import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { EngineClient } from '../../src/main/engine-host/engineClient';
import { launchNodeEngine } from '../../src/main/engine-host/nodeEngineConnection';

/** The real engine process (built out/main/engineProcess.js): a job cancelled before the engine saw it stays cancelled. */
const ENGINE = path.resolve('out/main/engineProcess.js');
const SHIPPED = path.resolve('models/shapes-tiny');

let engine: EngineClient | undefined;
afterEach(() => {
  engine?.dispose();
});

describe('cancelling a request the engine has not received yet', () => {
  it('rejects it as CANCELLED at once instead of running it (the cancel is not lost before the engine is ready)', async () => {
    engine = new EngineClient({ launch: () => launchNodeEngine(ENGINE) });
    engine.start();
    expect(engine.getState().kind).toBe('starting');
    const { requestId, result } = engine.startRequest('generate', { request: { prompt: 'a red circle moving left', steps: 200, modelPath: SHIPPED } });
    engine.cancel(requestId);
    await expect(result).rejects.toMatchObject({ code: 'CANCELLED', message: 'The generation was cancelled.' });
    // The engine is free: it answers the next request without first running 200 steps.
    const info = await engine.request<{ engineProcessId: number }>('system.info', {});
    expect(info.engineProcessId).toBe(engine.processId);
  });
});

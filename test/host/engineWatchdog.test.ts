import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { EngineState } from '../../src/shared/ipc/contract';
import { EngineClient, type EngineClientOptions } from '../../src/main/engine-host/engineClient';
import { launchNodeEngine } from '../../src/main/engine-host/nodeEngineConnection';

/**
 * The engine watchdog with the real engine process (built out/main/engineProcess.js), stuck for real: SIGSTOP
 * freezes it as a process blocked on a file would be. engine.state must stop saying "ready", the engine must be
 * restarted, a cancel must end the job, and work on user files must end at its time limit.
 */
const ENGINE = path.resolve('out/main/engineProcess.js');
const SHIPPED = path.resolve('models/shapes-tiny');
const FIXTURE = path.resolve('test/fixtures/packages/opensora-tiny');

let engine: EngineClient | undefined;
const frozen: number[] = [];

afterEach(() => {
  for (const pid of frozen.splice(0)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone (the watchdog killed it)
    }
  }
  engine?.dispose();
});

function startEngine(options: Partial<EngineClientOptions>): { client: EngineClient; states: EngineState[] } {
  const client = new EngineClient({ launch: () => launchNodeEngine(ENGINE), restartDelayMs: 100, ...options });
  const states: EngineState[] = [];
  client.onDidChangeState((state) => states.push(state));
  client.start();
  engine = client;
  return { client, states };
}

function freeze(client: EngineClient): number {
  const pid = client.processId as number;
  process.kill(pid, 'SIGSTOP');
  frozen.push(pid);
  return pid;
}

function until(check: () => boolean, timeoutMs: number): Promise<void> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const poll = setInterval(() => {
      if (check()) {
        clearInterval(poll);
        resolve();
      } else if (Date.now() - started > timeoutMs) {
        clearInterval(poll);
        reject(new Error(`not within ${timeoutMs} ms`));
      }
    }, 20);
  });
}

const request = { prompt: 'a red circle moving left on a blue background', seed: 4, modelPath: SHIPPED };

describe('a stuck engine is detected and restarted', () => {
  it('engine.state leaves "ready" within the limit, says why, and a new engine runs the next generation', async () => {
    const { client, states } = startEngine({ heartbeatMs: 200, unresponsiveAfterMs: 1500 });
    await client.whenReady();
    const stuckPid = freeze(client);
    const frozenAt = Date.now();
    await until(() => client.getState().kind !== 'ready', 5000);
    const detectedMs = Date.now() - frozenAt;
    expect(detectedMs).toBeGreaterThanOrEqual(1400);
    expect(detectedMs).toBeLessThan(3000);
    expect(states.find((state) => state.kind === 'crashed')).toMatchObject({ kind: 'crashed', signal: 'SIGKILL', reason: expect.stringMatching(/^it did not answer for \d s$/) });
    await client.whenReady();
    expect(client.processId).not.toBe(stuckPid);
    const result = await client.request<{ summary: { stepsRun: number } }>('generate', { request: { ...request, steps: 2 } });
    expect(result.summary.stepsRun).toBe(2);
  });

  it('an engine that never says "ready" is killed at the start limit and a new one starts', async () => {
    let launches = 0;
    const stuckPids: number[] = [];
    const { client, states } = startEngine({
      startTimeoutMs: 1500,
      launch: () => {
        const connection = launchNodeEngine(ENGINE);
        // The first engine freezes before it can say "ready" (as one stuck loading a file would).
        if (launches++ === 0 && connection.processId !== undefined) {
          process.kill(connection.processId, 'SIGSTOP');
          stuckPids.push(connection.processId);
          frozen.push(connection.processId);
        }
        return connection;
      },
    });
    await until(() => states.some((state) => state.kind === 'crashed'), 5000);
    expect(states.find((state) => state.kind === 'crashed')).toMatchObject({ reason: 'it did not start within 2 s' });
    await until(() => client.getState().kind === 'ready', 30_000);
    expect(launches).toBe(2);
    expect(client.processId).not.toBe(stuckPids[0]);
  });

  it('a request in flight on the stuck engine fails with ENGINE_CRASHED saying it stopped answering', async () => {
    const { client } = startEngine({ heartbeatMs: 200, unresponsiveAfterMs: 1500 });
    await client.whenReady();
    const result = client.request('generate', { request: { ...request, steps: 200 } });
    await new Promise((resolve) => setTimeout(resolve, 300));
    freeze(client);
    await expect(result).rejects.toMatchObject({ code: 'ENGINE_CRASHED', message: expect.stringMatching(/^The engine stopped answering \(it did not answer for \d s\); it is being restarted\.$/) });
  });
});

describe('cancel always ends a job', () => {
  it('a job on an engine that no longer answers ends as CANCELLED within the grace period, and the engine is restarted', async () => {
    const { client } = startEngine({ heartbeatMs: 200, unresponsiveAfterMs: 60_000, cancelGraceMs: 1000 });
    await client.whenReady();
    const events: string[] = [];
    const { requestId, result } = client.startRequest('generate', { request: { ...request, steps: 200 } }, (event) => events.push((event as { kind: string }).kind));
    await until(() => events.includes('step'), 60_000);
    const stuckPid = freeze(client);
    const cancelledAt = Date.now();
    client.cancel(requestId);
    await expect(result).rejects.toMatchObject({ code: 'CANCELLED', message: 'The generation was cancelled; the engine did not stop it within 1 s and is being restarted.' });
    expect(Date.now() - cancelledAt).toBeLessThan(2500);
    await client.whenReady();
    expect(client.processId).not.toBe(stuckPid);
    const info = await client.request<{ engineProcessId: number }>('system.info', {});
    expect(info.engineProcessId).toBe(client.processId);
  });

  it('a healthy engine ends a cancelled job itself (no restart)', async () => {
    const { client, states } = startEngine({ cancelGraceMs: 20_000 });
    await client.whenReady();
    const pid = client.processId;
    const events: string[] = [];
    const { requestId, result } = client.startRequest('generate', { request: { ...request, steps: 200 } }, (event) => events.push((event as { kind: string }).kind));
    await until(() => events.includes('step'), 60_000);
    client.cancel(requestId);
    await expect(result).rejects.toMatchObject({ code: 'CANCELLED' });
    expect(events).toContain('cancelled');
    expect(client.processId).toBe(pid);
    expect(states.map((state) => state.kind)).not.toContain('crashed');
  });
});

describe('work on user files has a time limit', () => {
  it('a package check that does not finish in time fails with ENGINE_ERROR naming the limit; the engine keeps serving', async () => {
    const { client } = startEngine({ heartbeatMs: 200, unresponsiveAfterMs: 60_000 });
    await client.whenReady();
    const pid = freeze(client);
    const started = Date.now();
    await expect(client.request('package.check', { modelPath: SHIPPED }, undefined, { timeoutMs: 800, label: 'Checking the package' })).rejects.toMatchObject({
      code: 'ENGINE_ERROR',
      message: 'Checking the package did not finish within 1 s; it was stopped.',
    });
    expect(Date.now() - started).toBeLessThan(2000);
    process.kill(pid, 'SIGCONT');
    await expect(client.request('package.check', { modelPath: SHIPPED })).resolves.toEqual({ checked: true });
    expect(client.processId).toBe(pid);
  });
});

describe('the engine never waits on a named pipe', () => {
  it('package.check of a package whose weights are FIFOs answers at once, again and again, and the engine stays ready and generates', async () => {
    const hostile = fs.mkdtempSync(path.join(os.tmpdir(), 'studio-engine-fifo-'));
    fs.cpSync(FIXTURE, hostile, { recursive: true });
    for (const file of ['denoiser.block.00.weights', 'text.embed.weights']) {
      fs.rmSync(path.join(hostile, file));
      execFileSync('mkfifo', [path.join(hostile, file)]);
    }
    const { client, states } = startEngine({ heartbeatMs: 200, unresponsiveAfterMs: 3000 });
    await client.whenReady();
    const pid = client.processId;
    // More than the engine's four file I/O threads: each used to stay blocked in open() for good.
    for (let attempt = 0; attempt < 6; attempt++) {
      const started = Date.now();
      await expect(client.request('package.check', { modelPath: hostile })).rejects.toMatchObject({ code: 'MODEL_INVALID', message: expect.stringContaining('is a named pipe (FIFO), not a regular file') });
      expect(Date.now() - started).toBeLessThan(2000);
    }
    const result = await client.request<{ summary: { stepsRun: number } }>('generate', { request: { ...request, steps: 4 } });
    expect(result.summary.stepsRun).toBe(4);
    expect(client.processId).toBe(pid);
    expect(states.map((state) => state.kind)).not.toContain('crashed');
    fs.rmSync(hostile, { recursive: true, force: true });
  });
});

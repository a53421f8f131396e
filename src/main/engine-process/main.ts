import fs from 'node:fs';
import { serializeError, StudioError } from '@shared/ipc/errors';
import { checkPackageFolder, EngineSession, generateVideo, getSystemInfo, locateBuiltinModel, MemoryPressureWatch, type FinishSwitch } from '../engine';
import { formatMegabytes } from '@shared/util/bytes';
import { describeIssues } from '@shared/util/describeIssues';
import { engineGenerateParamsSchema, enginePackageCheckParamsSchema } from '../engine-host/engineRequests';
import type { HostToEngineMessage } from '../engine-host/protocol';
import { connectToHost } from './channel';

/**
 * Entry of the engine process. onnxruntime-node blocks its thread during session creation and runs, so the
 * engine lives here, never on the thread that serves the UI; its own ORT sessions live in worker threads.
 */
const channel = connectToHost();
const startedAtMs = Date.now();
const inFlight = new Map<number, { abort: AbortController; finish: FinishSwitch }>();
// Sessions and text embeddings stay between jobs while the model, budget and schedule stay the same.
const session = new EngineSession({ persistent: true });
let jobsRunning = 0;
// An idle engine gives its warm sessions back when the machine runs short of memory.
new MemoryPressureWatch({
  session,
  isBusy: () => jobsRunning > 0,
  onRelease: (release) =>
    process.stderr.write(
      `engine: ${formatMegabytes(release.availableBytes)} available (below ${formatMegabytes(release.thresholdBytes)}): released ${formatMegabytes(release.releasedBytes)} of warm sessions\n`,
    ),
});

async function handle(message: HostToEngineMessage): Promise<void> {
  if (message.kind === 'ping') {
    // Answered through the file I/O pool: an engine whose pool is stuck on a file (a pipe, a dead network drive) does
    // not answer, and the host restarts it.
    await fs.promises.stat(process.execPath).catch(() => undefined);
    channel.post({ kind: 'pong', id: message.id });
    return;
  }
  if (message.kind === 'cancel') {
    inFlight.get(message.id)?.abort.abort();
    return;
  }
  if (message.kind === 'finishNow') {
    const job = inFlight.get(message.id);
    if (job) {
      job.finish.requested = true;
    }
    return;
  }
  const job = { abort: new AbortController(), finish: { requested: false } };
  inFlight.set(message.id, job);
  try {
    let value: unknown;
    switch (message.method) {
      case 'system.info':
        value = await getSystemInfo({ engineStartedAtMs: startedAtMs });
        break;
      case 'generate': {
        const parsed = engineGenerateParamsSchema.safeParse(message.params);
        if (!parsed.success) {
          throw new StudioError('INVALID_PARAMS', `Invalid engine generate params: ${describeIssues(parsed.error.issues)}`);
        }
        jobsRunning++;
        try {
          const result = await generateVideo(parsed.data.request, {
            signal: job.abort.signal,
            finish: job.finish,
            output: parsed.data.output,
            schedule: parsed.data.schedule,
            defaultModelPath: locateBuiltinModel(),
            session,
            onEvent: (event) => channel.post({ kind: 'event', requestId: message.id, event }),
          });
          // The clip is on disk (output); its pixels do not cross to the studio's main process.
          value = { summary: result.summary };
        } finally {
          jobsRunning--;
        }
        break;
      }
      case 'package.check': {
        const parsed = enginePackageCheckParamsSchema.safeParse(message.params);
        if (!parsed.success) {
          throw new StudioError('INVALID_PARAMS', 'Invalid engine package.check params: modelPath must be a folder path.');
        }
        await checkPackageFolder(parsed.data.modelPath);
        value = { checked: true };
        break;
      }
      default:
        throw new StudioError('UNKNOWN_METHOD', `The engine has no method "${String(message.method)}".`);
    }
    channel.post({ kind: 'response', id: message.id, ok: true, value });
  } catch (error) {
    channel.post({ kind: 'response', id: message.id, ok: false, error: serializeError(error) });
  } finally {
    inFlight.delete(message.id);
  }
}

channel.onMessage((message) => {
  void handle(message);
});
// The host disconnecting means the studio is gone: do not linger as an orphan.
process.on('disconnect', () => process.exit(0));
channel.post({ kind: 'ready', processId: process.pid });

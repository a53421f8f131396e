import { serializeError, StudioError } from '../../shared/ipc/errors';
import { getSystemInfo } from '../engine';
import type { HostToEngineMessage } from '../engine-host/protocol';
import { connectToHost } from './channel';

/**
 * Entry of the engine process. onnxruntime-node blocks its thread during session creation and runs, so the
 * engine lives here, never on the thread that serves the UI.
 */
const channel = connectToHost();
const startedAtMs = Date.now();
const inFlight = new Map<number, AbortController>();

async function handle(message: HostToEngineMessage): Promise<void> {
  if (message.kind === 'cancel') {
    inFlight.get(message.id)?.abort();
    return;
  }
  const controller = new AbortController();
  inFlight.set(message.id, controller);
  try {
    let value: unknown;
    switch (message.method) {
      case 'system.info':
        value = await getSystemInfo({ engineStartedAtMs: startedAtMs });
        break;
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

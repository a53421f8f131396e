import WebSocket from 'ws';
import type { RunningStudio } from '../../e2e/support/studioServer';

export interface StudioReply {
  ok: boolean;
  value?: unknown;
  error?: { code: string; message: string; detail?: string };
}

export interface StudioEvent {
  channel: string;
  payload: unknown;
}

/** A WebSocket client of a running studio: typed-enough calls, and every pushed event recorded in order. */
export class StudioClient {
  readonly events: StudioEvent[] = [];
  private nextId = 1;
  private readonly waiting = new Map<number, (reply: StudioReply) => void>();
  private readonly eventWaiters: Array<{ match: (event: StudioEvent) => boolean; resolve: (event: StudioEvent) => void }> = [];

  private constructor(private readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const frame = JSON.parse(String(data)) as { type: string; id?: number; channel?: string; payload?: unknown } & StudioReply;
      if (frame.type === 'event') {
        const event = { channel: frame.channel ?? '', payload: frame.payload };
        this.events.push(event);
        for (const waiter of [...this.eventWaiters]) {
          if (waiter.match(event)) {
            this.eventWaiters.splice(this.eventWaiters.indexOf(waiter), 1);
            waiter.resolve(event);
          }
        }
      } else if (frame.type === 'result' && frame.id !== undefined) {
        this.waiting.get(frame.id)?.(frame);
        this.waiting.delete(frame.id);
      }
    });
  }

  static async connect(studio: RunningStudio): Promise<StudioClient> {
    const ws = new WebSocket(`${studio.origin.replace('http:', 'ws:')}/ws?token=${encodeURIComponent(studio.token)}`, { origin: studio.origin });
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    return new StudioClient(ws);
  }

  call(method: string, params: unknown = {}): Promise<StudioReply> {
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.waiting.set(id, resolve);
      this.ws.send(JSON.stringify({ type: 'invoke', id, method, params }));
    });
  }

  /** Sends a raw text frame and resolves with the next non-event frame. */
  raw(text: string): Promise<Record<string, unknown>> {
    return new Promise((resolve) => {
      const onMessage = (data: WebSocket.RawData): void => {
        const frame = JSON.parse(String(data)) as Record<string, unknown>;
        if (frame.type !== 'event') {
          this.ws.off('message', onMessage);
          resolve(frame);
        }
      };
      this.ws.on('message', onMessage);
      this.ws.send(text);
    });
  }

  /** The first event (already received or still to come) that matches. */
  waitForEvent(match: (event: StudioEvent) => boolean, timeoutMs = 120_000): Promise<StudioEvent> {
    const seen = this.events.find(match);
    if (seen) {
      return Promise.resolve(seen);
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no matching event within ${timeoutMs} ms; saw ${this.events.map((e) => e.channel).join(', ')}`)), timeoutMs);
      this.eventWaiters.push({
        match,
        resolve: (event) => {
          clearTimeout(timer);
          resolve(event);
        },
      });
    });
  }

  /** The generation events of one job, in order (event kinds and payloads). */
  jobEvents(jobId: string): Array<{ kind: string; error?: { code: string; message: string } }> {
    return this.events
      .filter((event) => event.channel === 'generation.event' && (event.payload as { jobId: string }).jobId === jobId)
      .map((event) => (event.payload as { event: { kind: string; error?: { code: string; message: string } } }).event);
  }

  close(): void {
    this.ws.close();
  }
}

export function isJobEvent(jobId: string, kind: string): (event: StudioEvent) => boolean {
  return (event) =>
    event.channel === 'generation.event' &&
    (event.payload as { jobId: string }).jobId === jobId &&
    (event.payload as { event: { kind: string } }).event.kind === kind;
}

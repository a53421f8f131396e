import type { EventChannel, InvokeMethod, InvokeParams, InvokeResult, StudioApi, StudioEvents } from '@shared/ipc/contract';
import { StudioError, isSerializedError } from '@shared/ipc/errors';
import type { ServerMessage } from '@shared/ipc/wire';

export type TransportState = 'connecting' | 'open' | 'closed';

interface Pending {
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
}

/**
 * Browser-mode transport: the same StudioApi as the Electron preload, over one WebSocket to the local server.
 * Reconnects with backoff; calls made while disconnected wait for the connection.
 */
export class WebSocketStudioClient implements StudioApi {
  private socket: WebSocket | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly listeners = new Map<string, Set<(payload: unknown) => void>>();
  private readonly stateListeners = new Set<(state: TransportState) => void>();
  private openWaiters: Array<() => void> = [];
  private retryDelayMs = 250;
  state: TransportState = 'connecting';

  constructor(private readonly url: string) {
    this.connect();
  }

  invoke<M extends InvokeMethod>(method: M, params: InvokeParams<M>): Promise<InvokeResult<M>> {
    return new Promise((resolve, reject) => {
      const id = this.nextId++;
      this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      const sendNow = (): void => this.socket?.send(JSON.stringify({ type: 'invoke', id, method, params }));
      if (this.state === 'open') {
        sendNow();
      } else {
        this.openWaiters.push(sendNow);
      }
    });
  }

  on<C extends EventChannel>(channel: C, listener: (payload: StudioEvents[C]) => void): () => void {
    let set = this.listeners.get(channel);
    if (!set) {
      set = new Set();
      this.listeners.set(channel, set);
    }
    const wrapped = listener as (payload: unknown) => void;
    set.add(wrapped);
    return () => set?.delete(wrapped);
  }

  onTransportState(listener: (state: TransportState) => void): () => void {
    this.stateListeners.add(listener);
    return () => this.stateListeners.delete(listener);
  }

  private connect(): void {
    this.setState('connecting');
    const socket = new WebSocket(this.url);
    this.socket = socket;
    socket.addEventListener('open', () => {
      this.retryDelayMs = 250;
      this.setState('open');
      const waiters = this.openWaiters;
      this.openWaiters = [];
      for (const send of waiters) {
        send();
      }
    });
    socket.addEventListener('message', (event) => this.handleFrame(String(event.data)));
    socket.addEventListener('close', () => {
      this.setState('closed');
      // Requests sent on the dead socket will never be answered.
      for (const [id, request] of this.pending) {
        request.reject(new StudioError('ENGINE_UNAVAILABLE', 'Lost the connection to the studio server.'));
        this.pending.delete(id);
      }
      setTimeout(() => this.connect(), this.retryDelayMs);
      this.retryDelayMs = Math.min(this.retryDelayMs * 2, 5000);
    });
  }

  private handleFrame(text: string): void {
    let message: ServerMessage;
    try {
      message = JSON.parse(text) as ServerMessage;
    } catch {
      return;
    }
    if (message.type === 'event') {
      for (const listener of this.listeners.get(message.channel) ?? []) {
        listener(message.payload);
      }
    } else if (message.type === 'result') {
      const request = this.pending.get(message.id);
      if (!request) {
        return;
      }
      this.pending.delete(message.id);
      if (message.ok) {
        request.resolve(message.value);
      } else {
        const error = isSerializedError(message.error) ? message.error : { code: 'INTERNAL' as const, message: 'Unknown error' };
        request.reject(new StudioError(error.code, error.message, error.detail));
      }
    }
  }

  private setState(state: TransportState): void {
    this.state = state;
    for (const listener of this.stateListeners) {
      listener(state);
    }
  }
}

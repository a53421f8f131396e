import type { EngineState } from '@shared/ipc/contract';
import { StudioError, toStudioError } from '@shared/ipc/errors';
import type { EngineConnection, EngineExit, EngineLauncher } from './engineConnection';
import type { EngineMethod, EngineToHostMessage } from './protocol';

interface PendingRequest {
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
  onEvent?: (event: unknown) => void;
}

export interface EngineClientOptions {
  launch: EngineLauncher;
  /** Delay before starting a replacement after the engine process died. */
  restartDelayMs?: number;
  /** How long to wait for the process's "ready" message. */
  startTimeoutMs?: number;
  /** Restart the process when it dies (the studio); a one-shot CLI fails instead. Default true. */
  restart?: boolean;
}

/**
 * Owns the engine process: starts it, forwards requests, and restarts it when it dies. Requests in flight when
 * the process dies fail with ENGINE_CRASHED; the UI learns of every state change through onDidChangeState.
 */
export class EngineClient {
  private connection: EngineConnection | undefined;
  private state: EngineState = { kind: 'starting' };
  private readyWaiters: Array<{ resolve: () => void; reject: (error: Error) => void }> = [];
  private readonly pending = new Map<number, PendingRequest>();
  /** Requests waiting for the engine to be ready (not sent yet), and those of them cancelled meanwhile. */
  private readonly unsent = new Set<number>();
  private readonly cancelledUnsent = new Set<number>();
  private readonly stateListeners = new Set<(state: EngineState) => void>();
  private nextRequestId = 1;
  private disposed = false;
  private restartTimer: NodeJS.Timeout | undefined;
  private readonly restartDelayMs: number;
  private readonly startTimeoutMs: number;

  constructor(private readonly options: EngineClientOptions) {
    this.restartDelayMs = options.restartDelayMs ?? 500;
    this.startTimeoutMs = options.startTimeoutMs ?? 30_000;
  }

  start(): void {
    if (this.disposed || this.connection) {
      return;
    }
    this.setState({ kind: 'starting' });
    const connection = this.options.launch();
    this.connection = connection;
    connection.onMessage((message) => this.handleMessage(connection, message));
    connection.onExit((exit) => this.handleExit(connection, exit));
  }

  getState(): EngineState {
    return this.state;
  }

  get processId(): number | undefined {
    return this.connection?.processId;
  }

  onDidChangeState(listener: (state: EngineState) => void): () => void {
    this.stateListeners.add(listener);
    return () => this.stateListeners.delete(listener);
  }

  /** Resolves once the engine is ready (waits through a restart). */
  whenReady(): Promise<void> {
    if (this.state.kind === 'ready') {
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.readyWaiters = this.readyWaiters.filter((waiter) => waiter.resolve !== done);
        reject(new StudioError('ENGINE_UNAVAILABLE', `The engine did not become ready within ${this.startTimeoutMs} ms.`));
      }, this.startTimeoutMs);
      const done = (): void => {
        clearTimeout(timer);
        resolve();
      };
      this.readyWaiters.push({
        resolve: done,
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      });
    });
  }

  request<T>(method: EngineMethod, params: unknown, onEvent?: (event: unknown) => void): Promise<T> {
    return this.startRequest<T>(method, params, onEvent).result;
  }

  cancel(requestId: number): void {
    if (this.unsent.has(requestId)) {
      // The engine has not seen it yet: it is never sent (a cancel sent now would arrive before it and be lost).
      this.cancelledUnsent.add(requestId);
      return;
    }
    this.connection?.send({ kind: 'cancel', id: requestId });
  }

  finishNow(requestId: number): void {
    this.connection?.send({ kind: 'finishNow', id: requestId });
  }

  /** Starts a request and returns its id at once (for cancel / finishNow) with the result promise. */
  startRequest<T>(method: EngineMethod, params: unknown, onEvent?: (event: unknown) => void): { requestId: number; result: Promise<T> } {
    const requestId = this.nextRequestId++;
    this.unsent.add(requestId);
    const result = (async (): Promise<T> => {
      try {
        await this.whenReady();
      } finally {
        this.unsent.delete(requestId);
      }
      if (this.cancelledUnsent.delete(requestId)) {
        throw new StudioError('CANCELLED', 'The generation was cancelled.');
      }
      const connection = this.connection;
      if (!connection) {
        throw new StudioError('ENGINE_UNAVAILABLE', 'The engine process is not running.');
      }
      return new Promise<T>((resolve, reject) => {
        this.pending.set(requestId, { resolve: resolve as (value: unknown) => void, reject, onEvent });
        connection.send({ kind: 'request', id: requestId, method, params });
      });
    })();
    return { requestId, result };
  }

  /** For tests and diagnostics: kill the current engine process (the client restarts it). */
  killProcess(): void {
    this.connection?.kill();
  }

  dispose(): void {
    this.disposed = true;
    clearTimeout(this.restartTimer);
    this.failPending(new StudioError('ENGINE_UNAVAILABLE', 'The studio is shutting down.'));
    for (const waiter of this.readyWaiters) {
      waiter.reject(new StudioError('ENGINE_UNAVAILABLE', 'The studio is shutting down.'));
    }
    this.readyWaiters = [];
    this.connection?.kill();
    this.connection = undefined;
  }

  private handleMessage(connection: EngineConnection, message: EngineToHostMessage): void {
    if (connection !== this.connection) {
      return;
    }
    switch (message.kind) {
      case 'ready': {
        this.setState({ kind: 'ready', processId: message.processId });
        const waiters = this.readyWaiters;
        this.readyWaiters = [];
        for (const waiter of waiters) {
          waiter.resolve();
        }
        return;
      }
      case 'event': {
        this.pending.get(message.requestId)?.onEvent?.(message.event);
        return;
      }
      case 'response': {
        const request = this.pending.get(message.id);
        if (!request) {
          return;
        }
        this.pending.delete(message.id);
        if (message.ok) {
          request.resolve(message.value);
        } else {
          request.reject(toStudioError(message.error));
        }
        return;
      }
    }
  }

  private handleExit(connection: EngineConnection, exit: EngineExit): void {
    if (connection !== this.connection) {
      return;
    }
    this.connection = undefined;
    const reason = exit.signal ? `signal ${exit.signal}` : `exit code ${exit.exitCode}`;
    this.failPending(new StudioError('ENGINE_CRASHED', `The engine process stopped (${reason}); it is being restarted.`));
    if (this.disposed) {
      return;
    }
    if (this.options.restart === false) {
      const waiters = this.readyWaiters;
      this.readyWaiters = [];
      for (const waiter of waiters) {
        waiter.reject(new StudioError('ENGINE_CRASHED', `The engine process stopped (${reason}).`));
      }
      this.setState({ kind: 'crashed', exitCode: exit.exitCode, signal: exit.signal, restartInMs: -1 });
      return;
    }
    this.setState({ kind: 'crashed', exitCode: exit.exitCode, signal: exit.signal, restartInMs: this.restartDelayMs });
    this.restartTimer = setTimeout(() => this.start(), this.restartDelayMs);
  }

  private failPending(error: Error): void {
    const requests = [...this.pending.values()];
    this.pending.clear();
    for (const request of requests) {
      request.reject(error);
    }
  }

  private setState(state: EngineState): void {
    this.state = state;
    for (const listener of this.stateListeners) {
      listener(state);
    }
  }
}

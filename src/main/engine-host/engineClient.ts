import type { EngineState } from '@shared/ipc/contract';
import { StudioError, toStudioError } from '@shared/ipc/errors';
import type { EngineConnection, EngineExit, EngineLauncher } from './engineConnection';
import type { EngineMethod, EngineToHostMessage } from './protocol';

interface PendingRequest {
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
  onEvent?: (event: unknown) => void;
  /** The request's time limit, or the cancel's grace period, whichever is running. */
  timer?: NodeJS.Timeout;
}

/** A request's own options. */
export interface RequestOptions {
  /**
   * Work on user files gets a time limit: past it the request fails with ENGINE_ERROR naming the limit, and the
   * engine is told to drop it (the watchdog restarts an engine that is stuck for good).
   */
  timeoutMs?: number;
  /** What the request does, for the time-limit message ("Checking the package"). */
  label?: string;
}

export interface EngineClientOptions {
  launch: EngineLauncher;
  /** Delay before starting a replacement after the engine process died. */
  restartDelayMs?: number;
  /** How long to wait for the process's "ready" message. */
  startTimeoutMs?: number;
  /** Restart the process when it dies (the studio); a one-shot CLI fails instead. Default true. */
  restart?: boolean;
  /** How often a ready engine is asked to answer (a ping through its thread and its file I/O pool). */
  heartbeatMs?: number;
  /** An engine that has not answered for this long is stuck: it is killed and restarted (its requests fail). */
  unresponsiveAfterMs?: number;
  /** How long a cancelled request may take to end; past it, it ends as cancelled here and the engine is restarted. */
  cancelGraceMs?: number;
}

/** Defaults: generous enough for the longest step of a real-size model on a laptop, short enough that a user waits. */
export const ENGINE_WATCHDOG_DEFAULTS = { heartbeatMs: 5_000, unresponsiveAfterMs: 30_000, cancelGraceMs: 30_000 } as const;

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
  private readonly watchdog: { heartbeatMs: number; unresponsiveAfterMs: number; cancelGraceMs: number };
  /** The start limit while starting, then the heartbeat while ready. */
  private watchTimer: NodeJS.Timeout | undefined;
  private lastAnswerMs = 0;
  private nextPingId = 1;

  constructor(private readonly options: EngineClientOptions) {
    this.restartDelayMs = options.restartDelayMs ?? 500;
    this.startTimeoutMs = options.startTimeoutMs ?? 30_000;
    this.watchdog = {
      heartbeatMs: options.heartbeatMs ?? ENGINE_WATCHDOG_DEFAULTS.heartbeatMs,
      unresponsiveAfterMs: options.unresponsiveAfterMs ?? ENGINE_WATCHDOG_DEFAULTS.unresponsiveAfterMs,
      cancelGraceMs: options.cancelGraceMs ?? ENGINE_WATCHDOG_DEFAULTS.cancelGraceMs,
    };
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
    // An engine that never says "ready" (stuck while loading) is as stuck as one that stops answering.
    this.stopWatch();
    this.watchTimer = setTimeout(() => this.restartStuck(`it did not start within ${Math.round(this.startTimeoutMs / 1000)} s`), this.startTimeoutMs);
    this.watchTimer.unref();
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

  request<T>(method: EngineMethod, params: unknown, onEvent?: (event: unknown) => void, options?: RequestOptions): Promise<T> {
    return this.startRequest<T>(method, params, onEvent, options).result;
  }

  /**
   * Asks the engine to stop a request. A cancel always ends it: if the engine has not ended it within the grace
   * period (it is stuck in a step or on a file), it ends here as CANCELLED and the engine is restarted.
   */
  cancel(requestId: number): void {
    if (this.unsent.has(requestId)) {
      // The engine has not seen it yet: it is never sent (a cancel sent now would arrive before it and be lost).
      this.cancelledUnsent.add(requestId);
      return;
    }
    const request = this.pending.get(requestId);
    if (!request) {
      return;
    }
    this.connection?.send({ kind: 'cancel', id: requestId });
    clearTimeout(request.timer);
    request.timer = setTimeout(() => {
      const seconds = Math.round(this.watchdog.cancelGraceMs / 1000);
      this.settlePending(requestId)?.reject(new StudioError('CANCELLED', `The generation was cancelled; the engine did not stop it within ${seconds} s and is being restarted.`));
      this.restartStuck(`it did not stop a cancelled job within ${seconds} s`);
    }, this.watchdog.cancelGraceMs);
    request.timer.unref();
  }

  finishNow(requestId: number): void {
    this.connection?.send({ kind: 'finishNow', id: requestId });
  }

  /** Starts a request and returns its id at once (for cancel / finishNow) with the result promise. */
  startRequest<T>(method: EngineMethod, params: unknown, onEvent?: (event: unknown) => void, options: RequestOptions = {}): { requestId: number; result: Promise<T> } {
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
        const request: PendingRequest = { resolve: resolve as (value: unknown) => void, reject, onEvent };
        const { timeoutMs } = options;
        if (timeoutMs !== undefined) {
          request.timer = setTimeout(() => {
            const what = options.label ?? `The engine's ${method}`;
            this.settlePending(requestId)?.reject(new StudioError('ENGINE_ERROR', `${what} did not finish within ${Math.round(timeoutMs / 1000)} s; it was stopped.`));
            this.connection?.send({ kind: 'cancel', id: requestId });
          }, timeoutMs);
          request.timer.unref();
        }
        this.pending.set(requestId, request);
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
    this.stopWatch();
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
        this.startHeartbeat(connection);
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
      case 'pong': {
        this.lastAnswerMs = Date.now();
        return;
      }
      case 'response': {
        const request = this.settlePending(message.id);
        if (!request) {
          return;
        }
        if (message.ok) {
          request.resolve(message.value);
        } else {
          request.reject(toStudioError(message.error));
        }
        return;
      }
    }
  }

  /** A request leaves the pending list (answered, timed out or ended by a cancel): its timer stops. */
  private settlePending(requestId: number): PendingRequest | undefined {
    const request = this.pending.get(requestId);
    if (request) {
      clearTimeout(request.timer);
      this.pending.delete(requestId);
    }
    return request;
  }

  /**
   * Pings the engine every heartbeatMs; one that has not answered for unresponsiveAfterMs is stuck (its thread or its
   * file I/O pool blocked), so engine.state stops saying "ready" and the engine is killed and restarted.
   */
  private startHeartbeat(connection: EngineConnection): void {
    this.stopWatch();
    this.lastAnswerMs = Date.now();
    this.watchTimer = setInterval(() => {
      if (connection !== this.connection) {
        this.stopWatch();
        return;
      }
      const silentMs = Date.now() - this.lastAnswerMs;
      if (silentMs >= this.watchdog.unresponsiveAfterMs) {
        this.restartStuck(`it did not answer for ${Math.round(silentMs / 1000)} s`);
        return;
      }
      connection.send({ kind: 'ping', id: this.nextPingId++ });
    }, Math.min(this.watchdog.heartbeatMs, this.watchdog.unresponsiveAfterMs));
    this.watchTimer.unref();
  }

  private stopWatch(): void {
    clearInterval(this.watchTimer);
    this.watchTimer = undefined;
  }

  /** Kills a stuck engine at once (SIGKILL: a stopped or blocked process ignores SIGTERM) and goes on as after a crash. */
  private restartStuck(reason: string): void {
    const connection = this.connection;
    if (!connection) {
      return;
    }
    connection.kill({ force: true });
    // Handled now, not when the exit arrives: no request may be sent to it meanwhile.
    this.handleExit(connection, { exitCode: null, signal: 'SIGKILL' }, reason);
  }

  private handleExit(connection: EngineConnection, exit: EngineExit, stuck?: string): void {
    if (connection !== this.connection) {
      return;
    }
    this.connection = undefined;
    this.stopWatch();
    const reason = exit.signal ? `signal ${exit.signal}` : `exit code ${exit.exitCode}`;
    const message = stuck ? `The engine stopped answering (${stuck}); it is being restarted.` : `The engine process stopped (${reason}); it is being restarted.`;
    this.failPending(new StudioError('ENGINE_CRASHED', message));
    if (this.disposed) {
      return;
    }
    if (this.options.restart === false) {
      const waiters = this.readyWaiters;
      this.readyWaiters = [];
      for (const waiter of waiters) {
        waiter.reject(new StudioError('ENGINE_CRASHED', `The engine process stopped (${reason}).`));
      }
      this.setState({ kind: 'crashed', exitCode: exit.exitCode, signal: exit.signal, restartInMs: -1, ...(stuck ? { reason: stuck } : {}) });
      return;
    }
    this.setState({ kind: 'crashed', exitCode: exit.exitCode, signal: exit.signal, restartInMs: this.restartDelayMs, ...(stuck ? { reason: stuck } : {}) });
    this.restartTimer = setTimeout(() => this.start(), this.restartDelayMs);
  }

  private failPending(error: Error): void {
    const requests = [...this.pending.values()];
    this.pending.clear();
    for (const request of requests) {
      clearTimeout(request.timer);
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

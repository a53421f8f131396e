import { memo, Profiler, type ComponentType, type ProfilerOnRenderCallback, type ReactNode } from 'react';

/**
 * React commit counts for the browser tests, on only when the page's URL has `renderStats=1`. Each commit is put
 * down to its cause — the backend event whose handling led to it (`generation.step`, `generation.queue`, …) or
 * `other` (timers, input, fetched data) — and within a cause, each profiled part of the workspace counts the
 * commits its subtree rendered in. The counters live on window.__studioRenderStats for the test to read.
 *
 * A commit is put down to an event when React makes it in the microtasks of the task that delivered the event:
 * the store's listeners schedule React's sync-lane render in a microtask, which runs ahead of the one queued after
 * the handler to clear the cause. The test checks this holds (every step event is followed by its commit).
 */

export interface CauseStats {
  /** Events of this cause delivered (0 for `other`). */
  events: number;
  /** React commits while handling them. */
  commits: number;
  /** Time React spent rendering the workspace in those commits (the root Profiler's actualDuration), ms. */
  renderMs: number;
  /** Per profiled part: commits in which something in its subtree rendered. */
  parts: Record<string, number>;
}

export interface RenderStats {
  causes: Record<string, CauseStats>;
  reset: () => void;
}

declare global {
  interface Window {
    __studioRenderStats?: RenderStats;
  }
}

/** The id of the Profiler around the whole workspace: it reports once per commit. */
const ROOT_ID = 'workspace';

const enabled = typeof window !== 'undefined' && new URLSearchParams(window.location.search).get('renderStats') === '1';
let cause: string | null = null;
let causeToken = 0;

function statsOf(name: string): CauseStats {
  const stats = window.__studioRenderStats;
  if (!stats) {
    throw new Error('render stats are not enabled');
  }
  stats.causes[name] ??= { events: 0, commits: 0, renderMs: 0, parts: {} };
  return stats.causes[name];
}

if (enabled) {
  const stats: RenderStats = {
    causes: {},
    reset: () => {
      stats.causes = {};
    },
  };
  window.__studioRenderStats = stats;
}

const onRender: ProfilerOnRenderCallback = (id, _phase, actualDurationMs) => {
  const stats = statsOf(cause ?? 'other');
  if (id === ROOT_ID) {
    stats.commits++;
    stats.renderMs += actualDurationMs;
  } else {
    stats.parts[id] = (stats.parts[id] ?? 0) + 1;
  }
};

/** Runs an event handler; with render stats on, counts the event and puts the commits it leads to down to it. */
export function attributeRenders(eventCause: string, handle: () => void): void {
  if (!enabled) {
    handle();
    return;
  }
  statsOf(eventCause).events++;
  const token = ++causeToken;
  cause = eventCause;
  try {
    handle();
  } finally {
    queueMicrotask(() => {
      if (causeToken === token) {
        cause = null;
      }
    });
  }
}

/** A part of the workspace whose renders are counted (a React Profiler with render stats on, nothing otherwise). */
export function Profiled({ id, children }: { id: string; children: ReactNode }): ReactNode {
  return enabled ? (
    <Profiler id={id} onRender={onRender}>
      {children}
    </Profiler>
  ) : (
    children
  );
}

/** The whole workspace: its Profiler counts the commits. */
export function ProfiledWorkspace({ children }: { children: ReactNode }): ReactNode {
  return <Profiled id={ROOT_ID}>{children}</Profiled>;
}

/**
 * A part of the workspace that re-renders only on its own props and subscriptions, not with its parent (memo),
 * counted in render stats. The Profiler sits inside the memo, so a render the memo skips is not counted.
 */
export function memoPart<P extends object>(id: string, Component: ComponentType<P>): ComponentType<P> {
  return memo(function Part(props: P): ReactNode {
    return (
      <Profiled id={id}>
        <Component {...props} />
      </Profiled>
    );
  });
}

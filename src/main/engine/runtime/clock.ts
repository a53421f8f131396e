/** Milliseconds since the Unix epoch at sub-millisecond resolution: one clock for timelines across threads. */
export const epochNowMs = (): number => performance.timeOrigin + performance.now();

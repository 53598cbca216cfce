import type { Clock } from "../../../../src/shared/clock.js";

/**
 * A clock whose sleep moves time forward instead of waiting: no test ever really waits. Time
 * moves only after everything already runnable has run (one macrotask), as it would for real.
 */
export interface FakeClock extends Clock {
  /** Every sleep asked for, in ms, in order. */
  readonly sleeps: number[];
  advance(ms: number): void;
}

export function createFakeClock(start = 1_700_000_000_000): FakeClock {
  let now = start;
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => now,
    async sleep(ms, signal) {
      signal?.throwIfAborted();
      sleeps.push(ms);
      await new Promise((resolve) => setImmediate(resolve));
      signal?.throwIfAborted();
      now += ms;
    },
    advance(ms) {
      now += ms;
    },
  };
}

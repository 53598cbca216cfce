/** A clock whose time moves only when a test says so; timers fire in order on `advance`. */
import type { Clock } from "../../../src/callbacks/clock.js";

export interface FakeClock extends Clock {
  /** Moves time forward, firing the timers that fall due. */
  advance(ms: number): void;
  /** Timers set and not yet fired or cleared. */
  readonly pendingTimers: number;
}

export function createFakeClock(start = 1_700_000_000_000): FakeClock {
  let now = start;
  let nextId = 1;
  const timers = new Map<number, { at: number; callback: () => void }>();
  return {
    now: () => now,
    setTimeout(callback, ms) {
      const id = nextId++;
      timers.set(id, { at: now + ms, callback });
      return id;
    },
    clearTimeout(handle) {
      timers.delete(handle as number);
    },
    advance(ms) {
      const until = now + ms;
      for (;;) {
        const due = [...timers].filter(([, t]) => t.at <= until).sort(([, a], [, b]) => a.at - b.at)[0];
        if (!due) break;
        timers.delete(due[0]);
        now = Math.max(now, due[1].at);
        due[1].callback();
      }
      now = until;
    },
    get pendingTimers() {
      return timers.size;
    },
  };
}

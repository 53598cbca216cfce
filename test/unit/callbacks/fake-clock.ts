/** A clock whose time moves only when a test says so; sleeps end in order on `advance`. */
import type { Clock } from "../../../src/shared/clock.js";

export interface FakeClock extends Clock {
  /** Moves time forward, ending the sleeps that fall due. */
  advance(ms: number): void;
  /** Sleeps neither ended nor aborted. */
  readonly pendingTimers: number;
}

export function createFakeClock(start = 1_700_000_000_000): FakeClock {
  let now = start;
  const sleeps = new Set<{ at: number; wake: () => void }>();
  return {
    now: () => now,
    sleep(ms, signal) {
      return new Promise<void>((resolve, reject) => {
        if (signal?.aborted) return reject(signal.reason);
        const sleeper = { at: now + ms, wake: resolve };
        sleeps.add(sleeper);
        signal?.addEventListener(
          "abort",
          () => {
            sleeps.delete(sleeper);
            reject(signal.reason);
          },
          { once: true },
        );
      });
    },
    advance(ms) {
      now += ms;
      for (const sleeper of [...sleeps].sort((a, b) => a.at - b.at)) {
        if (sleeper.at > now) break;
        sleeps.delete(sleeper);
        sleeper.wake();
      }
    },
    get pendingTimers() {
      return sleeps.size;
    },
  };
}

/**
 * The simulator's only source of real waiting, injectable so tests never wait: latency faults,
 * the delay before callbacks, redelivery and delayed responses all go through it.
 */

/** Waits `ms` milliseconds, or less if `signal` aborts (then it resolves early, never rejects). */
export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

// setTimeout fires at once for delays beyond 2^31-1 ms; longer waits (even Infinity) get ~24.8 days.
const longestTimeout = 2_147_483_647;

/** `setTimeout`-based {@link Sleep}. Timers are unref'd: pending redeliveries never keep a process alive. */
export const realSleep: Sleep = (ms, signal) =>
  new Promise<void>((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, Math.min(Math.max(0, ms), longestTimeout));
    timer.unref?.();
    signal?.addEventListener("abort", done, { once: true });
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    }
  });

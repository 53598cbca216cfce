/**
 * Time as every part of the package sees it: token expiry, pacing, retry waits, the receiver's
 * time budget, the tracker's deadlines and the simulator's latency and redeliveries all go
 * through a {@link Clock}, so a test can inject one whose `sleep` returns when it says so.
 */

/** Milliseconds since the epoch, and waits that end early (rejecting) when their signal aborts. */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Resolves after `ms`, or rejects with the signal's reason as soon as it aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  /**
   * Optional: calls `onDue` after `ms` unless the returned function is called first. A clock
   * without it gets the same from `sleep` and an AbortController ({@link startTimer}), which
   * costs some 10 µs per timer in Node 20 (an AbortSignal is an EventTarget): too much for one
   * timer per received callback, so `systemClock` has it. A clock that replaces `sleep` (a test
   * clock built on `...systemClock`) must replace or leave out `timer` too.
   */
  timer?(ms: number, onDue: () => void): () => void;
}

// setTimeout fires at once for delays beyond 2^31-1 ms; longer waits (even Infinity) get ~24.8 days.
const longestTimeout = 2_147_483_647;

/** The real clock: `Date.now` and `setTimeout`. */
export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted) {
        reject(signal.reason);
        return;
      }
      const onAbort = (): void => {
        clearTimeout(timer);
        reject(signal!.reason);
      };
      const timer = setTimeout(
        () => {
          signal?.removeEventListener("abort", onAbort);
          resolve();
        },
        Math.min(Math.max(0, ms), longestTimeout),
      );
      signal?.addEventListener("abort", onAbort, { once: true });
    }),
  timer: (ms, onDue) => {
    const timer = setTimeout(onDue, Math.min(Math.max(0, ms), longestTimeout));
    return () => clearTimeout(timer);
  },
};

/**
 * Waits for a shared promise on behalf of one caller: the caller's signal rejects the wait at
 * once without cancelling the shared work (one login serves many calls; one caller giving up
 * must not fail the others).
 */
export function abortable<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener("abort", onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(error);
      },
    );
  });
}

/**
 * Waits for `ms` of `clock` time and then resolves; an abort of `signal` ends the wait early
 * and also resolves. For background work (a redelivery, a delayed answer) that a shutdown cuts
 * short rather than fails.
 */
export function pause(clock: Clock, ms: number, signal?: AbortSignal): Promise<void> {
  return clock.sleep(ms, signal).catch(() => undefined);
}

// A reason of our own: aborting without one builds a DOMException.
const timerCancelled = new Error("the timer was cancelled");

/**
 * Calls `onDue` after `ms` of `clock` time unless the returned function cancels it first (a
 * no-op once it fired): the clock's own `timer` where it has one, else its `sleep`.
 */
export function startTimer(clock: Clock, ms: number, onDue: () => void): () => void {
  if (clock.timer) return clock.timer(ms, onDue);
  const controller = new AbortController();
  clock.sleep(ms, controller.signal).then(onDue, () => undefined);
  return () => controller.abort(timerCancelled);
}

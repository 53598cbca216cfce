/**
 * Races work against a deadline. The work keeps running after the deadline (a promise cannot
 * be stopped); only the answer stops waiting for it.
 */
import { systemClock, type Clock } from "../client/clock.js";

/** The work's value, or `timedOut` once `ms` passed first. */
export type BudgetResult<T> = { readonly timedOut: false; readonly value: T } | { readonly timedOut: true };

const timedOut = { timedOut: true } as const;
// A reason of our own: aborting without one builds a DOMException, costly on every request.
const settled = new Error("the work settled before the time budget ran out");

/** Waits for `work` at most `ms` milliseconds of `clock` time. A rejection of `work` rejects. */
export function withTimeBudget<T>(work: Promise<T>, ms: number, clock: Clock): Promise<BudgetResult<T>> {
  const done = work.then((value) => ({ timedOut: false, value }) as const);
  if (clock === systemClock) {
    // The same race on a plain timer: no AbortController and no abort event per request.
    let timer: ReturnType<typeof setTimeout> | undefined;
    const deadline = new Promise<typeof timedOut>((resolve) => (timer = setTimeout(resolve, ms, timedOut)));
    return Promise.race([done, deadline]).finally(() => clearTimeout(timer));
  }
  const deadline = new AbortController();
  const expired = clock.sleep(ms, deadline.signal).then(
    () => timedOut,
    // Aborted: the work settled first, and this branch never wins the race.
    () => new Promise<never>(() => undefined),
  );
  return Promise.race([done, expired]).finally(() => deadline.abort(settled));
}

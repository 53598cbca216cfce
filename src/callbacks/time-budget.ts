/**
 * Races work against a deadline. The work keeps running after the deadline (a promise cannot
 * be stopped); only the answer stops waiting for it.
 */
import type { Clock } from "../client/clock.js";

/** The work's value, or `timedOut` once `ms` passed first. */
export type BudgetResult<T> = { readonly timedOut: false; readonly value: T } | { readonly timedOut: true };

/** Waits for `work` at most `ms` milliseconds of `clock` time. A rejection of `work` rejects. */
export function withTimeBudget<T>(work: Promise<T>, ms: number, clock: Clock): Promise<BudgetResult<T>> {
  const deadline = new AbortController();
  const timedOut = clock.sleep(ms, deadline.signal).then(
    () => ({ timedOut: true }) as const,
    // Aborted: the work settled first, and this branch never wins the race.
    () => new Promise<never>(() => undefined),
  );
  const done = work.then((value) => ({ timedOut: false, value }) as const);
  return Promise.race([done, timedOut]).finally(() => deadline.abort());
}

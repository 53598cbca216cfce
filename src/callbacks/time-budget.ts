/**
 * Races work against a deadline. The work keeps running after the deadline (a promise cannot
 * be stopped); only the answer stops waiting for it.
 */
import type { Clock } from "./clock.js";

/** The work's value, or `timedOut` once `ms` passed first. */
export type BudgetResult<T> = { readonly timedOut: false; readonly value: T } | { readonly timedOut: true };

/** Waits for `work` at most `ms` milliseconds of `clock` time. A rejection of `work` rejects. */
export function withTimeBudget<T>(work: Promise<T>, ms: number, clock: Clock): Promise<BudgetResult<T>> {
  return new Promise((resolve, reject) => {
    const timer = clock.setTimeout(() => resolve({ timedOut: true }), ms);
    work.then(
      (value) => {
        clock.clearTimeout(timer);
        resolve({ timedOut: false, value });
      },
      (error: unknown) => {
        clock.clearTimeout(timer);
        reject(error);
      },
    );
  });
}

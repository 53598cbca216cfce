/**
 * Runs a callback's handler at most once per key, however many copies arrive and however they
 * overlap: a copy never acknowledges before the copy being handled has settled, because if it
 * did and that handling then failed, the result would be lost.
 */
import type { DedupeStore } from "./dedupe-store.js";

/**
 * `handled`: this copy ran the handler. `duplicate`: another copy was handled (acknowledge).
 * `busy`: another copy is being handled and the store cannot say when it settles (answer
 * non-2xx so ThingSpace sends it again later).
 */
export type OnceResult = "handled" | "duplicate" | "busy";

// After a copy that was being handled fails, the waiting copy takes over; a store that keeps
// answering "in-progress" and "released" must not spin forever.
const maxRounds = 3;

/**
 * Claims `key`, runs `work` and completes the key; releases it when `work` throws (and
 * rethrows). A copy that finds the key held waits for it to settle: completed means
 * `duplicate`; released (the other copy failed) means this copy handles it itself.
 * `report` receives store failures that must not change the answer.
 */
export async function handleOnce(
  store: DedupeStore,
  key: string,
  work: () => Promise<void>,
  report: (error: unknown) => void,
): Promise<OnceResult> {
  for (let round = 0; round < maxRounds; round++) {
    const claim = await store.claim(key);
    if (claim === "completed") return "duplicate";
    if (claim === "in-progress") {
      if (!store.settled) return "busy";
      if ((await store.settled(key)) === "completed") return "duplicate";
      continue;
    }
    try {
      await work();
    } catch (error) {
      await store.release(key).catch(report);
      throw error;
    }
    // The work is done: a store failure now must not make ThingSpace resend it.
    await store.complete(key).catch(report);
    return "handled";
  }
  return "busy";
}

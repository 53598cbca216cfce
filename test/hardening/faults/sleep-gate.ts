/**
 * A simulator clock whose `sleep` holds the waits of one length until the test lets them go, so
 * a test decides when a redelivery or a delayed answer happens instead of waiting for it. Other
 * waits are real (and short in these tests). Like every Clock, a wait rejects with its signal's
 * reason as soon as the signal aborts.
 */
import type { Clock } from "../../../src/shared/clock.js";

/** The gate: a clock to give the simulator, and its controls. */
export interface SleepGate extends Clock {
  /** Resolves once `count` waits are held. */
  whenHeld(count: number): Promise<void>;
  /** Lets the waits held now go; later ones are held again. */
  release(): void;
  /** Lets every wait go, now and from now on. */
  open(): void;
}

/** A gate holding every `sleep(gatedMs)`. */
export function createSleepGate(gatedMs: number): SleepGate {
  let held: (() => void)[] = [];
  let open = false;
  let watchers: { count: number; resolve: () => void }[] = [];

  function notify(): void {
    const due = watchers.filter((watcher) => held.length >= watcher.count);
    watchers = watchers.filter((watcher) => held.length < watcher.count);
    for (const watcher of due) watcher.resolve();
  }

  const sleep: Clock["sleep"] = (ms, signal) =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      if (ms !== gatedMs || open) {
        const timer = setTimeout(resolve, ms);
        signal?.addEventListener("abort", () => (clearTimeout(timer), reject(signal.reason)), { once: true });
        return;
      }
      held.push(resolve);
      signal?.addEventListener("abort", () => reject(signal.reason), { once: true });
      notify();
    });

  return {
    now: () => Date.now(),
    sleep,
    whenHeld: (count) => new Promise<void>((resolve) => (watchers.push({ count, resolve }), notify())),
    release() {
      for (const resolve of held.splice(0)) resolve();
    },
    open() {
      open = true;
      for (const resolve of held.splice(0)) resolve();
    },
  };
}

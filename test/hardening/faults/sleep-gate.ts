/**
 * A simulator `sleep` that holds the waits of one length until the test lets them go, so a
 * test decides when a redelivery or a delayed answer happens instead of waiting for it. Other
 * waits are real (and short in these tests).
 */
import type { Sleep } from "../../../src/simulator/index.js";

/** The gate and the `sleep` to give the simulator. */
export interface SleepGate {
  sleep: Sleep;
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

  const sleep: Sleep = (ms, signal) =>
    new Promise<void>((resolve) => {
      if (signal?.aborted) return resolve();
      if (ms !== gatedMs || open) {
        const timer = setTimeout(resolve, ms);
        signal?.addEventListener("abort", () => (clearTimeout(timer), resolve()), { once: true });
        return;
      }
      held.push(resolve);
      signal?.addEventListener("abort", () => resolve(), { once: true });
      notify();
    });

  return {
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

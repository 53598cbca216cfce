// Regression: the simulator's callback delivery hung every pending redelivery wait and every
// fetch on one shared AbortSignal. With thousands of callbacks waiting to be sent again (a
// listener that is down), that signal collected thousands of abort listeners: Node printed
// "MaxListenersExceededWarning: Possible EventTarget memory leak detected", and undici's fetch
// keeps its listener until the request is garbage-collected. Each delivery now gets its own
// signal, which close() aborts.
import { getEventListeners } from "node:events";
import { afterEach, describe, expect, it } from "vitest";
import type { Clock } from "../../../src/shared/clock.js";
import type { FetchLike, Simulator } from "../../../src/simulator/index.js";
import { accountName, devices, plan, quickSimulator, registerDirectly, tokensFrom } from "./fault-rig.js";

let simulator: Simulator | undefined;
afterEach(() => simulator?.close());

const callbacks = 2_000;

describe("simulator callback delivery under many pending redeliveries", () => {
  it("no signal handed to a delivery collects the other deliveries' abort listeners", async () => {
    const signals: AbortSignal[] = [];
    let mostListeners = 0;
    let allSent: () => void = () => undefined;
    const sent = new Promise<void>((resolve) => (allSent = resolve));
    // Every first delivery is refused; its redelivery then waits (until close() aborts the
    // wait), so by the last first delivery ~2,000 redelivery waits are pending at once.
    const waits: AbortSignal[] = [];
    const clock: Clock = {
      now: () => Date.now(),
      sleep: (ms, signal) =>
        new Promise<void>((resolve, reject) => {
          if (ms === 0 || !signal) return resolve();
          waits.push(signal);
          signal.addEventListener("abort", () => reject(signal.reason), { once: true });
        }),
    };
    const fetch: FetchLike = async (_url, init) => {
      const signal = init.signal as AbortSignal;
      signals.push(signal);
      mostListeners = Math.max(mostListeners, getEventListeners(signal, "abort").length);
      if (signals.length === callbacks) allSent();
      return new Response(null, { status: 500 });
    };
    simulator = quickSimulator({ fetch, clock, redeliveryDelayMs: 10_000 });
    const tokens = await tokensFrom(simulator);
    await registerDirectly(simulator, tokens, "http://127.0.0.1:9/unused");
    const response = await simulator.handle(
      new Request(`http://simulator.invalid/api/m2m/v1/devices/actions/activate`, {
        method: "POST",
        headers: {
          authorization: `Bearer ${tokens.accessToken}`,
          "vz-m2m-token": tokens.sessionToken,
          "content-type": "application/json",
        },
        body: JSON.stringify({ accountName, ...plan, devices: devices(callbacks) }),
      }),
    );
    expect(response.status).toBe(200);
    await sent;

    expect(signals).toHaveLength(callbacks);
    expect(mostListeners).toBeLessThanOrEqual(1);
    expect(waits.length).toBeGreaterThan(0);
    expect(Math.max(...waits.map((signal) => getEventListeners(signal, "abort").length))).toBe(1);
    // close() still cuts every pending wait short.
    simulator.close();
    expect(waits.every((signal) => signal.aborted)).toBe(true);
    await simulator.idle();
  });
});

// The callback receiver goes down and comes back: the simulator's deliveries fail (connection
// refused) and are sent again with callbackCount counting up, until the receiver answers 2xx;
// each device's result is then handled exactly once, also when an acknowledged callback is sent
// again. The test decides when each redelivery happens (the simulator's 5 ms redelivery wait is
// held by a gate), so nothing depends on timing.
import { afterEach, describe, expect, it } from "vitest";
import type { FetchLike } from "../../../src/simulator/index.js";
import { closeRigs, devices, keyOf, plan, startFaultRig } from "./fault-rig.js";
import { createSleepGate } from "./sleep-gate.js";

afterEach(closeRigs);

const count = 10;

describe("the receiver down, then back", () => {
  it("callbacks are refused, redelivered with callbackCount 2 and 3, then handled exactly once each; later copies are duplicates", async () => {
    const redelivery = createSleepGate(5);
    // The simulator's own delivery fetch (the global one), watched for the errors it meets.
    const refusals: unknown[] = [];
    const fetch: FetchLike = (url, init) =>
      globalThis.fetch(url, init).catch((error: unknown) => {
        refusals.push((error as { cause?: { code?: unknown } }).cause?.code);
        throw error;
      });
    const { client, simulator, receiver } = await startFaultRig({ simulator: { clock: redelivery, fetch } });
    await receiver.stop();

    const { requestId } = await client.activateDevices({ ...plan, devices: devices(count) });
    await redelivery.whenHeld(count); // every first delivery failed and waits to be sent again
    redelivery.release();
    await redelivery.whenHeld(count); // the second ones failed too

    await receiver.start();
    // Three acknowledgements get "lost": those callbacks come once more, with callbackCount 4.
    simulator.setFaults({ duplicateCallbacks: { first: 3 } });
    redelivery.open();
    await simulator.idle();

    const attempts = simulator.deliveries();
    expect(attempts.every((attempt) => attempt.requestId === requestId && attempt.url === receiver.url)).toBe(true);
    const byCount = (callbackCount: number) => attempts.filter((attempt) => attempt.callbackCount === callbackCount);
    expect(refusals).toEqual(Array(2 * count).fill("ECONNREFUSED"));
    expect(byCount(1).map((attempt) => attempt.outcome)).toEqual(Array(count).fill("failed"));
    expect(byCount(2).map((attempt) => attempt.outcome)).toEqual(Array(count).fill("failed"));
    expect(byCount(3).map((attempt) => [attempt.outcome, attempt.httpStatus])).toEqual(
      Array(count).fill(["delivered", 200]),
    );
    expect(byCount(4).map((attempt) => [attempt.outcome, attempt.httpStatus])).toEqual(
      Array(3).fill(["delivered", 200]),
    );
    expect(attempts).toHaveLength(3 * count + 3);
    // Each device: handled once, whatever the copies; the receiver answered 200 to everything it saw.
    expect([...receiver.activated.keys()].sort()).toEqual(Array.from({ length: count }, (_, n) => keyOf(n)).sort());
    expect([...receiver.activated.values()].every((times) => times === 1)).toBe(true);
    expect(receiver.failed.size).toBe(0);
    expect(receiver.statuses).toEqual(Array(count + 3).fill(200));
    expect(simulator.calls("activateDevices")).toBe(1);
  });

  it("a receiver still down after maxCallbackThreshold sends: each callback is given up after 4 attempts, none handled", async () => {
    const { client, simulator, receiver } = await startFaultRig();
    await receiver.stop();

    await client.activateDevices({ ...plan, devices: devices(2) });
    await simulator.idle();

    const attempts = simulator.deliveries();
    expect(attempts.map((attempt) => [attempt.callbackCount, attempt.outcome]).sort()).toEqual(
      [1, 1, 2, 2, 3, 3, 4, 4].map((callbackCount) => [callbackCount, "failed"]),
    );
    expect(receiver.activated.size).toBe(0);
    expect(receiver.statuses).toEqual([]);
  });
});

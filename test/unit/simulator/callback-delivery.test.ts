import { describe, expect, it } from "vitest";
import { activateBody, simulatorHarness, testDevices } from "./simulator-harness.js";

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((done) => (resolve = done));
  return { promise, resolve };
}

const flush = () => new Promise((resolve) => setImmediate(resolve));

describe("simulator callback delivery", () => {
  it("re-sends until maxCallbackThreshold with callbackCount counting up, then gives up", async () => {
    const { m2m, listen, simulator, received, sleeps, answerCallbacks } = simulatorHarness();
    answerCallbacks(() => 500);
    await listen("CarrierService");
    await m2m("POST", "/devices/actions/activate", activateBody(testDevices(1)));
    await simulator.idle();
    expect(received.map(({ body }) => [body.callbackCount, body.maxCallbackThreshold])).toEqual([
      [1, 4],
      [2, 4],
      [3, 4],
      [4, 4],
    ]);
    expect(
      simulator.deliveries().map(({ callbackCount, outcome, httpStatus }) => [callbackCount, outcome, httpStatus]),
    ).toEqual([
      [1, "rejected", 500],
      [2, "rejected", 500],
      [3, "rejected", 500],
      [4, "rejected", 500],
    ]);
    // 10 ms before the first send, 100 ms before each redelivery (defaults).
    expect(sleeps).toEqual([10, 100, 100, 100]);
  });

  it("stops at the first 2xx", async () => {
    const { m2m, listen, simulator, received, answerCallbacks } = simulatorHarness();
    answerCallbacks(({ body }) => (body.callbackCount < 3 ? 503 : 204));
    await listen("CarrierService");
    await m2m("POST", "/devices/actions/activate", activateBody(testDevices(1)));
    await simulator.idle();
    expect(received.map(({ body }) => body.callbackCount)).toEqual([1, 2, 3]);
    expect(simulator.deliveries().at(-1)).toEqual({
      service: "CarrierService",
      accountName: "TestAccount-1",
      requestId: "request-1",
      result: "Success",
      deviceIds: testDevices(1)[0]!.deviceIds,
      url: "http://listener.test/CarrierService",
      callbackCount: 3,
      outcome: "delivered",
      httpStatus: 204,
    });
  });

  it("takes maxCallbackThreshold and the delays as options, and retries network failures", async () => {
    let calls = 0;
    const { m2m, listen, simulator, sleeps } = simulatorHarness({
      maxCallbackThreshold: 2,
      callbackDelayMs: 0,
      redeliveryDelayMs: 5 * 60_000,
      fetch: async () => {
        calls += 1;
        throw new TypeError("fetch failed");
      },
    });
    await listen("CarrierService");
    await m2m("POST", "/devices/actions/activate", activateBody(testDevices(1)));
    await simulator.idle();
    expect(calls).toBe(2);
    expect(simulator.deliveries().map(({ outcome, callbackCount }) => [outcome, callbackCount])).toEqual([
      ["failed", 1],
      ["failed", 2],
    ]);
    expect(sleeps).toEqual([0, 300_000]);
  });

  it("keeps at most callbackConcurrency deliveries in flight", async () => {
    const gate = deferred();
    const reached = deferred();
    let inFlight = 0;
    let most = 0;
    let delivered = 0;
    const { m2m, listen, simulator } = simulatorHarness({
      fetch: async () => {
        inFlight += 1;
        most = Math.max(most, inFlight);
        if (inFlight === 16) reached.resolve();
        await gate.promise;
        inFlight -= 1;
        delivered += 1;
        return new Response(null, { status: 200 });
      },
    });
    await listen("CarrierService");
    await m2m("POST", "/devices/actions/activate", activateBody(testDevices(40)));
    await reached.promise;
    await flush();
    expect(inFlight).toBe(16);
    gate.resolve();
    await simulator.idle();
    expect([most, delivered]).toEqual([16, 40]);
  });

  it("close() aborts what is in flight and sends nothing more", async () => {
    const started = deferred();
    let aborted = false;
    const { m2m, listen, simulator } = simulatorHarness({
      fetch: (_url, init) => {
        started.resolve();
        return new Promise((_resolve, reject) =>
          init.signal?.addEventListener("abort", () => {
            aborted = true;
            reject(new DOMException("aborted", "AbortError"));
          }),
        );
      },
    });
    await listen("CarrierService");
    await m2m("POST", "/devices/actions/activate", activateBody(testDevices(3)));
    await started.promise;
    simulator.close();
    await simulator.idle();
    await flush();
    expect(aborted).toBe(true);
    expect(simulator.deliveries()).toEqual([]);
  });
});

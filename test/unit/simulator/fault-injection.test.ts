import { describe, expect, it } from "vitest";
import { activateBody, goToStateBody, simulatorHarness, testDeviceIds, testDevices } from "./simulator-harness.js";

describe("simulator fault injection", () => {
  it("adds latency before every answer until cleared", async () => {
    const { m2m, simulator, sleeps } = simulatorHarness();
    await m2m("GET", "/callbacks/TestAccount-1");
    simulator.setFaults({ latencyMs: 250 });
    await m2m("GET", "/callbacks/TestAccount-1");
    await m2m("GET", "/callbacks/TestAccount-1");
    simulator.clearFaults();
    await m2m("GET", "/callbacks/TestAccount-1");
    expect(sleeps).toEqual([250, 250]);
  });

  it("loses the first N callback deliveries; redelivery brings them with a higher callbackCount", async () => {
    const { m2m, listen, simulator, received } = simulatorHarness({ faults: { failCallbacks: { first: 2 } } });
    await listen("CarrierService");
    await m2m("POST", "/devices/actions/activate", activateBody(testDevices(1)));
    await simulator.idle();
    expect(received.map(({ body }) => body.callbackCount)).toEqual([3]);
    expect(simulator.deliveries().map(({ outcome }) => outcome)).toEqual(["dropped", "dropped", "delivered"]);
    expect(simulator.faults().failCallbacks).toEqual({ first: 0 });
  });

  it("loses deliveries at a rate decided by the injected random", async () => {
    const draws = [0.1, 0.7, 0.2, 0.9];
    const { m2m, listen, simulator } = simulatorHarness({
      random: () => draws.shift() ?? 1,
      faults: { failCallbacks: { rate: 0.5 } },
    });
    await listen("CarrierService");
    await m2m("POST", "/devices/actions/activate", activateBody(testDevices(1)));
    await simulator.idle();
    await m2m("POST", "/devices/actions/activate", activateBody(testDevices(1, 1)));
    await simulator.idle();
    expect(simulator.deliveries().map(({ outcome, callbackCount }) => `${outcome}#${callbackCount}`)).toEqual([
      "dropped#1",
      "delivered#2",
      "dropped#1",
      "delivered#2",
    ]);
  });

  it("duplicates an acknowledged callback as if the 2xx was lost", async () => {
    const { m2m, listen, simulator, received } = simulatorHarness({ faults: { duplicateCallbacks: { first: 1 } } });
    await listen("CarrierService");
    await m2m("POST", "/devices/actions/activate", activateBody(testDevices(2)));
    await simulator.idle();
    expect(received.map(({ body }) => [body.deviceIds[0].id, body.callbackCount])).toEqual([
      [testDeviceIds(0)[0]!.id, 1],
      [testDeviceIds(1)[0]!.id, 1],
      [testDeviceIds(0)[0]!.id, 2],
    ]);
  });

  it("keeps a counted duplicate for a callback that can still be sent again (not the last allowed attempt)", async () => {
    const { m2m, listen, simulator, received } = simulatorHarness({
      maxCallbackThreshold: 2,
      faults: { duplicateCallbacks: { first: 2 } },
    });
    await listen("CarrierService");
    await m2m("POST", "/devices/actions/activate", activateBody(testDevices(1)));
    await simulator.idle();
    // The copy (callbackCount 2) is the last allowed attempt: its 2xx, even if "lost", brings no third copy.
    expect(simulator.faults().duplicateCallbacks).toEqual({ first: 1 });
    await m2m("POST", "/devices/actions/activate", activateBody(testDevices(1, 1)));
    await simulator.idle();
    expect(received.map(({ body }) => [body.deviceIds[0].id, body.callbackCount])).toEqual([
      [testDeviceIds(0)[0]!.id, 1],
      [testDeviceIds(0)[0]!.id, 2],
      [testDeviceIds(1)[0]!.id, 1],
      [testDeviceIds(1)[0]!.id, 2],
    ]);
    expect(simulator.faults().duplicateCallbacks).toEqual({ first: 0 });
  });

  it("expires every session after N more calls", async () => {
    const { m2m, simulator, signIn } = simulatorHarness();
    await signIn();
    simulator.setFaults({ expireSessionsAfterCalls: 2 });
    expect((await m2m("GET", "/callbacks/TestAccount-1")).status).toBe(200);
    expect((await m2m("GET", "/callbacks/TestAccount-1")).status).toBe(200);
    const third = await m2m("GET", "/callbacks/TestAccount-1");
    expect(((await third.json()) as { errorCode: string }).errorCode).toBe("REQUEST_FAILED.SessionToken.Expired");
    await signIn();
    expect((await m2m("GET", "/callbacks/TestAccount-1")).status).toBe(200);
  });

  it("fails the OAuth token endpoint the given number of times", async () => {
    const { request, simulator } = simulatorHarness();
    const token = () =>
      request("POST", "/ts/v1/oauth2/token", {
        headers: { authorization: `Basic ${btoa("a:b")}`, "content-type": "application/x-www-form-urlencoded" },
        body: "grant_type=client_credentials",
      });
    simulator.setFaults({ oauthFailure: { status: 503, times: 1 } });
    const failed = await token();
    expect([failed.status, await failed.json()]).toEqual([
      503,
      { error: "temporarily_unavailable", error_description: "The OAuth server failed (injected fault)." },
    ]);
    expect((await token()).status).toBe(200);
    simulator.setFaults({ oauthFailure: {} });
    expect(await (await token()).json()).toEqual({
      error: "invalid_client",
      error_description: "Client authentication failed (injected fault).",
    });
  });

  it("resets the connection before the request takes effect, or after it", async () => {
    const { m2m, simulator } = simulatorHarness();
    await m2m("GET", "/callbacks/TestAccount-1");
    simulator.setFaults({ resetConnection: { operation: "activateDevices", times: 1 } });
    expect((await m2m("GET", "/callbacks/TestAccount-1")).status).toBe(200);
    const before = await m2m("POST", "/devices/actions/activate", activateBody(testDevices(1)));
    expect(before.type).toBe("error");
    expect(simulator.devices()).toEqual([]);

    simulator.setFaults({
      resetConnection: { operation: ["activateDevices", "goToState"], afterEffect: true, times: 1 },
    });
    const after = await m2m("POST", "/devices/actions/activate", activateBody(testDevices(1)));
    expect(after.type).toBe("error");
    expect(simulator.devices().map(({ state }) => state)).toEqual(["ACTIVE"]);
    expect((await m2m("PUT", "/devices/actions/goToState", goToStateBody(testDevices(1)))).status).toBe(200);
    expect(simulator.calls("activateDevices")).toBe(2);
  });

  it("delays the answer after the request took effect", async () => {
    let release!: () => void;
    const delayed = new Promise<void>((resolve) => (release = resolve));
    const waits: number[] = [];
    const { m2m, simulator } = simulatorHarness({
      sleep: (ms) => {
        waits.push(ms);
        return ms === 30_000 ? delayed : Promise.resolve();
      },
      faults: { delayResponse: { ms: 30_000, operation: "activateDevices" } },
    });
    await m2m("GET", "/callbacks/TestAccount-1");
    const pending = m2m("POST", "/devices/actions/activate", activateBody(testDevices(1)));
    await new Promise((resolve) => setImmediate(resolve));
    expect(waits).toContain(30_000);
    expect(simulator.devices().map(({ state }) => state)).toEqual(["ACTIVE"]);
    release();
    expect((await pending).status).toBe(200);
  });

  it("fails chosen devices with the given fault in their callback", async () => {
    const failing = testDeviceIds(1)[0]!.id;
    const { m2m, listen, simulator, received } = simulatorHarness({
      faults: {
        deviceFault: ({ deviceIds, operation }) =>
          operation === "activateDevices" && deviceIds.some(({ id }) => id === failing)
            ? { faultcode: "REQUEST_FAILED.UnexpectedError", faultstring: "Carrier unavailable." }
            : undefined,
      },
    });
    await listen("CarrierService");
    await m2m("POST", "/devices/actions/activate", activateBody(testDevices(2)));
    await simulator.idle();
    expect(received.map(({ body }) => [body.status, body.faultResponse])).toEqual([
      ["Success", undefined],
      ["Failed", { faultcode: "REQUEST_FAILED.UnexpectedError", faultstring: "Carrier unavailable." }],
    ]);
    expect(simulator.devices().length).toBe(1);
  });
});

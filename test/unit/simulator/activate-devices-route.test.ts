import { describe, expect, it } from "vitest";
import { specExample, validatorFor } from "../../support/spec-document.js";
import { activateBody, simulatorHarness, testDeviceIds, testDevices } from "./simulator-harness.js";

const validCarrier = validatorFor("CarrierServiceCallback");

describe("simulator activateDevices", () => {
  it("activates PRE-ACTIVE and unknown devices and sends one valid CarrierService callback per device", async () => {
    const { m2m, listen, simulator, received } = simulatorHarness();
    await listen("CarrierService");
    await m2m("POST", "/devices/actions/add", { devicesToAdd: testDevices(1), state: "preactive" });
    const response = await m2m("POST", "/devices/actions/activate", activateBody(testDevices(2)));
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ requestId: "request-1" });
    await simulator.idle();

    expect(received).toHaveLength(2);
    for (const { body } of received) expect(validCarrier(body), JSON.stringify(validCarrier.errors)).toBe(true);
    expect(received[0]).toEqual({
      url: "http://listener.test/CarrierService",
      body: {
        username: "cb-user",
        password: "cb-pass",
        requestId: "request-1",
        deviceIds: testDeviceIds(0),
        deviceResponse: {
          activateResponse: {
            deviceIds: [...testDeviceIds(0), { kind: "mdn", id: "5550000001" }],
            state: "Active",
            featureCodes: [],
            ipAddress: "10.0.0.1",
            servicePlan: "M2M-PLAN",
          },
        },
        status: "Success",
        callbackCount: 1,
        maxCallbackThreshold: 4,
      },
    });
    expect(simulator.devices("TestAccount-1").map(({ state, servicePlan }) => [state, servicePlan])).toEqual([
      ["ACTIVE", "M2M-PLAN"],
      ["ACTIVE", "M2M-PLAN"],
    ]);
  });

  it("activates the spec's example with its IP addresses in its account", async () => {
    const { m2m, listen, simulator, received } = simulatorHarness();
    await listen("CarrierService", "0868924207-00001");
    expect((await m2m("POST", "/devices/actions/activate", specExample("ActivateDevicesWithIpAddresses"))).status).toBe(
      200,
    );
    await simulator.idle();
    expect(received.map(({ body }) => body.deviceResponse.activateResponse.ipAddress)).toEqual([
      "100.127.22.33",
      "100.127.22.34",
    ]);
    expect(simulator.device("0868924207-00001", { kind: "IMEI", id: "990013907835573" })?.groupName).toBe("4G West");
  });

  it("reports REQUEST_FAILED.DeviceAlreadyActive in the callback of a device already active", async () => {
    const { m2m, listen, simulator, received } = simulatorHarness();
    await listen("CarrierService");
    await m2m("POST", "/devices/actions/activate", activateBody(testDevices(1)));
    await m2m("POST", "/devices/actions/activate", activateBody(testDevices(2)));
    await simulator.idle();
    const second = received.filter(({ body }) => body.requestId === "request-2").map(({ body }) => body);
    expect(second[0]).toEqual({
      username: "cb-user",
      password: "cb-pass",
      requestId: "request-2",
      deviceIds: testDeviceIds(0),
      faultResponse: {
        faultcode: "REQUEST_FAILED.DeviceAlreadyActive",
        faultstring: "Device is already active (state ACTIVE).",
      },
      status: "Failed",
      callbackCount: 1,
      maxCallbackThreshold: 4,
    });
    expect(validCarrier(second[0])).toBe(true);
    expect(second[1]?.status).toBe("Success");
  });

  it("answers INPUT_INVALID.MaxRequestsExceeded above 10,000 devices, before schema validation", async () => {
    const { m2m } = simulatorHarness();
    const response = await m2m("POST", "/devices/actions/activate", { devices: testDevices(10_001) });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      errorCode: "INPUT_INVALID.MaxRequestsExceeded",
      errorMessage: "/devices has 10001 devices; activate takes at most 10000 per request.",
    });
  });

  it("activates every device of a group when only groupName is given, and refuses an empty group", async () => {
    const { m2m, simulator } = simulatorHarness();
    await m2m("POST", "/devices/actions/add", { devicesToAdd: testDevices(3), state: "preactive", groupName: "West" });
    await m2m("POST", "/devices/actions/add", { devicesToAdd: testDevices(1, 3), state: "preactive" });
    const { devices: _none, ...byGroup } = activateBody([], { groupName: "West" });
    expect((await m2m("POST", "/devices/actions/activate", byGroup)).status).toBe(200);
    expect(simulator.devices("TestAccount-1").map((device) => device.state)).toEqual([
      "ACTIVE",
      "ACTIVE",
      "ACTIVE",
      "PRE-ACTIVE",
    ]);
    const empty = await m2m("POST", "/devices/actions/activate", { ...byGroup, groupName: "East" });
    expect(await empty.json()).toEqual({
      errorCode: "REQUEST_FAILED.DeviceNotFound",
      errorMessage: "Device group East of account TestAccount-1 has no device.",
    });
  });

  it("keeps results when no listener is registered, and deliverPending() sends them once one is", async () => {
    const { m2m, listen, simulator, received } = simulatorHarness();
    await m2m("POST", "/devices/actions/activate", activateBody(testDevices(2)));
    await simulator.idle();
    expect(received).toEqual([]);
    expect(
      simulator.undelivered().map(({ service, accountName, payload }) => [service, accountName, payload.status]),
    ).toEqual([
      ["CarrierService", "TestAccount-1", "Success"],
      ["CarrierService", "TestAccount-1", "Success"],
    ]);
    await listen("CarrierService");
    expect(simulator.deliverPending()).toBe(2);
    await simulator.idle();
    expect(received.map(({ body }) => body.requestId)).toEqual(["request-1", "request-1"]);
    expect(simulator.undelivered()).toEqual([]);
  });

  it("keeps results of several services in the order they came, hands out copies, and keeps those still unheard", async () => {
    const { m2m, listen, simulator, received } = simulatorHarness({ nidd: () => "ConfigCreated" });
    await m2m("POST", "/devices/actions/activate", activateBody(testDevices(2)));
    await simulator.idle();
    const kept = simulator.undelivered();
    expect(kept.map(({ service, payload }) => [service, payload.status, payload.requestId])).toEqual([
      ["CarrierService", "Success", "request-1"],
      ["NiddService", "ConfigCreated", "request-1"],
      ["CarrierService", "Success", "request-1"],
      ["NiddService", "ConfigCreated", "request-1"],
    ]);
    kept[0]!.payload.requestId = "changed";
    expect(simulator.undelivered()[0]!.payload.requestId).toBe("request-1");

    await listen("NiddService");
    expect(simulator.deliverPending()).toBe(2);
    await simulator.idle();
    expect(received.map(({ url }) => url)).toEqual([
      "http://listener.test/NiddService",
      "http://listener.test/NiddService",
    ]);
    expect(simulator.undelivered().map(({ service }) => service)).toEqual(["CarrierService", "CarrierService"]);
    expect(simulator.undelivered()[1]!.payload).toEqual(kept[2]!.payload);
  });

  it("sends NiddService callbacks, valid against the spec, for the devices the nidd option picks", async () => {
    const validNidd = validatorFor("NiddServiceCallback");
    const { m2m, listen, simulator, received } = simulatorHarness({
      nidd: ({ deviceIds }) => (deviceIds[0]!.id.endsWith("0") ? "ConfigCreated" : "ConfigFailed"),
    });
    await listen("CarrierService");
    await listen("NiddService");
    await m2m("POST", "/devices/actions/activate", activateBody(testDevices(2)));
    await simulator.idle();
    const nidd = received.filter(({ url }) => url.endsWith("/NiddService")).map(({ body }) => body);
    expect(nidd.map((body) => [body.status, body.niddResponse.niddConfigResponse.reason])).toEqual([
      ["ConfigCreated", undefined],
      ["ConfigFailed", "Not CatM or NBIoT Device"],
    ]);
    for (const body of nidd) expect(validNidd(body), JSON.stringify(validNidd.errors)).toBe(true);
  });
});

describe("simulator activate rate limit", () => {
  it("admits 100 activate requests per account in a rolling minute, then answers 429 with Retry-After", async () => {
    const { m2m, advance, simulator } = simulatorHarness();
    for (let i = 0; i < 100; i++) {
      expect((await m2m("POST", "/devices/actions/activate", activateBody(testDevices(1, i)))).status).toBe(200);
      advance(300);
    }
    // The first request was 30 s ago: its slot frees in 30 s.
    const limited = await m2m("POST", "/devices/actions/activate", activateBody(testDevices(1, 100)));
    expect(limited.status).toBe(429);
    expect(limited.headers.get("retry-after")).toBe("30");
    expect(await limited.json()).toEqual({
      errorCode: "REQUEST_FAILED.RateLimitExceeded",
      errorMessage: "More than 100 activate requests in a minute for account TestAccount-1; retry after 30 s.",
    });
    expect(simulator.device("TestAccount-1", testDeviceIds(100)[0]!)).toBeUndefined();

    const otherAccount = await m2m(
      "POST",
      "/devices/actions/activate",
      activateBody(testDevices(1, 100), { accountName: "TestAccount-2" }),
    );
    expect(otherAccount.status).toBe(200);
    advance(30_000);
    expect((await m2m("POST", "/devices/actions/activate", activateBody(testDevices(1, 100)))).status).toBe(200);
    expect((await m2m("POST", "/devices/actions/activate", activateBody(testDevices(1, 101)))).status).toBe(429);
  });

  it("takes the limit as an option and does not count refused requests", async () => {
    const { m2m, advance } = simulatorHarness({ activateRequestsPerMinute: 2 });
    expect((await m2m("POST", "/devices/actions/activate", activateBody(testDevices(1, 0)))).status).toBe(200);
    expect((await m2m("POST", "/devices/actions/activate", { devices: [] })).status).toBe(400);
    expect((await m2m("POST", "/devices/actions/activate", activateBody(testDevices(1, 1)))).status).toBe(200);
    const limited = await m2m("POST", "/devices/actions/activate", activateBody(testDevices(1, 2)));
    expect([limited.status, limited.headers.get("retry-after")]).toEqual([429, "60"]);
    advance(60_000);
    expect((await m2m("POST", "/devices/actions/activate", activateBody(testDevices(1, 2)))).status).toBe(200);
  });
});

import { describe, expect, it } from "vitest";
import { createSimulator } from "../../../src/simulator/simulator.js";
import { activateBody, simulatorHarness, testDevices } from "./simulator-harness.js";

describe("createSimulator routing", () => {
  it("answers 404 for unknown paths and 405 with Allow for a wrong method", async () => {
    const { request, m2m } = simulatorHarness();
    const missing = await request("GET", "/m2m/v1/devices/actions/unknown");
    expect([missing.status, await missing.json()]).toEqual([
      404,
      {
        errorCode: "INPUT_INVALID.Resource.NotFound",
        errorMessage: "No such resource: /api/m2m/v1/devices/actions/unknown.",
      },
    ]);
    const wrongMethod = await m2m("POST", "/devices/actions/goToState", {});
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.get("allow")).toBe("PUT");
  });

  it("serves under another basePath when asked", async () => {
    const simulator = createSimulator({ basePath: "" });
    const response = await simulator.handle(new Request("http://x.test/m2m/v1/session/login", { method: "POST" }));
    expect(response.status).toBe(401);
    expect(simulator.basePath).toBe("");
    expect(() => createSimulator({ basePath: "api/" })).toThrow(
      'simulator option basePath must be "" or start with "/" and not end with "/" (got api/)',
    );
    expect(() => createSimulator({ maxCallbackThreshold: 0 })).toThrow(
      "simulator option maxCallbackThreshold must be an integer of at least 1 (got 0)",
    );
  });

  it("turns an internal failure into ThingSpace's UnexpectedError with HTTP 500, never a crash", async () => {
    const { m2m } = simulatorHarness({
      requestId: () => {
        throw new Error("id service down");
      },
    });
    const response = await m2m("POST", "/devices/actions/activate", activateBody(testDevices(1)));
    expect([response.status, await response.json()]).toEqual([
      500,
      {
        errorCode: "REQUEST_FAILED.UnexpectedError",
        errorMessage: "Unexpected error occurred. Could not complete request.",
      },
    ]);
  });

  it("counts requests per operation", async () => {
    const { m2m, simulator } = simulatorHarness();
    await m2m("POST", "/devices/actions/activate", activateBody(testDevices(1)));
    await m2m("POST", "/devices/actions/activate", activateBody(testDevices(1, 1)));
    expect([
      simulator.calls("getAccessToken"),
      simulator.calls("logIn"),
      simulator.calls("activateDevices"),
      simulator.calls(),
    ]).toEqual([1, 1, 2, 4]);
  });

  it("finds a device by any of its identifiers, kind in any case", async () => {
    const { m2m, simulator } = simulatorHarness();
    await m2m("POST", "/devices/actions/activate", activateBody(testDevices(1)));
    const [imei, iccid] = testDevices(1)[0]!.deviceIds;
    expect(simulator.device("TestAccount-1", { kind: "ICCID", id: iccid!.id })?.state).toBe("ACTIVE");
    expect(simulator.device("TestAccount-1", { kind: "mdn", id: "5550000001" })?.deviceIds[0]).toEqual(imei);
    expect(simulator.device("TestAccount-2", { kind: "imei", id: imei!.id })).toBeUndefined();
  });
});

describe("createSimulator close()", () => {
  const timers = () => process.getActiveResourcesInfo().filter((resource) => resource === "Timeout").length;

  it("cuts injected waits short on the system clock, so no timer of the simulator keeps the process alive", async () => {
    const before = timers();
    const simulator = createSimulator({
      faults: { latencyMs: 3_600_000, delayResponse: { ms: 3_600_000, operation: "getAccessToken" } },
    });
    const token = () =>
      simulator.handle(
        new Request("http://simulator.test/api/ts/v1/oauth2/token", {
          method: "POST",
          headers: {
            authorization: `Basic ${btoa("client:secret")}`,
            "content-type": "application/x-www-form-urlencoded",
          },
          body: "grant_type=client_credentials",
        }),
      );
    const answers = [token(), token()];
    await new Promise((resolve) => setImmediate(resolve));
    expect(timers()).toBe(before + 2);
    simulator.close();
    expect((await Promise.all(answers)).map(({ status }) => status)).toEqual([200, 200]);
    expect(timers()).toBe(before);
    // Closed, it still answers, without the injected waits.
    expect((await token()).status).toBe(200);
    expect(timers()).toBe(before);
  });
});

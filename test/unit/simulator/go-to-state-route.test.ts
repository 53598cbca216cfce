import { describe, expect, it } from "vitest";
import { specExample, validatorFor } from "../../support/spec-document.js";
import { activateBody, goToStateBody, simulatorHarness, testDeviceIds, testDevices } from "./simulator-harness.js";

const validState = validatorFor("StateServiceCallback");

async function activated(count: number) {
  const harness = simulatorHarness();
  await harness.listen("StateService");
  await harness.m2m("POST", "/devices/actions/activate", activateBody(testDevices(count)));
  await harness.simulator.idle();
  return harness;
}

describe("simulator goToState", () => {
  it("moves devices to the customer-defined service and state, with one valid StateService callback each", async () => {
    const { m2m, simulator, received } = await activated(2);
    const response = await m2m("PUT", "/devices/actions/goToState", goToStateBody(testDevices(2)));
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ requestId: "request-2" });
    await simulator.idle();

    expect(received).toHaveLength(2);
    for (const { body } of received) expect(validState(body), JSON.stringify(validState.errors)).toBe(true);
    expect(received[0]!.body).toEqual({
      username: "cb-user",
      password: "cb-pass",
      requestId: "request-2",
      deviceIds: testDeviceIds(0),
      deviceResponse: {
        goToStateResponse: {
          deviceIds: [...testDeviceIds(0), { kind: "mdn", id: "5550000001" }],
          accountName: "TestAccount-1",
          stateName: "Monitoring",
          serviceName: "Fleet",
          ipAddress: "10.0.0.1",
          servicePlan: "M2M-PLAN",
        },
      },
      status: "Success",
      callbackCount: 1,
      maxCallbackThreshold: 4,
    });
    expect(simulator.devices("TestAccount-1").map(({ serviceName, state }) => `${serviceName}/${state}`)).toEqual([
      "Fleet/Monitoring",
      "Fleet/Monitoring",
    ]);
  });

  it("assumes every device starts in the first one's state: others get a fault and stay put", async () => {
    const { m2m, simulator, received } = await activated(3);
    await m2m("PUT", "/devices/actions/goToState", goToStateBody(testDevices(1, 1), { stateName: "Parked" }));
    await simulator.idle();
    received.length = 0;

    await m2m("PUT", "/devices/actions/goToState", goToStateBody(testDevices(3)));
    await simulator.idle();
    expect(received.map(({ body }) => [body.status, body.faultResponse])).toEqual([
      ["Success", undefined],
      [
        "Failed",
        {
          faultcode: "REQUEST_FAILED.Device.StateMismatch",
          faultstring: "Device is in state Fleet/Parked, not in the state of the request's first device (ACTIVE).",
        },
      ],
      ["Success", undefined],
    ]);
    for (const { body } of received) expect(validState(body)).toBe(true);
    expect(simulator.devices("TestAccount-1").map(({ state }) => state)).toEqual([
      "Monitoring",
      "Parked",
      "Monitoring",
    ]);
  });

  it("reports REQUEST_FAILED.DeviceNotFound in the callback of an unknown device", async () => {
    const { m2m, simulator, received } = await activated(1);
    await m2m("PUT", "/devices/actions/goToState", goToStateBody([...testDevices(1, 7), ...testDevices(1)]));
    await simulator.idle();
    const bodies = received.filter(({ body }) => body.requestId === "request-2").map(({ body }) => body);
    expect(bodies.map((body) => [body.deviceIds, body.status, body.faultResponse?.faultcode])).toEqual([
      [testDeviceIds(7), "Failed", "REQUEST_FAILED.DeviceNotFound"],
      [testDeviceIds(0), "Success", undefined],
    ]);
  });

  it("selects devices with a filter, and answers DeviceNotFound when the filter matches none", async () => {
    const { m2m, simulator } = simulatorHarness();
    await m2m(
      "POST",
      "/devices/actions/activate",
      activateBody(testDevices(2), { groupName: "West", accountName: "0000123456-00001" }),
    );
    await m2m(
      "POST",
      "/devices/actions/activate",
      activateBody(testDevices(1, 2), { accountName: "0000123456-00001" }),
    );
    const filter = { accountName: "0000123456-00001", groupName: "West" };
    const { devices: _none, ...byFilter } = goToStateBody([], { filter });
    expect((await m2m("PUT", "/devices/actions/goToState", byFilter)).status).toBe(200);
    expect(simulator.devices("0000123456-00001").map(({ state }) => state)).toEqual([
      "Monitoring",
      "Monitoring",
      "ACTIVE",
    ]);

    const none = await m2m("PUT", "/devices/actions/goToState", {
      ...byFilter,
      filter: { ...filter, groupName: "East" },
    });
    expect(await none.json()).toEqual({
      errorCode: "REQUEST_FAILED.DeviceNotFound",
      errorMessage: "No device of account 0000123456-00001 matches the filter.",
    });
  });

  it("accepts the spec's examples and refuses devices with filter, using the generated validator", async () => {
    const { m2m } = simulatorHarness();
    expect((await m2m("PUT", "/devices/actions/goToState", specExample("GoToStateTwoDevices"))).status).toBe(200);
    expect((await m2m("PUT", "/devices/actions/goToState", specExample("GoToStateBusinessInternet"))).status).toBe(200);
    const both = await m2m(
      "PUT",
      "/devices/actions/goToState",
      goToStateBody(testDevices(1), { filter: { groupName: "West" } }),
    );
    expect(await both.json()).toEqual({
      errorCode: "REQUEST_FAILED.UnexpectedError",
      errorMessage:
        "The request body does not match the API:\n- the body combines fields that cannot be used together [not]",
    });
  });

  it("answers INPUT_INVALID.MaxRequestsExceeded above 10,000 devices", async () => {
    const { m2m } = simulatorHarness();
    const response = await m2m("PUT", "/devices/actions/goToState", goToStateBody(testDevices(10_001)));
    expect(((await response.json()) as { errorCode: string }).errorCode).toBe("INPUT_INVALID.MaxRequestsExceeded");
  });

  it("answers at the page's goToState and at the gotostate Verizon's SDKs send, and at no other case", async () => {
    const { m2m, simulator, received } = await activated(2);
    const lower = await m2m("PUT", "/devices/actions/gotostate", goToStateBody(testDevices(1)));
    expect(lower.status).toBe(200);
    expect(await lower.json()).toEqual({ requestId: "request-2" });
    await simulator.idle();
    expect(received.map(({ body }) => [body.requestId, body.status])).toEqual([["request-2", "Success"]]);
    expect(simulator.calls("goToState")).toBe(1);
    expect(simulator.device("TestAccount-1", testDeviceIds(0)[0]!)?.state).toBe("Monitoring");

    const upper = await m2m("PUT", "/devices/actions/GOTOSTATE", goToStateBody(testDevices(1)));
    expect(upper.status).toBe(404);
    const wrongMethod = await m2m("POST", "/devices/actions/gotostate", goToStateBody(testDevices(1)));
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.get("allow")).toBe("PUT");
  });
});

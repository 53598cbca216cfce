import { describe, expect, it } from "vitest";
import { activateBody, goToStateBody, simulatorHarness, testDeviceIds, testDevices } from "./simulator-harness.js";

type Page = { hasMoreData: boolean; devices: Record<string, any>[] };

const imeiOf = (device: Record<string, any>) => device.deviceIds.find((id: { kind: string }) => id.kind === "imei")?.id;

describe("simulator: POST /devices/actions/list", () => {
  it("lists a device found by any identifier with all its identifiers, the MDN assigned at activation included", async () => {
    const { m2m, advance } = simulatorHarness();
    await m2m("POST", "/devices/actions/activate", activateBody(testDevices(1)));
    advance(10); // the activation's callbacks are due: no longer pending
    const iccid = testDeviceIds(0)[1]!;
    const response = await m2m("POST", "/devices/actions/list", { accountName: "TestAccount-1", deviceId: iccid });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      hasMoreData: false,
      devices: [
        {
          accountName: "TestAccount-1",
          deviceIds: [...testDeviceIds(0), { kind: "mdn", id: "5550000001" }],
          carrierInformations: [{ carrierName: "Verizon Wireless", servicePlan: "M2M-PLAN", state: "active" }],
          connected: false,
          createdAt: "2025-01-01T00:00:00.000Z",
          ipAddress: "10.0.0.1",
          groupNames: [],
          extendedAttributes: [{ key: "DeviceId", value: "1" }],
        },
      ],
    });
  });

  it("pages with maxNumberOfDevices and the largestDeviceIdSeen cursor: 202 while more follow, 200 on the last page", async () => {
    const { m2m } = simulatorHarness();
    await m2m("POST", "/devices/actions/add", { state: "preactive", devicesToAdd: testDevices(5) });
    const query = { filter: { deviceIdentifierFilters: [{ kind: "imei", startswith: "99000000000000" }] } };
    const pages: [number, Page][] = [];
    let cursor: number | undefined;
    for (let more = true; more;) {
      const response = await m2m("POST", "/devices/actions/list", {
        ...query,
        maxNumberOfDevices: 2,
        ...(cursor === undefined ? {} : { largestDeviceIdSeen: cursor }),
      });
      const page = (await response.json()) as Page;
      pages.push([response.status, page]);
      more = page.hasMoreData;
      cursor = Number(page.devices.at(-1)?.extendedAttributes[0].value);
    }
    expect(pages.map(([status, page]) => [status, page.hasMoreData, page.devices.map(imeiOf)])).toEqual([
      [202, true, ["990000000000000", "990000000000001"]],
      [202, true, ["990000000000002", "990000000000003"]],
      [200, false, ["990000000000004"]],
    ]);
    expect(pages[0]![1].devices[0]!.carrierInformations).toEqual([
      { carrierName: "Verizon Wireless", state: "pre-active" },
    ]);
  });

  it("filters by state as ThingSpace spells it, lists an activation in progress as pending, and no match as an empty last page", async () => {
    const { m2m, advance } = simulatorHarness();
    await m2m("POST", "/devices/actions/add", { state: "preactive", devicesToAdd: testDevices(3) });
    await m2m("POST", "/devices/actions/activate", activateBody(testDevices(1)));
    const states = async (currentState?: string) => {
      const response = await m2m("POST", "/devices/actions/list", currentState === undefined ? {} : { currentState });
      const page = (await response.json()) as Page;
      return page.devices.map((device) => `${imeiOf(device)} ${device.carrierInformations[0].state}`);
    };
    expect(await states()).toEqual([
      "990000000000000 pending activation",
      "990000000000001 pre-active",
      "990000000000002 pre-active",
    ]);
    advance(10);
    expect(await states("ACTIVE")).toEqual(["990000000000000 active"]);
    expect(await states("pre-active")).toEqual(["990000000000001 pre-active", "990000000000002 pre-active"]);
    const none = await m2m("POST", "/devices/actions/list", { deviceId: { kind: "imei", id: "990000000099999" } });
    expect([none.status, await none.json()]).toEqual([200, { hasMoreData: false, devices: [] }]);
  });

  it("refuses a query that breaks the spec, naming the field", async () => {
    const { m2m } = simulatorHarness();
    const response = await m2m("POST", "/devices/actions/list", { maxNumberOfDevices: 101 });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      errorCode: "REQUEST_FAILED.UnexpectedError",
      errorMessage: "The request body does not match the API:\n- /maxNumberOfDevices must be <= 100 [maximum]",
    });
  });
});

describe("simulator: GET /accounts/{accountName}/requests/{requestId}/status", () => {
  it("is Pending until the request's callbacks are due, then Success or, when a device failed, Failure", async () => {
    const { m2m, advance } = simulatorHarness({
      faults: {
        deviceFault: ({ deviceIds }) =>
          deviceIds[0]!.id === testDeviceIds(1)[0]!.id
            ? { faultcode: "REQUEST_FAILED.X", faultstring: "x" }
            : undefined,
      },
    });
    await m2m("POST", "/devices/actions/activate", activateBody(testDevices(1)));
    await m2m("POST", "/devices/actions/activate", activateBody(testDevices(1, 1)));
    const status = async (requestId: string) =>
      (await m2m("GET", `/accounts/TestAccount-1/requests/${requestId}/status`)).json();
    expect(await status("request-1")).toEqual({ requestId: "request-1", status: "Pending" });
    advance(10);
    expect(await status("request-1")).toEqual({ requestId: "request-1", status: "Success" });
    expect(await status("request-2")).toEqual({ requestId: "request-2", status: "Failure" });
  });

  it("knows goToState requests too, and answers 400 for a request the account never made", async () => {
    const { m2m, advance } = simulatorHarness();
    await m2m("POST", "/devices/actions/activate", activateBody(testDevices(1)));
    await m2m("PUT", "/devices/actions/goToState", goToStateBody(testDevices(1)));
    advance(10);
    const moved = await m2m("GET", "/accounts/TestAccount-1/requests/request-2/status");
    expect(await moved.json()).toEqual({ requestId: "request-2", status: "Success" });
    const elsewhere = await m2m("GET", "/accounts/TestAccount-2/requests/request-2/status");
    expect([elsewhere.status, await elsewhere.json()]).toEqual([
      400,
      {
        errorCode: "REQUEST_FAILED.Request.NotFound",
        errorMessage: "Account TestAccount-2 has no asynchronous request request-2.",
      },
    ]);
  });
});

describe("simulator fault dropCallbacks", () => {
  it("loses every delivery attempt of the callbacks it picks, and only those", async () => {
    const lost = testDeviceIds(1)[0]!.id;
    const { m2m, listen, simulator, received } = simulatorHarness({
      faults: { dropCallbacks: ({ deviceIds }) => deviceIds.some(({ id }) => id === lost) },
    });
    await listen("CarrierService");
    await m2m("POST", "/devices/actions/activate", activateBody(testDevices(3)));
    await simulator.idle();
    expect(received.map(({ body }) => body.deviceIds[0].id)).toEqual(["990000000000000", "990000000000002"]);
    expect(
      simulator
        .deliveries()
        .filter(({ deviceIds }) => deviceIds?.[0]?.id === lost)
        .map(({ outcome, callbackCount }) => `${outcome}#${callbackCount}`),
    ).toEqual(["dropped#1", "dropped#2", "dropped#3", "dropped#4"]);
    expect(simulator.device("TestAccount-1", { kind: "imei", id: lost })?.state).toBe("ACTIVE");
  });
});

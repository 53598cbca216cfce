// The client's lookups over real HTTP (127.0.0.1) against the simulator: listDevices walks
// ThingSpace's pages, lookUpDevices batches, and checkOutcome resolves a call whose outcome
// was unknown from what ThingSpace lists.
import { describe, expect, it } from "vitest";
import {
  createThingSpaceClient,
  OutcomeUnknownError,
  ThingSpaceError,
  TimeoutError,
  type ThingSpaceCommonOptions,
} from "../../../src/client/index.js";
import type { SimulatorServerOptions } from "../../../src/simulator/index.js";
import { devices } from "../../unit/client/helpers/test-client.js";
import { startSimulatorWithClient } from "../../support/simulator-client.js";

const plan = { servicePlan: "M2MPlan", mdnZipCode: "98801" };

/** A simulator on a loopback port (nobody listening for its callbacks) and a client recording the list bodies it sends. */
async function setup(
  simulatorOptions: SimulatorServerOptions = {},
  clientOptions: Partial<ThingSpaceCommonOptions> = {},
) {
  const listBodies: unknown[] = [];
  const started = await startSimulatorWithClient(simulatorOptions, {
    fetch: async (request) => {
      if (request.url.endsWith("/devices/actions/list")) listBodies.push(await request.clone().json());
      return fetch(request);
    },
    ...clientOptions,
  });
  return { ...started, listBodies };
}

const imeis = (page: { devices: { deviceIds?: { kind: string; id: string }[] }[] }) =>
  page.devices.map((device) => device.deviceIds?.find((id) => id.kind === "imei")?.id);

describe("client.listDevices", () => {
  it("walks every page: 3 pages of at most 2 devices, each asked for with the cursor of the page before", async () => {
    const { client, simulator, listBodies } = await setup();
    await client.addDevices({ state: "preactive", devicesToAdd: devices(5) });
    const pages = [];
    for await (const page of client.listDevices({ maxNumberOfDevices: 2 })) pages.push(page);
    expect(pages.map((page) => [page.hasMoreData, imeis(page)])).toEqual([
      [true, ["990000000000000", "990000000000001"]],
      [true, ["990000000000002", "990000000000003"]],
      [false, ["990000000000004"]],
    ]);
    expect(listBodies).toEqual([
      { maxNumberOfDevices: 2, accountName: "TestAccount-1" },
      { maxNumberOfDevices: 2, accountName: "TestAccount-1", largestDeviceIdSeen: 2 },
      { maxNumberOfDevices: 2, accountName: "TestAccount-1", largestDeviceIdSeen: 4 },
    ]);
    expect(simulator.calls("listDevices")).toBe(3);
  });

  it("stops with an error instead of looping when a page says more follow but gives no cursor", async () => {
    const morePages = { hasMoreData: true, devices: [{ deviceIds: [{ kind: "imei", id: "990000000000000" }] }] };
    const client = createThingSpaceClient({
      baseUrl: "http://thingspace.test/api",
      accessToken: () => "bearer",
      sessionToken: () => "session",
      fetch: async () => Response.json(morePages, { status: 202 }),
    });
    const pages: unknown[] = [];
    const error = await (async () => {
      for await (const page of client.listDevices({ currentState: "active" })) pages.push(page);
    })().catch((e: unknown) => e);
    expect(pages).toEqual([morePages]);
    expect(error).toBeInstanceOf(ThingSpaceError);
    expect((error as Error).message).toBe(
      "ThingSpace answered listDevices with hasMoreData but no paging cursor (the DeviceId extended attribute of " +
        "the page's last device): stopped after this page rather than ask for it again. ThingSpace's paging is " +
        'unconfirmed (see "Paging" in the spec).',
    );
  });

  it("validates the query before sending anything", async () => {
    const { client, simulator } = await setup();
    const error = await client
      .listDevices({ maxNumberOfDevices: 500 })
      [Symbol.asyncIterator]()
      .next()
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ name: "ValidationError", operation: "listDevices" });
    expect(simulator.calls("listDevices")).toBe(0);
  });
});

describe("client.getRequestStatus", () => {
  it("says where an activation stands", async () => {
    const { client } = await setup();
    const { requestId } = await client.activateDevices({ ...plan, devices: devices(1) });
    await expect(client.getRequestStatus(requestId)).resolves.toEqual({ requestId, status: "Success" });
  });

  it("refuses an empty requestId before sending, naming it", async () => {
    const { client } = await setup();
    await expect(client.getRequestStatus("")).rejects.toMatchObject({
      name: "ValidationError",
      violations: [
        {
          path: "/requestId",
          rule: "minLength",
          message: "requestId (path parameter) must be the non-empty requestId a synchronous answer returned",
        },
      ],
    });
  });
});

describe("client.lookUpDevices", () => {
  it("finds a run of consecutive identifiers with one query per 100 and a lone device with one query of its own", async () => {
    const { client, simulator } = await setup();
    const fleet = devices(250);
    await client.activateDevicesInBatches(fleet, plan);
    const lone = devices(1, 5_000);
    await client.addDevices({ state: "preactive", devicesToAdd: lone });
    const unknown = devices(1, 9_000);
    const results = await client.lookUpDevices([...fleet, ...lone, ...unknown]);
    expect(results).toHaveLength(252);
    expect(results.slice(0, 250).every((result) => result.found === "in-state" && result.state === "active")).toBe(
      true,
    );
    expect(results.slice(250).map(({ found, state }) => [found, state])).toEqual([
      ["other-state", "pre-active"],
      ["not-found", undefined],
    ]);
    // 990000000000000-099, -100-199, -200-249 share all but their last two digits: 3 filter
    // queries; the lone and the unknown device: one deviceId query each.
    expect(simulator.calls("listDevices")).toBe(5);
  });
});

describe("client.checkOutcome", () => {
  it("an activation that timed out after ThingSpace took it: took effect, device by device", async () => {
    const { client } = await setup(
      { faults: { delayResponse: { ms: 5_000, operation: "activateDevices", times: 1 } } },
      { timeoutMs: 300 },
    );
    const sent = devices(2);
    const error = await client.activateDevices({ ...plan, devices: sent }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TimeoutError);
    expect((error as TimeoutError).howToCheck).toContain("client.checkOutcome(error)");
    const check = await client.checkOutcome(error as TimeoutError);
    expect(check.operationId).toBe("activateDevices");
    expect(check.overall).toBe("took-effect");
    expect(check.devices.map(({ device, outcome, state }) => [device.deviceIds, outcome, state])).toEqual([
      [sent[0]!.deviceIds, "took-effect", "active"],
      [sent[1]!.deviceIds, "took-effect", "active"],
    ]);
    expect(check.devices[0]!.listed?.deviceIds).toContainEqual({ kind: "mdn", id: "5550000001" });
  });

  it("an activation that never arrived: did not take effect (one device unknown, one still pre-active)", async () => {
    const { client, simulator } = await setup({
      faults: { resetConnection: { operation: "activateDevices", afterEffect: false, times: 1 } },
    });
    const sent = devices(2);
    await client.addDevices({ state: "preactive", devicesToAdd: [sent[1]!] });
    const error = await client.activateDevices({ ...plan, devices: sent }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OutcomeUnknownError);
    expect(error).toMatchObject({ reason: "connection-lost" });
    const check = await client.checkOutcome(error as OutcomeUnknownError);
    expect([check.overall, check.devices.map(({ outcome, state }) => [outcome, state])]).toEqual([
      "no-effect",
      [
        ["no-effect", undefined],
        ["no-effect", "pre-active"],
      ],
    ]);
    expect(simulator.devices("TestAccount-1").map((device) => device.state)).toEqual(["PRE-ACTIVE"]);
  });

  it("a goToState whose answer was lost: took effect for the devices now in the requested state", async () => {
    const { client, simulator } = await setup();
    const sent = devices(2);
    await client.activateDevices({ ...plan, devices: sent });
    simulator.setFaults({ resetConnection: { operation: "goToState", afterEffect: true, times: 1 } });
    const error = await client
      .goToState({ ...plan, serviceName: "Fleet", stateName: "In service", devices: sent })
      .catch((e: unknown) => e);
    const check = await client.checkOutcome(error as OutcomeUnknownError);
    expect([check.operationId, check.overall, check.devices.map(({ state }) => state)]).toEqual([
      "goToState",
      "took-effect",
      ["In service", "In service"],
    ]);
  });

  it("refuses an error that names no devices, saying what to check instead", async () => {
    const { client, simulator } = await setup();
    simulator.setFaults({ resetConnection: { operation: "registerCallback", afterEffect: true, times: 1 } });
    const error = await client
      .registerCallback({ name: "CarrierService", url: "https://listener.example/cb" })
      .catch((e: unknown) => e);
    await expect(client.checkOutcome(error as OutcomeUnknownError)).rejects.toThrow(
      "checkOutcome looks up the devices of add, activate and goToState calls; " +
        `POST /api/m2m/v1/callbacks/TestAccount-1 has none. Before sending it again, list the account's callback ` +
        "registrations (client.listCallbacks()).",
    );
  });
});

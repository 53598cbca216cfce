import { describe, expect, it, vi } from "vitest";
import { createThingSpaceClient } from "../../../src/client/client.js";
import { ValidationError } from "../../../src/client/errors.js";
import {
  activatePlan,
  device,
  devices,
  mockedClient,
  offlineClient,
  testAccount,
  useMswServer,
} from "./helpers/test-client.js";
import { testBaseUrl, testCredentials } from "./helpers/mock-thing-space.js";
import { specExample } from "../../support/spec-document.js";

const server = useMswServer();

describe("validation before sending", () => {
  it("an invalid activate body throws a ValidationError listing every violation, and nothing is sent", async () => {
    const { client, fetch } = offlineClient();
    const body = {
      ...activatePlan,
      mdnZipCode: "9880",
      publicIpRestriction: "open",
      devices: [{ deviceIds: [{ kind: "imei", id: "12" }] }, { deviceIds: [{ kind: "phone", id: "1" }] }],
    };
    // @ts-expect-error publicIpRestriction and the second kind are outside the spec's enums
    const error = await client.activateDevices(body).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).operation).toBe("activateDevices");
    expect((error as ValidationError).violations).toEqual([
      {
        path: "/devices/0/deviceIds/0/id",
        rule: "pattern",
        message: "/devices/0/deviceIds/0/id must be 15 or 16 digits (an IMEI)",
      },
      {
        path: "/devices/1/deviceIds/0/kind",
        rule: "enum",
        message:
          '/devices/1/deviceIds/0/kind must be one of "esn", "meid", "imei", "iccid", "eid", "mdn", "msisdn", "imsi", "min"',
        allowed: ["esn", "meid", "imei", "iccid", "eid", "mdn", "msisdn", "imsi", "min"],
      },
      { path: "/mdnZipCode", rule: "pattern", message: "/mdnZipCode must be a five-digit ZIP code" },
      {
        path: "/publicIpRestriction",
        rule: "enum",
        message: '/publicIpRestriction must be one of "restricted", "unrestricted"',
        allowed: ["restricted", "unrestricted"],
      },
    ]);
    expect((error as Error).message).toBe(
      "Invalid activateDevices request (4 violations); nothing was sent:\n" +
        "- /devices/0/deviceIds/0/id must be 15 or 16 digits (an IMEI) [pattern]\n" +
        '- /devices/1/deviceIds/0/kind must be one of "esn", "meid", "imei", "iccid", "eid", "mdn", "msisdn", "imsi", "min" [enum]\n' +
        "- /mdnZipCode must be a five-digit ZIP code [pattern]\n" +
        '- /publicIpRestriction must be one of "restricted", "unrestricted" [enum]',
    );
    expect(fetch).not.toHaveBeenCalled();
  });

  it.each([
    [
      "addDevices",
      (c: ReturnType<typeof offlineClient>["client"]) =>
        c.addDevices({ devicesToAdd: devices(201), state: "preactive" }),
      "/devicesToAdd",
      "maxItems",
    ],
    [
      "goToState",
      (c: ReturnType<typeof offlineClient>["client"]) =>
        // @ts-expect-error stateName is required
        c.goToState({ devices: devices(1), serviceName: "svc", servicePlan: "m2m4g", mdnZipCode: "98801" }),
      "/stateName",
      "required",
    ],
    [
      "registerCallback",
      (c: ReturnType<typeof offlineClient>["client"]) =>
        c.registerCallback({ name: "CarrierService", url: "ftp://listener.example/cb" }),
      "/url",
      "pattern",
    ],
  ] as const)("%s refuses an invalid body without a network call", async (operation, call, path, rule) => {
    const { client, fetch } = offlineClient();
    const error = await call(client).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect(error).toMatchObject({ operation, violations: [{ path, rule }] });
    expect(fetch).not.toHaveBeenCalled();
  });

  it("a call on an account without accountName (and no default) is refused before sending", async () => {
    const fetch = vi.fn(async () => new Response(null, { status: 500 }));
    const client = createThingSpaceClient({ baseUrl: testBaseUrl, credentials: testCredentials, fetch });
    await expect(client.listCallbacks()).rejects.toMatchObject({
      name: "ValidationError",
      violations: [{ path: "/accountName", rule: "required" }],
    });
    expect(fetch).not.toHaveBeenCalled();
  });

  it("credentials that cannot be a valid login are refused when the client is created", () => {
    expect(() =>
      createThingSpaceClient({ baseUrl: testBaseUrl, credentials: { ...testCredentials, password: "" } }),
    ).toThrow(ValidationError);
  });

  it("validate: false sends the body as it is, so ThingSpace's own answer comes back", async () => {
    const { client, thingSpace } = mockedClient(server, { validate: false });
    const body = { ...activatePlan, mdnZipCode: "9880", devices: devices(1) };
    await expect(client.activateDevices(body)).resolves.toMatchObject({ requestId: expect.any(String) });
    expect(thingSpace.calls("/devices/actions/activate")[0]!.body).toMatchObject({ mdnZipCode: "9880" });
  });

  it("a device action's validate option overrides the client's for that call only", async () => {
    const { client, thingSpace } = mockedClient(server);
    const body = { ...activatePlan, mdnZipCode: "9880", devices: devices(1) };
    await expect(client.activateDevices(body, { validate: false })).resolves.toMatchObject({
      requestId: expect.any(String),
    });
    await expect(client.activateDevices(body)).rejects.toBeInstanceOf(ValidationError);
    expect(thingSpace.calls("/devices/actions/activate")).toHaveLength(1);
    const unchecking = mockedClient(server, { validate: false });
    await expect(unchecking.client.activateDevices(body, { validate: true })).rejects.toBeInstanceOf(ValidationError);
    expect(unchecking.thingSpace.calls("/devices/actions/activate")).toHaveLength(0);
  });

  it("fills accountName from the client's default where the body takes one, and keeps an explicit one", async () => {
    const { client, thingSpace } = mockedClient(server);
    await client.activateDevices({ ...activatePlan, devices: [device(1)] });
    await client.addDevices({ ...specExample("AddDevicesTwo4GDevices"), accountName: "TestAccount-2" });
    await client.listCallbacks({ accountName: "0000000001-00001" });
    await client.deleteCallback("CarrierService");

    expect(thingSpace.calls("/devices/actions/activate")[0]!.body).toMatchObject({ accountName: testAccount });
    expect(thingSpace.calls("/devices/actions/add")[0]!.body).toMatchObject({ accountName: "TestAccount-2" });
    expect(thingSpace.calls("/callbacks/:accountName")[0]!.realPath).toBe("/callbacks/0000000001-00001");
    expect(thingSpace.calls("/callbacks/:accountName/name/:serviceName")[0]!.realPath).toBe(
      `/callbacks/${testAccount}/name/CarrierService`,
    );
  });

  it("every request example of the spec passes validation and is sent unchanged", async () => {
    const { client, thingSpace } = mockedClient(server);
    const activate = specExample<Parameters<typeof client.activateDevices>[0]>("ActivateDevicesWithIpAddresses");
    const goToState = specExample<Parameters<typeof client.goToState>[0]>("GoToStateTwoDevices");
    await client.activateDevices(activate);
    await client.goToState(goToState);
    expect(thingSpace.calls("/devices/actions/activate")[0]!.body).toEqual({ accountName: testAccount, ...activate });
    expect(thingSpace.calls("/devices/actions/goToState")[0]!.body).toEqual(goToState);
  });
});

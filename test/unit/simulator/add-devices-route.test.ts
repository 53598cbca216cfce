import { describe, expect, it } from "vitest";
import { specExample } from "../../support/spec-document.js";
import { activateBody, simulatorHarness, testDevices } from "./simulator-harness.js";

describe("simulator addDevices", () => {
  it("adds the spec's example devices in PRE-ACTIVE and answers one result per device", async () => {
    const { m2m, simulator } = simulatorHarness();
    const response = await m2m("POST", "/devices/actions/add", specExample("AddDevicesTwo4GDevices"));
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual([
      {
        deviceIds: [
          { kind: "imei", id: "990013907835573" },
          { kind: "iccid", id: "89141390780800784259" },
        ],
        response: "Success",
      },
      {
        deviceIds: [
          { kind: "imei", id: "990013907884259" },
          { kind: "iccid", id: "89141390780800735573" },
        ],
        response: "Success",
      },
    ]);
    expect(simulator.devices("0868924207-00001")).toEqual([
      {
        accountName: "0868924207-00001",
        deviceIds: [
          { kind: "imei", id: "990013907835573" },
          { kind: "iccid", id: "89141390780800784259" },
        ],
        state: "PRE-ACTIVE",
        groupName: "West Region",
        customFields: [{ key: "CustomField2", value: "SuperVend" }],
      },
      {
        accountName: "0868924207-00001",
        deviceIds: [
          { kind: "imei", id: "990013907884259" },
          { kind: "iccid", id: "89141390780800735573" },
        ],
        state: "PRE-ACTIVE",
        groupName: "West Region",
        customFields: [{ key: "CustomField2", value: "SuperVend" }],
      },
    ]);
  });

  it("puts devices of a request without accountName in TestAccount-1", async () => {
    const { m2m, simulator } = simulatorHarness();
    await m2m("POST", "/devices/actions/add", { devicesToAdd: testDevices(1), state: "preactive" });
    expect(simulator.devices("TestAccount-1").map((device) => device.state)).toEqual(["PRE-ACTIVE"]);
    expect(simulator.devices("TestAccount-2")).toEqual([]);
  });

  it("answers INPUT_INVALID.NumberofDevices above 200 devices, before any other check", async () => {
    const { m2m, simulator } = simulatorHarness();
    // No `state` either: the count still wins, as on ThingSpace.
    const response = await m2m("POST", "/devices/actions/add", { devicesToAdd: testDevices(201) });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      errorCode: "INPUT_INVALID.NumberofDevices",
      errorMessage: "/devicesToAdd has 201 devices; add takes at most 200 per request.",
    });
    expect(simulator.devices()).toEqual([]);
    expect(
      (await m2m("POST", "/devices/actions/add", { devicesToAdd: testDevices(200), state: "preactive" })).status,
    ).toBe(200);
  });

  it("answers ThingSpace's identifier codes for a bad kind or a bad identifier", async () => {
    const { m2m } = simulatorHarness();
    const kind = await m2m("POST", "/devices/actions/add", {
      devicesToAdd: [{ deviceIds: [{ kind: "serial", id: "1" }] }],
      state: "preactive",
    });
    expect(((await kind.json()) as { errorCode: string }).errorCode).toBe("INPUT_INVALID.Device.Kind.Invalid");
    const id = await m2m("POST", "/devices/actions/add", {
      devicesToAdd: [{ deviceIds: [{ kind: "imei", id: "12" }] }],
      state: "preactive",
    });
    expect(await id.json()).toEqual({
      errorCode: "INPUT_INVALID.Device.Identifier.Invalid",
      errorMessage:
        "The request body does not match the API:\n- /devicesToAdd/0/deviceIds/0/id must be 15 or 16 digits (an IMEI) [pattern]",
    });
  });

  it("reports a device already in service instead of changing it", async () => {
    const { m2m, simulator } = simulatorHarness();
    await m2m("POST", "/devices/actions/activate", activateBody(testDevices(1)));
    const response = await m2m("POST", "/devices/actions/add", { devicesToAdd: testDevices(2), state: "preactive" });
    expect(((await response.json()) as { response: string }[]).map((result) => result.response)).toEqual([
      "Device is already in account TestAccount-1 in state ACTIVE.",
      "Success",
    ]);
    expect(simulator.devices("TestAccount-1").map((device) => device.state)).toEqual(["ACTIVE", "PRE-ACTIVE"]);
  });
});

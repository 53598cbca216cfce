import { describe, expect, it } from "vitest";
import { simulatorHarness } from "./simulator-harness.js";

describe("simulator callback registration", () => {
  it("registers per account, lists URLs and credentials as ThingSpace does, replaces and deletes", async () => {
    const { m2m, simulator } = simulatorHarness();
    const registered = await m2m("POST", "/callbacks/0868924207-00001", {
      name: "CarrierService",
      url: "https://listener.example/carrier",
      username: "cb-user",
      password: "cb-pass",
    });
    expect(registered.status).toBe(200);
    expect(await registered.json()).toEqual({ accountName: "0868924207-00001", serviceName: "CarrierService" });
    await m2m("POST", "/callbacks/0868924207-00001", { name: "CarrierService", url: "https://listener.example/v2" });
    await m2m("POST", "/callbacks/TestAccount-2", { name: "StateService", url: "https://listener.example/state" });

    await m2m("POST", "/callbacks/TestAccount-2", {
      name: "DeviceUsage",
      url: "https://listener.example/usage",
      username: "usage-user",
      password: "usage-pass",
    });

    const listed = await m2m("GET", "/callbacks/0868924207-00001");
    expect(await listed.json()).toEqual([
      {
        accountName: "0868924207-00001",
        serviceName: "CarrierService",
        url: "https://listener.example/v2",
        username: "",
        password: "",
      },
    ]);
    expect(await (await m2m("GET", "/callbacks/TestAccount-2")).json()).toEqual([
      {
        accountName: "TestAccount-2",
        serviceName: "StateService",
        url: "https://listener.example/state",
        username: "",
        password: "",
      },
      {
        accountName: "TestAccount-2",
        serviceName: "DeviceUsage",
        url: "https://listener.example/usage",
        username: "usage-user",
        password: "usage-pass",
      },
    ]);
    // Inspection leaves the credentials out.
    expect(simulator.callbackRegistrations("TestAccount-2")).toEqual([
      { accountName: "TestAccount-2", serviceName: "StateService", url: "https://listener.example/state" },
      { accountName: "TestAccount-2", serviceName: "DeviceUsage", url: "https://listener.example/usage" },
    ]);

    const deleted = await m2m("DELETE", "/callbacks/0868924207-00001/name/CarrierService");
    expect(await deleted.json()).toEqual({ accountName: "0868924207-00001", serviceName: "CarrierService" });
    expect(simulator.callbackRegistrations("0868924207-00001")).toEqual([]);
  });

  it("checks the registration with the spec's validator", async () => {
    const { m2m } = simulatorHarness();
    const response = await m2m("POST", "/callbacks/TestAccount-1", { name: "", url: "ftp://x" });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      errorCode: "REQUEST_FAILED.UnexpectedError",
      errorMessage:
        "The request body does not match the API:\n" +
        '- /name must be one of "CarrierService", "NiddService", "StateService" [enum]\n' +
        "- /name must be at least 1 character(s) [minLength]\n" +
        "- /name must satisfy one of the alternatives listed with it [anyOf]\n" +
        "- /url must be an absolute http:// or https:// URL [pattern]",
    });
  });

  it("refuses a misspelt typed service, naming the one it probably means", async () => {
    const { m2m, simulator } = simulatorHarness();
    const response = await m2m("POST", "/callbacks/TestAccount-1", {
      name: "CarrierSevice",
      url: "https://listener.example/carrier",
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      errorCode: "INPUT_INVALID.ServiceName.Invalid",
      errorMessage:
        '/name "CarrierSevice" looks like a misspelling of "CarrierService": use "CarrierService" ' +
        "(the typed services are CarrierService, NiddService, StateService; " +
        "other ThingSpace services, such as DeviceUsage, are accepted as they are)",
    });
    expect(simulator.callbackRegistrations("TestAccount-1")).toEqual([]);
  });

  it("refuses to delete a service that is not registered", async () => {
    const { m2m } = simulatorHarness();
    const response = await m2m("DELETE", "/callbacks/TestAccount-1/name/StateService");
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      errorCode: "REQUEST_FAILED.Callback.NotRegistered",
      errorMessage:
        "No StateService callback is registered for account TestAccount-1; GET /callbacks/TestAccount-1 lists them.",
    });
  });
});

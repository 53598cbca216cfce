import { describe, expect, it } from "vitest";
import { simulatorHarness } from "./simulator-harness.js";

describe("simulator callback registration", () => {
  it("registers per account, lists URLs without credentials, replaces and deletes", async () => {
    const { m2m, simulator } = simulatorHarness();
    const registered = await m2m("POST", "/callbacks/0868924207-00001", {
      name: "CarrierService",
      url: "https://listener.example/carrier",
      username: "cb-user",
      password: "cb-pass",
    });
    expect(registered.status).toBe(200);
    expect(await registered.json()).toEqual({ accountName: "0868924207-00001", name: "CarrierService" });
    await m2m("POST", "/callbacks/0868924207-00001", { name: "CarrierService", url: "https://listener.example/v2" });
    await m2m("POST", "/callbacks/TestAccount-2", { name: "StateService", url: "https://listener.example/state" });

    const listed = await m2m("GET", "/callbacks/0868924207-00001");
    const text = await listed.text();
    expect(JSON.parse(text)).toEqual([
      { accountName: "0868924207-00001", name: "CarrierService", url: "https://listener.example/v2" },
    ]);
    expect(text).not.toContain("cb-pass");
    expect(simulator.callbackRegistrations("TestAccount-2")).toEqual([
      { accountName: "TestAccount-2", name: "StateService", url: "https://listener.example/state" },
    ]);

    const deleted = await m2m("DELETE", "/callbacks/0868924207-00001/name/CarrierService");
    expect(await deleted.json()).toEqual({ accountName: "0868924207-00001", serviceName: "CarrierService" });
    expect(simulator.callbackRegistrations("0868924207-00001")).toEqual([]);
  });

  it("checks the registration with the spec's validator", async () => {
    const { m2m } = simulatorHarness();
    const response = await m2m("POST", "/callbacks/TestAccount-1", { name: "BillingService", url: "ftp://x" });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      errorCode: "REQUEST_FAILED.UnexpectedError",
      errorMessage:
        "The request body does not match the API:\n" +
        '- /name must be one of "CarrierService", "NiddService", "StateService" [enum]\n' +
        "- /url must be an absolute http:// or https:// URL [pattern]",
    });
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

// What a lookup finds against each request's aim (an add: the device exists; an activation: it
// is in service; a goToState: it is in the requested state), and which of those findings mean
// the request took effect: the one table checkOutcome and the command's settling both read.
import { describe, expect, it } from "vitest";
import { createThingSpaceClient, effectOfFinding, type LookUpOptions } from "../../../src/index.js";

/** A device with one IMEI; ids 100 apart share no prefix, so each gets a `deviceId` query of its own. */
const device = (n: number) => ({ deviceIds: [{ kind: "imei" as const, id: String(990_000_000_000_000 + n * 100) }] });

/** A client whose ThingSpace lists device `n` in `listed[n]` (undefined: not listed at all). */
function clientListing(listed: (string | undefined)[]) {
  const byImei = new Map(listed.map((state, n) => [device(n).deviceIds[0]!.id, state]));
  return createThingSpaceClient({
    baseUrl: "http://thingspace.test/api",
    accessToken: () => "bearer",
    sessionToken: () => "session",
    fetch: async (request) => {
      const { deviceId } = (await request.json()) as { deviceId: { kind: string; id: string } };
      const state = byImei.get(deviceId.id);
      const devices =
        state === undefined
          ? []
          : [{ deviceIds: [deviceId], carrierInformations: [{ carrierName: "Verizon", state }] }];
      return Response.json({ hasMoreData: false, devices }, { status: 202 });
    },
  });
}

/** Each device's finding and what it says of the request, for devices listed as `listed` says. */
async function findings(listed: (string | undefined)[], options: LookUpOptions) {
  const results = await clientListing(listed).lookUpDevices(
    listed.map((_, n) => device(n)),
    options,
  );
  return results.map((result) => [result.state, result.found, effectOfFinding[result.found]]);
}

describe("lookUpDevices' aim", () => {
  it("an add ({ exists: true }): a device listed in any state took effect; one not listed did not", async () => {
    expect(await findings(["pre-active", "active", "pending activation", undefined], { exists: true })).toEqual([
      ["pre-active", "in-state", "took-effect"],
      ["active", "in-state", "took-effect"],
      ["pending activation", "in-state", "took-effect"],
      [undefined, "not-found", "no-effect"],
    ]);
  });

  it("an activation (no aim given): in service took effect, pending activation is pending, pre-active or deactivated did not", async () => {
    expect(await findings(["active", "pending activation", "PRE-ACTIVE", "deactivated", undefined], {})).toEqual([
      ["active", "in-state", "took-effect"],
      ["pending activation", "pending", "pending"],
      ["PRE-ACTIVE", "other-state", "no-effect"],
      ["deactivated", "other-state", "no-effect"],
      [undefined, "not-found", "no-effect"],
    ]);
  });

  it("a goToState ({ expectedState }): the requested state, spelt in any case, took effect; another did not", async () => {
    const options = { expectedState: "In service" };
    expect(await findings(["in_service", "pending activation", "active", undefined], options)).toEqual([
      ["in_service", "in-state", "took-effect"],
      ["pending activation", "pending", "pending"],
      ["active", "other-state", "no-effect"],
      [undefined, "not-found", "no-effect"],
    ]);
  });

  it("takes one aim: exists and expectedState together do not compile", () => {
    // Never called: this line only has to not type-check.
    const misuse = (options: LookUpOptions) => options;
    // @ts-expect-error an add's aim (exists) and a goToState's (expectedState) exclude each other
    void misuse({ exists: true, expectedState: "In service" });
  });
});

describe("effectOfFinding", () => {
  it("maps every finding to what it says of the request, and cannot be changed", () => {
    expect(effectOfFinding).toEqual({
      "in-state": "took-effect",
      pending: "pending",
      "other-state": "no-effect",
      "not-found": "no-effect",
    });
    expect(Object.isFrozen(effectOfFinding)).toBe(true);
  });
});

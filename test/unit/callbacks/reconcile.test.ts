import { describe, expect, expectTypeOf, it } from "vitest";
import { createCallbackTracker } from "../../../src/callbacks/tracker.js";
import type { DeviceLookup, ExpectedDevice } from "../../../src/callbacks/reconcile.js";
import { parseCallback } from "../../../src/callbacks/parse.js";
import type { ThingSpaceClient } from "../../../src/client/client.js";
import { bundleInputs } from "../../support/bundle-inputs.js";
import { createFakeClock } from "./fake-clock.js";

type Finding = Awaited<ReturnType<DeviceLookup["lookUpDevices"]>>[number];

const device = (n: number) => ({ name: `d${n}`, deviceIds: [{ kind: "imei", id: String(990_000_000_000_000 + n) }] });
type Device = ReturnType<typeof device>;
const imeiOf = (d: ExpectedDevice) => d.deviceIds[0]!.id;

/** A lookup that answers from a table by IMEI and records its calls. */
function tableLookup(table: Record<string, Finding>, status?: string) {
  const calls: { imeis: string[]; options: Record<string, unknown> }[] = [];
  let failNext = 0;
  const lookup: DeviceLookup = {
    async lookUpDevices(devices, { signal: _signal, ...options }) {
      calls.push({ imeis: devices.map(imeiOf), options });
      if (failNext > 0) {
        failNext -= 1;
        throw new Error("ThingSpace answered 503");
      }
      return devices.map((d) => table[imeiOf(d)] ?? { found: "not-found" });
    },
    ...(status === undefined ? {} : { getRequestStatus: async () => ({ status }) }),
  };
  return { lookup, calls, failNextLookups: (count: number) => void (failNext = count) };
}

/** A CarrierService success for one device of `requestId`. */
function activated(requestId: string, n: number) {
  const result = parseCallback(
    {
      requestId,
      status: "Success",
      deviceIds: device(n).deviceIds,
      deviceResponse: { activateResponse: { deviceIds: device(n).deviceIds, state: "Active" } },
    },
    { service: "CarrierService" },
  );
  if (!result.ok) throw new Error("fixture is invalid");
  return result.callback;
}

describe("tracker.reconcile", () => {
  it("reports each missing device with what ThingSpace lists: succeeded, failed, pending or not found", async () => {
    const clock = createFakeClock();
    const { lookup, calls } = tableLookup(
      {
        [imeiOf(device(1))]: { found: "in-state", state: "active" },
        [imeiOf(device(2))]: { found: "other-state", state: "pre-active" },
        [imeiOf(device(3))]: { found: "pending", state: "pending activation" },
      },
      "Success",
    );
    const tracker = createCallbackTracker<Device>({ clock, lookup });
    tracker.expect("r1", [device(0), device(1), device(2), device(3), device(4)]);
    tracker.record(activated("r1", 0));

    const result = await tracker.reconcile();
    const summary = (outcomes: readonly { device: { name: string }; outcome: string; state?: string }[]) =>
      outcomes.map(({ device: d, outcome, state }) => [d.name, outcome, state]);
    expect(summary(result.reconciled)).toEqual([
      ["d1", "succeeded", "active"],
      ["d2", "failed", "pre-active"],
      ["d3", "pending", "pending activation"],
      ["d4", "not-found", undefined],
    ]);
    expect(result.failures).toEqual([]);
    expect(calls).toEqual([
      { imeis: [imeiOf(device(1)), imeiOf(device(2)), imeiOf(device(3)), imeiOf(device(4))], options: {} },
    ]);

    const report = tracker.report("r1")!;
    expect(report.reported.map((r) => [r.device.name, r.source, r.outcome])).toEqual([
      ["d0", "callback", "succeeded"],
      ["d1", "reconciliation", "succeeded"],
      ["d2", "reconciliation", "failed"],
      ["d3", "reconciliation", "pending"],
      ["d4", "reconciliation", "not-found"],
    ]);
    // The request's status is asked only for devices that did not change (d2, d4).
    expect(report.reported.map((r) => r.source === "reconciliation" && [r.requestStatus, r.reconciledAt])).toEqual([
      false,
      [undefined, clock.now()],
      ["Success", clock.now()],
      [undefined, clock.now()],
      ["Success", clock.now()],
    ]);
    expect(report.missing).toEqual([]);
    // Pending is not final: the request is not complete, and the next reconcile looks d3 up again.
    expect(report.complete).toBe(false);
    clock.advance(1_000);
    await tracker.reconcile();
    expect(calls[1]!.imeis).toEqual([imeiOf(device(3))]);
  });

  it("counts a device as pending while the request's status is Pending, even when the device has not changed yet", async () => {
    const { lookup } = tableLookup({ [imeiOf(device(0))]: { found: "other-state", state: "pre-active" } }, "Pending");
    const tracker = createCallbackTracker<Device>({ clock: createFakeClock(), lookup });
    tracker.expect("r1", [device(0), device(1)]);
    const { reconciled } = await tracker.reconcile();
    expect(reconciled.map(({ outcome, requestStatus }) => [outcome, requestStatus])).toEqual([
      ["pending", "Pending"],
      ["pending", "Pending"],
    ]);
  });

  it("reports a failed lookup and leaves its devices missing; the next reconcile retries them", async () => {
    const clock = createFakeClock();
    const { lookup, failNextLookups } = tableLookup({ [imeiOf(device(0))]: { found: "in-state", state: "active" } });
    const tracker = createCallbackTracker<Device>({ clock, lookup });
    tracker.expect("r1", [device(0)]);
    failNextLookups(1);
    const failed = await tracker.reconcile();
    expect(failed.reconciled).toEqual([]);
    expect(failed.failures.map(({ requestId, device: d, error }) => [requestId, d, (error as Error).message])).toEqual([
      ["r1", device(0), "ThingSpace answered 503"],
    ]);
    const report = tracker.report("r1")!;
    expect(report.missing).toEqual([device(0)]);
    expect(report.lookupFailures.map(({ device: d, error }) => [d, (error as Error).message])).toEqual([
      [device(0), "ThingSpace answered 503"],
    ]);

    const retry = tracker.reconcile();
    clock.advance(1_000); // the pause between two lookups
    expect((await retry).reconciled.map(({ outcome }) => outcome)).toEqual(["succeeded"]);
    expect(tracker.report("r1")).toMatchObject({ complete: true, missing: [], lookupFailures: [] });
  });

  it("looks devices up in batches of lookupBatchSize, lookupIntervalMs apart, grouping requests that share an aim", async () => {
    const clock = createFakeClock();
    const { lookup, calls } = tableLookup({});
    const tracker = createCallbackTracker<Device>({ clock, lookup, lookupBatchSize: 2, lookupIntervalMs: 5_000 });
    tracker.expect("r1", [device(0), device(1), device(2)]);
    tracker.expect("r2", [device(3)]);
    tracker.expect("r3", [device(4)], { expectedState: "In service", accountName: "0868924207-00001" });
    const done = tracker.reconcile();
    await Promise.resolve();
    expect(calls).toHaveLength(1);
    for (let i = 0; i < 2; i++) {
      clock.advance(4_999);
      await new Promise((resolve) => setImmediate(resolve));
      clock.advance(1);
      await new Promise((resolve) => setImmediate(resolve));
    }
    await done;
    expect(calls).toEqual([
      { imeis: [imeiOf(device(0)), imeiOf(device(1))], options: {} },
      { imeis: [imeiOf(device(2)), imeiOf(device(3))], options: {} },
      { imeis: [imeiOf(device(4))], options: { accountName: "0868924207-00001", expectedState: "In service" } },
    ]);
  });

  it("lets a callback that arrives after the reconciliation replace it", async () => {
    const { lookup } = tableLookup({ [imeiOf(device(0))]: { found: "pending", state: "pending activation" } });
    const tracker = createCallbackTracker<Device>({ clock: createFakeClock(), lookup });
    tracker.expect("r1", [device(0)]);
    await tracker.reconcile();
    expect(tracker.record(activated("r1", 0))).toBe("matched");
    const report = tracker.report("r1")!;
    expect([report.complete, report.reported.map((r) => [r.source, r.outcome])]).toEqual([
      true,
      [["callback", "succeeded"]],
    ]);
  });

  it("wait({ reconcile: true }) looks the missing devices up at the timeout and answers with them reported", async () => {
    const clock = createFakeClock();
    const { lookup } = tableLookup({ [imeiOf(device(1))]: { found: "in-state", state: "active" } });
    const tracker = createCallbackTracker<Device>({ clock, lookup });
    tracker.expect("r1", [device(0), device(1)]);
    tracker.record(activated("r1", 0));
    const waiting = tracker.waitAll({ timeoutMs: 60_000, reconcile: true });
    clock.advance(60_000);
    const report = await waiting;
    expect(report.complete).toBe(true);
    expect(report.missing).toEqual([]);
    expect(report.reported.map((r) => [r.device.name, r.source])).toEqual([
      ["d0", "callback"],
      ["d1", "reconciliation"],
    ]);
  });

  it("reconciles by itself once no callback has come for reconcileAfterMs, and again while devices stay pending", async () => {
    const clock = createFakeClock();
    const table: Record<string, Finding> = { [imeiOf(device(1))]: { found: "pending", state: "pending activation" } };
    const { lookup, calls } = tableLookup(table);
    const seen: string[][] = [];
    const tracker = createCallbackTracker<Device>({
      clock,
      lookup,
      reconcileAfterMs: 25 * 60_000,
      onReconcile: ({ reconciled }) => seen.push(reconciled.map(({ device: d, outcome }) => `${d.name} ${outcome}`)),
    });
    tracker.expect("r1", [device(0), device(1)]);
    const settle = () => new Promise((resolve) => setImmediate(resolve));
    clock.advance(20 * 60_000);
    tracker.record(activated("r1", 0)); // a callback restarts the quiet time
    clock.advance(5 * 60_000);
    await settle();
    expect(calls).toHaveLength(0);
    clock.advance(20 * 60_000);
    await settle();
    expect(seen).toEqual([["d1 pending"]]);
    table[imeiOf(device(1))] = { found: "in-state", state: "active" };
    const done = tracker.wait("r1", { timeoutMs: 24 * 60 * 60_000 });
    clock.advance(25 * 60_000);
    await settle();
    clock.advance(1_000);
    expect((await done).reported.map((r) => [r.device.name, r.source, r.outcome])).toEqual([
      ["d0", "callback", "succeeded"],
      ["d1", "reconciliation", "succeeded"],
    ]);
    expect(seen).toEqual([["d1 pending"], ["d1 succeeded"]]);
    tracker.close();
    expect(clock.pendingTimers).toBe(0);
  });

  it("rejects reconcile without a lookup, saying how to give one", async () => {
    await expect(createCallbackTracker().reconcile()).rejects.toThrow(
      "reconcile needs a lookup: createCallbackTracker({ lookup: client }) or tracker.reconcile({ lookup: client })",
    );
  });

  it("takes the ThingSpace client as its lookup, without the callbacks entry importing the client", async () => {
    expectTypeOf<ThingSpaceClient>().toExtend<DeviceLookup>();
    const inputs = await bundleInputs("src/callbacks/index.ts");
    expect(inputs).toContain("src/callbacks/tracker.ts");
    expect(inputs.filter((input) => input.startsWith("src/client/"))).toEqual([]);
  });
});

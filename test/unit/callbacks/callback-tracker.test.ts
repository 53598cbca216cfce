import { describe, expect, it } from "vitest";
import { createCallbackTracker } from "../../../src/callbacks/tracker.js";
import { parseCallback } from "../../../src/callbacks/parse.js";
import type { CallbackService, ParsedCallback } from "../../../src/callbacks/types.js";
import { specExample } from "../../support/spec-document.js";
import { createFakeClock } from "./fake-clock.js";

type Body = Record<string, any>;

function callback(example: string, service: CallbackService, change: (body: Body) => void = () => {}): ParsedCallback {
  const body = specExample<Body>(example);
  change(body);
  const result = parseCallback(body, { service });
  if (!result.ok) throw new Error(`fixture ${example} is invalid`);
  return result.callback;
}

const requestId = "595f5c44-c31c-4552-8670-020a1545a84d";
// As the request named them: IMEI and ICCID, kinds in lower case.
const activated = {
  name: "activated",
  deviceIds: [
    { kind: "imei", id: "352452060026934" },
    { kind: "iccid", id: "89148000001024124999" },
  ],
};
const failed = {
  name: "failed",
  deviceIds: [
    { kind: "imei", id: "990013907884259" },
    { kind: "iccid", id: "89141390780800784259" },
  ],
};

describe("createCallbackTracker", () => {
  it("matches callbacks to devices by any shared identifier, kinds in any case", async () => {
    const tracker = createCallbackTracker<typeof activated>();
    tracker.expect(requestId, [activated, failed]);
    expect(tracker.record(callback("CarrierServiceActivateSucceeded", "CarrierService"))).toBe("matched");
    expect(tracker.report(requestId)).toMatchObject({ complete: false, missing: [failed] });
    expect(tracker.record(callback("CarrierServiceActivateFailed", "CarrierService"))).toBe("matched");
    const report = await tracker.wait(requestId, { timeoutMs: 60_000 });
    expect(report.complete).toBe(true);
    expect(report.timedOut).toBe(false);
    expect(report.missing).toEqual([]);
    expect(
      report.reported.map((r) => [r.device.name, r.source, r.outcome, r.source === "callback" && r.callback.kind]),
    ).toEqual([
      ["activated", "callback", "succeeded", "activateSucceeded"],
      ["failed", "callback", "failed", "activateFailed"],
    ]);
  });

  it("matches on an identifier reported only inside the response (the ICCID of an activation)", () => {
    const tracker = createCallbackTracker();
    tracker.expect(requestId, [{ deviceIds: [{ kind: "iccid", id: "89148000001024124378" }] }]);
    expect(tracker.record(callback("CarrierServiceActivateSucceeded", "CarrierService"))).toBe("matched");
    expect(tracker.report(requestId)?.complete).toBe(true);
  });

  it("resolves a wait as soon as the last device reports", async () => {
    const clock = createFakeClock();
    const tracker = createCallbackTracker({ clock });
    tracker.expect(requestId, [activated]);
    const waiting = tracker.wait(requestId, { timeoutMs: 60_000 });
    tracker.record(callback("CarrierServiceActivateSucceeded", "CarrierService"));
    expect((await waiting).complete).toBe(true);
    expect(clock.pendingTimers).toBe(0);
  });

  it("gives up at the timeout with the devices still missing", async () => {
    const clock = createFakeClock();
    const tracker = createCallbackTracker({ clock });
    tracker.expect(requestId, [activated, failed]);
    tracker.record(callback("CarrierServiceActivateSucceeded", "CarrierService"));
    const waiting = tracker.wait(requestId, { timeoutMs: 60_000 });
    clock.advance(60_000);
    const report = await waiting;
    expect(report).toMatchObject({ complete: false, timedOut: true, missing: [failed] });
    expect(report.reported).toHaveLength(1);
  });

  it("counts a redelivered callback once", () => {
    const tracker = createCallbackTracker();
    tracker.expect(requestId, [activated, failed]);
    const message = callback("CarrierServiceActivateSucceeded", "CarrierService");
    expect(tracker.record(message)).toBe("matched");
    expect(
      tracker.record(
        callback("CarrierServiceActivateSucceeded", "CarrierService", (b) => {
          b.callbackCount = 2;
        }),
      ),
    ).toBe("duplicate");
    expect(tracker.report(requestId)?.reported.map((r) => r.source === "callback" && r.callback)).toEqual([message]);
  });

  it("files NIDD messages with their device without completing it", () => {
    const niddRequest = "3c5eef41-011c-4c20-8780-f4031180141b";
    const tracker = createCallbackTracker();
    tracker.expect(niddRequest, [{ deviceIds: [{ kind: "imei", id: "9996201900000000000345" }] }]);
    expect(tracker.record(callback("NiddServiceConfigCreated", "NiddService"))).toBe("matched");
    expect(tracker.report(niddRequest)?.complete).toBe(false);
    const activation = callback("CarrierServiceActivateSucceeded", "CarrierService", (b) => {
      b.requestId = niddRequest;
      b.deviceIds = [{ kind: "IMEI", id: "9996201900000000000345" }];
    });
    tracker.record(activation);
    const report = tracker.report(niddRequest)!;
    expect(report.complete).toBe(true);
    expect(report.reported[0]!.nidd.map((c) => c.kind)).toEqual(["niddConfigCreated"]);
  });

  it("keeps callbacks that match no expected device as unexpected", () => {
    const tracker = createCallbackTracker();
    tracker.expect(requestId, [failed]);
    expect(tracker.record(callback("CarrierServiceActivateSucceeded", "CarrierService"))).toBe("unexpected");
    expect(tracker.report(requestId)?.unexpected.map((c) => c.deviceKey)).toEqual(["imei:352452060026934"]);
  });

  it("buffers a callback that outruns its request's registration, and replays it", () => {
    const tracker = createCallbackTracker();
    expect(tracker.record(callback("CarrierServiceActivateSucceeded", "CarrierService"))).toBe("buffered");
    tracker.expect(requestId, [activated]);
    expect(tracker.report(requestId)?.complete).toBe(true);
  });

  it("drops the oldest buffered callbacks beyond maxBuffered", () => {
    const tracker = createCallbackTracker({ maxBuffered: 1 });
    tracker.record(callback("CarrierServiceActivateSucceeded", "CarrierService"));
    tracker.record(callback("CarrierServiceActivateFailed", "CarrierService"));
    tracker.expect(requestId, [activated, failed]);
    expect(tracker.report(requestId)?.missing).toEqual([activated]);
  });

  it("registers accepted batch chunks and skips failed ones", async () => {
    const clock = createFakeClock();
    const tracker = createCallbackTracker({ clock });
    expect(tracker.expectChunk({ requestId, status: "accepted", devices: [activated] })).toBe(true);
    expect(tracker.expectChunk({ status: "failed", devices: [failed] })).toBe(false);
    expect(tracker.expectChunk({ requestId: "r-skipped", status: "skipped", devices: [failed] })).toBe(false);
    const all = tracker.waitAll({ timeoutMs: 1_000 });
    tracker.record(callback("CarrierServiceActivateSucceeded", "CarrierService"));
    const report = await all;
    expect(report.complete).toBe(true);
    expect(report.requests.map((r) => r.requestId)).toEqual([requestId]);
    expect(report.reported).toHaveLength(1);
    expect(report.missing).toEqual([]);
  });

  it("rejects a wait for a requestId never registered, naming it", async () => {
    await expect(createCallbackTracker().wait("nope", { timeoutMs: 1 })).rejects.toThrow(
      "requestId nope was never registered with expect() or expectChunk()",
    );
  });

  it("forgets a request", () => {
    const tracker = createCallbackTracker();
    tracker.expect(requestId, [activated]);
    tracker.forget(requestId);
    expect(tracker.report(requestId)).toBeUndefined();
  });
});

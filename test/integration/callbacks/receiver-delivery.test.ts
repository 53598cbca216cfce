import { afterEach, describe, expect, it, vi } from "vitest";
import {
  callbackDedupeKey,
  createCallbackTracker,
  type CallbackErrorDetails,
  type CallbackService,
  type ParsedCallback,
} from "../../../src/callbacks/index.js";
import { specExample } from "../../support/spec-document.js";
import { createFakeClock } from "../../unit/callbacks/fake-clock.js";
import { gate, observedStore, post, startReceiver, type Answer, type Receiver } from "./receiver-server.js";

const registered = { username: "thingspace", password: "s3cret-callback-password" };
const signed = (example: string, change: Record<string, unknown> = {}) => ({
  ...specExample<object>(example),
  ...registered,
  ...change,
});

/** Resolves once `copy` waits on the store; fails at once if `copy` was answered instead. */
function waitingOrAnswered(observed: ReturnType<typeof observedStore>, copy: Promise<Answer>): Promise<void> {
  const answered = copy.then((answer) => {
    throw new Error(`the copy was answered ${answer.status} ${answer.text} before the copy being handled settled`);
  });
  return Promise.race([observed.waited(1), answered]);
}

let receiver: Receiver | undefined;
afterEach(async () => {
  await receiver?.close();
  receiver = undefined;
});

describe("the receiver hands the pages' examples to the right handler", () => {
  it.each([
    { example: "CarrierServiceActivateSucceeded", service: "CarrierService", kind: "activateSucceeded" },
    { example: "CarrierServiceActivateFailed", service: "CarrierService", kind: "activateFailed" },
    { example: "NiddServiceConfigCreated", service: "NiddService", kind: "niddConfigCreated" },
    { example: "NiddServiceConfigFailed", service: "NiddService", kind: "niddConfigFailed" },
    { example: "StateServiceGoToStateSucceeded", service: "StateService", kind: "goToStateSucceeded" },
  ] as { example: string; service: CallbackService; kind: ParsedCallback["kind"] }[])(
    "$example → $kind",
    async ({ example, service, kind }) => {
      const received: ParsedCallback[] = [];
      receiver = await startReceiver({
        credentials: registered,
        service,
        onCallback: (callback) => void received.push(callback),
      });
      const answer = await post(receiver.url, signed(example));
      expect(answer.status).toBe(200);
      expect(answer.json).toEqual({
        status: "handled",
        kind,
        requestId: (specExample(example) as { requestId: string }).requestId,
      });
      expect(received.map((c) => c.kind)).toEqual([kind]);
      expect(answer.text).not.toContain(registered.password);
    },
  );

  it("accepts the pages' examples verbatim (empty or example credentials) only with the explicit opt-out", async () => {
    const kinds: string[] = [];
    receiver = await startReceiver({
      dangerouslyAcceptUnauthenticatedCallbacks: true,
      onCallback: (c) => void kinds.push(c.kind),
    });
    for (const example of [
      "CarrierServiceActivateSucceeded",
      "CarrierServiceActivateFailed",
      "NiddServiceConfigCreated",
      "StateServiceGoToStateSucceeded",
    ]) {
      expect((await post(receiver.url, specExample(example))).status).toBe(200);
    }
    expect(kinds).toEqual(["activateSucceeded", "deviceFailed", "niddConfigCreated", "goToStateSucceeded"]);
  });

  it("runs the kind's handler, then onCallback, and answers 500 for a kind nobody handles", async () => {
    const order: string[] = [];
    const onError = vi.fn<(error: unknown, details: CallbackErrorDetails) => void>();
    receiver = await startReceiver({
      credentials: registered,
      handlers: { activateSucceeded: () => void order.push("activateSucceeded") },
      onError,
    });
    expect((await post(receiver.url, signed("CarrierServiceActivateSucceeded"))).status).toBe(200);
    const answer = await post(receiver.url, signed("StateServiceGoToStateSucceeded"));
    expect(answer.status).toBe(500);
    expect(answer.json).toEqual({
      error: "unhandled_kind",
      message: "this receiver has no handler for goToStateSucceeded callbacks",
    });
    expect(order).toEqual(["activateSucceeded"]);
    expect(onError.mock.calls[0]![1]).toEqual({
      stage: "handler",
      kind: "goToStateSucceeded",
      requestId: "595f5c44-c31c-4552-8670-020a1545a84d",
      deviceKey: "imei:16-digit IMEI",
    });
  });

  it("feeds a tracker, which completes when every device reported", async () => {
    const tracker = createCallbackTracker();
    const requestId = "595f5c44-c31c-4552-8670-020a1545a84d";
    tracker.expectChunk({
      requestId,
      status: "accepted",
      devices: [
        {
          deviceIds: [
            { kind: "imei", id: "352452060026934" },
            { kind: "iccid", id: "89148000001024124378" },
          ],
        },
        { deviceIds: [{ kind: "imei", id: "990013907884259" }] },
      ],
    });
    receiver = await startReceiver({
      credentials: registered,
      service: "CarrierService",
      onCallback: (callback) => tracker.record(callback),
    });
    await post(receiver.url, signed("CarrierServiceActivateSucceeded"));
    await post(receiver.url, signed("CarrierServiceActivateFailed"));
    const report = await tracker.wait(requestId, { timeoutMs: 60_000 });
    expect(report.complete).toBe(true);
    expect(report.reported.map((r) => r.outcome)).toEqual(["succeeded", "failed"]);
  });
});

describe("the receiver handles each callback once and loses none", () => {
  it("500 when the handler throws, then the redelivery is handled, then further copies are acknowledged without running it", async () => {
    let calls = 0;
    const onError = vi.fn<(error: unknown, details: CallbackErrorDetails) => void>();
    receiver = await startReceiver({
      credentials: registered,
      service: "CarrierService",
      handlers: {
        activateSucceeded: () => {
          if (++calls === 1) throw new Error(`database down (password ${registered.password})`);
        },
      },
      onError,
    });
    const first = await post(receiver.url, signed("CarrierServiceActivateSucceeded"));
    expect(first.status).toBe(500);
    expect(first.json).toEqual({
      error: "handler_failed",
      message: "the callback's handler failed; it will be handled when ThingSpace sends it again",
    });
    expect(first.text).not.toContain(registered.password);
    expect(onError).toHaveBeenCalledTimes(1);
    expect(onError.mock.calls[0]![1]).toMatchObject({ stage: "handler", kind: "activateSucceeded" });

    const second = await post(receiver.url, signed("CarrierServiceActivateSucceeded", { callbackCount: 2 }));
    expect(second.status).toBe(200);
    expect(second.json).toEqual({
      status: "handled",
      kind: "activateSucceeded",
      requestId: "595f5c44-c31c-4552-8670-020a1545a84d",
    });
    const third = await post(receiver.url, signed("CarrierServiceActivateSucceeded", { callbackCount: 3 }));
    expect(third.status).toBe(200);
    expect(third.json).toEqual({
      status: "duplicate",
      kind: "activateSucceeded",
      requestId: "595f5c44-c31c-4552-8670-020a1545a84d",
    });
    expect(calls).toBe(2);
  });

  it("tells apart callbacks of the same request by device and by kind", async () => {
    const seen: string[] = [];
    receiver = await startReceiver({
      credentials: registered,
      onCallback: (c) => void seen.push(`${c.kind} ${c.deviceKey}`),
    });
    await post(receiver.url, signed("CarrierServiceActivateSucceeded"));
    await post(
      receiver.url,
      signed("CarrierServiceActivateSucceeded", { deviceIds: [{ kind: "IMEI", id: "990013907835573" }] }),
    );
    await post(
      receiver.url,
      signed("CarrierServiceActivateFailed", {
        requestId: "595f5c44-c31c-4552-8670-020a1545a84d",
        deviceIds: [{ kind: "imei", id: "352452060026934" }],
      }),
    );
    await post(
      receiver.url,
      signed("CarrierServiceActivateSucceeded", { deviceIds: [{ kind: "imei", id: "352452060026934" }] }),
    );
    expect(seen).toEqual([
      "activateSucceeded imei:352452060026934",
      "activateSucceeded imei:990013907835573",
      "deviceFailed imei:352452060026934",
    ]);
  });

  it("makes a concurrent copy wait for the first and acknowledges it only after the first succeeded", async () => {
    const observed = observedStore();
    const slow = gate();
    let calls = 0;
    receiver = await startReceiver({
      credentials: registered,
      dedupeStore: observed.store,
      onCallback: () => (calls++, slow.enter()),
    });
    const first = post(receiver.url, signed("CarrierServiceActivateSucceeded"));
    await slow.reached;
    const second = post(receiver.url, signed("CarrierServiceActivateSucceeded", { callbackCount: 2 }));
    // The second copy waits on the first's outcome instead of acknowledging at once.
    await waitingOrAnswered(observed, second);
    expect(observed.claims).toEqual(["acquired", "in-progress"]);
    slow.open();
    expect((await first).json).toMatchObject({ status: "handled" });
    expect((await second).json).toMatchObject({ status: "duplicate" });
    expect(calls).toBe(1);
  });

  it("lets the waiting copy handle the callback itself when the first copy's handler fails", async () => {
    const observed = observedStore();
    const slow = gate();
    let calls = 0;
    receiver = await startReceiver({
      credentials: registered,
      dedupeStore: observed.store,
      onCallback: () => (++calls === 1 ? slow.enter() : undefined),
    });
    const first = post(receiver.url, signed("CarrierServiceActivateSucceeded"));
    await slow.reached;
    const second = post(receiver.url, signed("CarrierServiceActivateSucceeded", { callbackCount: 2 }));
    await waitingOrAnswered(observed, second);
    slow.fail(new Error("first copy failed"));
    expect((await first).status).toBe(500);
    const answer = await second;
    expect(answer.status).toBe(200);
    expect(answer.json).toMatchObject({ status: "handled" });
    expect(observed.claims).toEqual(["acquired", "in-progress", "acquired"]);
    expect(calls).toBe(2);
  });

  it("503 when handlers outlast the time budget; a redelivery waits, and is acknowledged once the handler finished", async () => {
    const clock = createFakeClock();
    const observed = observedStore();
    const hanging = gate();
    const onError = vi.fn<(error: unknown, details: CallbackErrorDetails) => void>();
    let calls = 0;
    receiver = await startReceiver({
      credentials: registered,
      clock,
      timeBudgetMs: 5_000,
      dedupeStore: observed.store,
      onError,
      onCallback: () => (calls++, hanging.enter()),
    });
    const first = post(receiver.url, signed("CarrierServiceActivateSucceeded"));
    await hanging.reached;
    clock.advance(5_000);
    const answer = await first;
    expect(answer.status).toBe(503);
    expect(answer.json).toEqual({
      error: "timeout",
      message: "the callback was not handled within 5000 ms; send it again later",
    });
    expect(onError.mock.calls[0]![1]).toEqual({ stage: "timeout" });

    const redelivery = post(receiver.url, signed("CarrierServiceActivateSucceeded", { callbackCount: 2 }));
    await waitingOrAnswered(observed, redelivery);
    clock.advance(5_000);
    expect((await redelivery).status).toBe(503);

    hanging.open();
    await observed.store.settled!(
      callbackDedupeKey({
        requestId: "595f5c44-c31c-4552-8670-020a1545a84d",
        deviceKey: "imei:352452060026934",
        kind: "activateSucceeded",
      }),
    );
    const last = await post(receiver.url, signed("CarrierServiceActivateSucceeded", { callbackCount: 3 }));
    expect(last.json).toMatchObject({ status: "duplicate" });
    expect(calls).toBe(1);
  });

  it("503 for a concurrent copy when a shared store cannot tell when the other holder settles", async () => {
    const handler = vi.fn();
    receiver = await startReceiver({
      credentials: registered,
      onCallback: handler,
      dedupeStore: {
        claim: async () => "in-progress",
        complete: async () => undefined,
        release: async () => undefined,
      },
    });
    const answer = await post(receiver.url, signed("CarrierServiceActivateSucceeded"));
    expect(answer.status).toBe(503);
    expect(answer.json).toEqual({
      error: "in_progress",
      message: "another copy of this callback is being handled; send it again later",
    });
    expect(handler).not.toHaveBeenCalled();
  });
});

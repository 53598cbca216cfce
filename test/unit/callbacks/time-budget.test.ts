// The receiver's time budget, seen from outside: the answer once the handlers settle, 503 once
// the budget has passed on the clock, and no timer left behind by an answered callback.
import { describe, expect, it } from "vitest";
import { createCallbackHandler } from "../../../src/callbacks/receiver.js";
import type { Clock } from "../../../src/shared/clock.js";
import { specExample } from "../../support/spec-document.js";
import { createFakeClock } from "./fake-clock.js";
import { credentials, signedCallback } from "./signed-callback.js";

const example = specExample<{ requestId: string }>("CarrierServiceActivateSucceeded");
const callbackRequest = () => signedCallback("CarrierServiceActivateSucceeded");
const nextMacrotask = () => new Promise((resolve) => setImmediate(resolve));

describe("the receiver's time budget", () => {
  it("gives the handlers' answer and cancels its timer", async () => {
    const clock = createFakeClock();
    const handler = createCallbackHandler({ credentials, clock, timeBudgetMs: 1_000, onCallback: () => undefined });
    const response = await handler(callbackRequest());
    expect([response.status, await response.json()]).toEqual([
      200,
      { status: "handled", kind: "activateSucceeded", requestId: example.requestId },
    ]);
    expect(clock.pendingTimers).toBe(0);
  });

  it("answers 503 once the budget has passed on the clock, not before", async () => {
    const clock = createFakeClock();
    let entered!: () => void;
    const reached = new Promise<void>((resolve) => (entered = resolve));
    const handler = createCallbackHandler({
      credentials,
      clock,
      timeBudgetMs: 1_000,
      onCallback: () => (entered(), new Promise(() => undefined)),
    });
    let answered = false;
    const pending = handler(callbackRequest()).finally(() => (answered = true));
    await reached;
    clock.advance(999);
    await nextMacrotask();
    expect(answered).toBe(false);
    clock.advance(1);
    const response = await pending;
    expect([response.status, await response.json()]).toEqual([
      503,
      { error: "timeout", message: "the callback was not handled within 1000 ms; send it again later" },
    ]);
    expect(clock.pendingTimers).toBe(0);
  });

  it("passes on the handlers' rejection as 500 and cancels its timer", async () => {
    const clock = createFakeClock();
    const handler = createCallbackHandler({
      credentials,
      clock,
      timeBudgetMs: 1_000,
      onCallback: () => Promise.reject(new Error("handler failed")),
    });
    const response = await handler(callbackRequest());
    expect([response.status, await response.json()]).toEqual([
      500,
      {
        error: "handler_failed",
        message: "the callback's handler failed; it will be handled when ThingSpace sends it again",
      },
    ]);
    expect(clock.pendingTimers).toBe(0);
  });

  it("uses the clock's own cancellable timer where it has one, and cancels it once answered", async () => {
    const started: number[] = [];
    let cancelled = 0;
    const clock: Clock = {
      now: () => 0,
      sleep: () => Promise.reject(new Error("sleep is not used when the clock has a timer")),
      timer: (ms) => (started.push(ms), () => void cancelled++),
    };
    const handler = createCallbackHandler({ credentials, clock, timeBudgetMs: 1_000, onCallback: () => undefined });
    expect((await handler(callbackRequest())).status).toBe(200);
    expect([started, cancelled]).toEqual([[1_000], 1]);
  });

  it("answers 503 on the system clock once the budget has passed", async () => {
    const handler = createCallbackHandler({
      credentials,
      timeBudgetMs: 20,
      onCallback: () => new Promise(() => undefined),
    });
    const response = await handler(callbackRequest());
    expect([response.status, await response.json()]).toEqual([
      503,
      { error: "timeout", message: "the callback was not handled within 20 ms; send it again later" },
    ]);
  });
});

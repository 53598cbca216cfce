import { describe, expect, it } from "vitest";
import { RollingWindowPacer } from "../../../src/client/pacer.js";
import { createFakeClock } from "./helpers/fake-clock.js";

describe("RollingWindowPacer.tryAcquire", () => {
  it("takes a free slot at once and counts it like acquire()", async () => {
    const clock = createFakeClock(0);
    const pacer = new RollingWindowPacer({ limit: 2, windowMs: 60_000, marginMs: 0, clock });
    expect(pacer.tryAcquire()).toBeDefined();
    expect(pacer.tryAcquire()).toBeDefined();
    expect(pacer.tryAcquire()).toBeUndefined();
    expect(pacer.delayNow()).toBe(60_000);
    await pacer.acquire();
    expect(clock.now()).toBe(60_000);
  });

  it("never overtakes a caller already waiting in acquire()", async () => {
    const clock = createFakeClock(0);
    const pacer = new RollingWindowPacer({ limit: 1, windowMs: 60_000, marginMs: 0, clock });
    expect(pacer.tryAcquire()).toBeDefined();
    const waiting = pacer.acquire();
    clock.advance(60_000); // a slot is free now, but it belongs to the waiting caller
    expect(pacer.tryAcquire()).toBeUndefined();
    await waiting;
    expect(clock.sleeps).toEqual([]);
    expect(pacer.tryAcquire()).toBeUndefined();
  });
});

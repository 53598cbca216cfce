import { describe, expect, it } from "vitest";
import { withTimeBudget } from "../../../src/callbacks/time-budget.js";
import { createFakeClock } from "./fake-clock.js";

describe("withTimeBudget", () => {
  it("gives the work's value and cancels its timer", async () => {
    const clock = createFakeClock();
    expect(await withTimeBudget(Promise.resolve(42), 1_000, clock)).toEqual({ timedOut: false, value: 42 });
    expect(clock.pendingTimers).toBe(0);
  });

  it("answers timedOut once the budget has passed on the clock", async () => {
    const clock = createFakeClock();
    const result = withTimeBudget(new Promise(() => undefined), 1_000, clock);
    clock.advance(999);
    clock.advance(1);
    expect(await result).toEqual({ timedOut: true });
  });

  it("passes on the work's rejection", async () => {
    const clock = createFakeClock();
    await expect(withTimeBudget(Promise.reject(new Error("handler failed")), 1_000, clock)).rejects.toThrow("handler failed");
    expect(clock.pendingTimers).toBe(0);
  });
});

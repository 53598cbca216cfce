import { describe, expect, it } from "vitest";
import { createRateLimiter } from "../../../src/simulator/rate-limiter.js";

describe("createRateLimiter", () => {
  it("admits `limit` per key in any window and says when the oldest slot frees", () => {
    let now = 0;
    const limiter = createRateLimiter(2, 60_000, () => now);
    expect(limiter.admit("a")).toEqual({ admitted: true });
    now = 10_500;
    expect(limiter.admit("a")).toEqual({ admitted: true });
    expect(limiter.admit("b")).toEqual({ admitted: true });
    now = 20_000;
    expect(limiter.admit("a")).toEqual({ admitted: false, retryAfterSeconds: 40 });
    now = 59_999;
    expect(limiter.admit("a")).toEqual({ admitted: false, retryAfterSeconds: 1 });
    now = 60_000;
    expect(limiter.admit("a")).toEqual({ admitted: true });
    expect(limiter.admit("a")).toEqual({ admitted: false, retryAfterSeconds: 11 });
  });
});

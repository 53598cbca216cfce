// The simulator's activate rate limit as a client meets it (it replaces the test of the old
// internal rate limiter, now the shared RollingWindow): the 101st activate request of an account
// within a rolling minute is answered 429 with Retry-After = the seconds until the oldest slot
// frees, rounded up and at least 1; refused requests take no slot; the window moves with the
// injected clock, to the millisecond.
import { describe, expect, it } from "vitest";
import { activateBody, simulatorHarness, testDevices } from "./simulator-harness.js";

describe("simulator activate rate limit on an injected clock", () => {
  it("answers the 101st activate within a minute 429 with the right Retry-After, and admits again once the window moves", async () => {
    const { m2m, advance } = simulatorHarness();
    let next = 0;
    const activate = async (accountName = "TestAccount-1") => {
      const response = await m2m(
        "POST",
        "/devices/actions/activate",
        activateBody(testDevices(1, next++), { accountName }),
      );
      return { status: response.status, retryAfter: response.headers.get("retry-after"), body: await response.json() };
    };

    expect((await activate()).status).toBe(200); // t = 0
    advance(10_500);
    for (let i = 0; i < 99; i++) expect((await activate()).status).toBe(200); // t = 10.5 s
    expect((await activate("TestAccount-2")).status).toBe(200); // another account has its own minute

    advance(9_500); // t = 20 s: the oldest request (t = 0) frees its slot at t = 60 s
    expect(await activate()).toEqual({
      status: 429,
      retryAfter: "40",
      body: {
        errorCode: "REQUEST_FAILED.RateLimitExceeded",
        errorMessage: "More than 100 activate requests in a minute for account TestAccount-1; retry after 40 s.",
      },
    });
    advance(39_999); // t = 59.999 s: 1 ms to go is still a whole second
    expect(await activate()).toMatchObject({ status: 429, retryAfter: "1" });
    advance(1); // t = 60 s: the first slot is free, and the refused requests took none
    expect(await activate()).toMatchObject({ status: 200, retryAfter: null });
    // Full again: the next slot frees at 10.5 s + 60 s, 10.5 s from now, rounded up.
    expect(await activate()).toMatchObject({ status: 429, retryAfter: "11" });
  });
});

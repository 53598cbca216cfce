import { describe, expect, it } from "vitest";
import { AuthenticationError, createThingSpaceClient, type Clock } from "../../../src/client/index.js";

/** A clock that records the waits it is asked for and never really waits. */
function recordingClock(): Clock & { sleeps: number[] } {
  let now = 0;
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => now,
    sleep: async (ms: number) => {
      sleeps.push(ms);
      now += ms;
    },
  };
}

function clientWithTokenAnswers(tokenAnswers: Response[]) {
  const calls: string[] = [];
  const clock = recordingClock();
  const client = createThingSpaceClient({
    baseUrl: "https://thingspace.test/api",
    credentials: { clientId: "id", clientSecret: "secret", username: "user", password: "password" },
    clock,
    fetch: async (request) => {
      const path = new URL(request.url).pathname.replace(/^\/api/, "");
      calls.push(path);
      if (path === "/ts/v1/oauth2/token") {
        return tokenAnswers.shift() ?? Response.json({ access_token: "a", token_type: "Bearer", expires_in: 3600 });
      }
      if (path === "/m2m/v1/session/login") return Response.json({ sessionToken: "s" });
      return Response.json({ requestId: "r-1" });
    },
  });
  return { client, calls, clock };
}

describe("the OAuth token request", () => {
  it("is sent again after a 429, as late as Retry-After says, since it changes nothing", async () => {
    const { client, calls, clock } = clientWithTokenAnswers([
      Response.json({ error: "slow_down" }, { status: 429, headers: { "Retry-After": "2" } }),
    ]);
    await expect(client.activateDevices({ groupName: "g", servicePlan: "p", mdnZipCode: "98801" })).resolves.toEqual({
      requestId: "r-1",
    });
    expect(calls).toEqual([
      "/ts/v1/oauth2/token",
      "/ts/v1/oauth2/token",
      "/m2m/v1/session/login",
      "/m2m/v1/devices/actions/activate",
    ]);
    expect(clock.sleeps).toEqual([2_000]);
  });

  it("gives up after the retries with an AuthenticationError carrying the status, and logs nobody in", async () => {
    const unavailable = () => Response.json({ error: "temporarily_unavailable" }, { status: 503 });
    const { client, calls, clock } = clientWithTokenAnswers([
      unavailable(),
      unavailable(),
      unavailable(),
      unavailable(),
    ]);
    const error = await client
      .activateDevices({ groupName: "g", servicePlan: "p", mdnZipCode: "98801" })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthenticationError);
    expect(error).toMatchObject({ stage: "token", status: 503 });
    expect(calls).toEqual(Array(4).fill("/ts/v1/oauth2/token"));
    expect(clock.sleeps).toEqual([1_000, 2_000, 4_000]);
  });
});

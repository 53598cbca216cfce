import { describe, expect, it, vi } from "vitest";
import { createThingSpaceClient } from "../../../src/client/client.js";
import { AuthenticationError } from "../../../src/client/errors.js";
import { MockThingSpace, testBaseUrl } from "./helpers/mock-thing-space.js";
import { createFakeClock } from "./helpers/fake-clock.js";
import { testAccount, useMswServer } from "./helpers/test-client.js";

const server = useMswServer();

/** A mock ThingSpace that knows the tokens the providers hand out. */
function providerClient() {
  const thingSpace = new MockThingSpace();
  server.use(...thingSpace.handlers());
  thingSpace.validAccessTokens.add("app-access-1");
  thingSpace.validSessions.add("app-session-1");
  let sessions = 1;
  const accessToken = vi.fn(() => "app-access-1");
  const sessionToken = vi.fn(async ({ renewal }: { renewal: boolean }) => {
    if (renewal) {
      sessions += 1;
      thingSpace.validSessions.add(`app-session-${sessions}`);
    }
    return `app-session-${sessions}`;
  });
  const client = createThingSpaceClient({
    baseUrl: testBaseUrl,
    accountName: testAccount,
    clock: createFakeClock(),
    accessToken,
    sessionToken,
  });
  return { client, thingSpace, accessToken, sessionToken };
}

describe("token providers", () => {
  it("are asked once for concurrent calls, and the client never calls the token or login endpoints", async () => {
    const { client, thingSpace, accessToken, sessionToken } = providerClient();
    await Promise.all(Array.from({ length: 10 }, () => client.listCallbacks()));
    expect(accessToken).toHaveBeenCalledTimes(1);
    expect(sessionToken).toHaveBeenCalledTimes(1);
    expect(sessionToken).toHaveBeenCalledWith({ renewal: false });
    expect(thingSpace.calls("/oauth2/token")).toHaveLength(0);
    expect(thingSpace.calls("/session/login")).toHaveLength(0);
    expect(thingSpace.calls("/callbacks/:accountName").every((r) => r.session === "app-session-1")).toBe(true);
  });

  it("the session provider is asked for a new token once when the session expires, and the call is replayed", async () => {
    const { client, thingSpace, sessionToken } = providerClient();
    await client.listCallbacks();
    thingSpace.expireSessions();
    await client.listCallbacks();
    expect(sessionToken.mock.calls).toEqual([[{ renewal: false }], [{ renewal: true }]]);
    expect(thingSpace.calls("/callbacks/:accountName").map((r) => r.session)).toEqual([
      "app-session-1",
      "app-session-1",
      "app-session-2",
    ]);
  });

  it("a provider that throws is an AuthenticationError that does not lock the client", async () => {
    const { client, sessionToken } = providerClient();
    sessionToken.mockRejectedValueOnce(new Error("vault unavailable"));
    const error = await client.listCallbacks().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthenticationError);
    expect(error).toMatchObject({
      stage: "login",
      resetRequired: false,
      message: "The sessionToken provider threw (see cause).",
    });
    await expect(client.listCallbacks()).resolves.toEqual([]);
  });

  it("resetAuthentication refuses credentials on a client that uses providers", () => {
    const { client } = providerClient();
    expect(() => client.resetAuthentication({ password: "x" })).toThrow(
      "resetAuthentication: this client authenticates with token providers, not credentials",
    );
  });
});

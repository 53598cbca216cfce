import { describe, expect, it } from "vitest";
import { HttpResponse } from "msw";
import { activatePlan, devices, mockedClient, useMswServer } from "./helpers/test-client.js";
import { testCredentials } from "./helpers/mock-thing-space.js";
import { assumedAccessTokenLifetimeMs, refreshBeforeExpiryMs } from "../../../src/client/auth.js";

const server = useMswServer();

/**
 * Lists callbacks, again just before a token of `lifetimeMs` is due for renewal (a minute before
 * it expires), and again a millisecond later: how many token requests were made by the second
 * call and by the third, and the bearer each listing carried.
 */
async function acrossRenewal({ client, thingSpace, clock }: ReturnType<typeof mockedClient>, lifetimeMs: number) {
  await client.listCallbacks();
  clock.advance(lifetimeMs - refreshBeforeExpiryMs - 1);
  await client.listCallbacks();
  const before = thingSpace.calls("/oauth2/token").length;
  clock.advance(1);
  await client.listCallbacks();
  const after = thingSpace.calls("/oauth2/token").length;
  return { before, after, bearers: thingSpace.calls("/callbacks/:accountName").map((r) => r.authorization) };
}

describe("OAuth token and M2M session", () => {
  it("asks for the token with Basic client credentials and a form body, then logs in with the bearer", async () => {
    const { client, thingSpace } = mockedClient(server);
    await client.activateDevices({ ...activatePlan, devices: devices(1) });

    const [token, login, activate] = thingSpace.requests;
    expect(token).toEqual({
      method: "POST",
      path: "/oauth2/token",
      realPath: "/oauth2/token",
      body: "grant_type=client_credentials",
      authorization: `Basic ${Buffer.from(`${testCredentials.clientId}:${testCredentials.clientSecret}`).toString("base64")}`,
      session: null,
      contentType: "application/x-www-form-urlencoded",
    });
    expect(login).toMatchObject({
      path: "/session/login",
      body: { username: testCredentials.username, password: testCredentials.password },
      authorization: "Bearer access-token-1",
      session: null,
    });
    expect(activate).toMatchObject({ authorization: "Bearer access-token-1", session: "session-token-2" });
    expect(thingSpace.requests).toHaveLength(3);
  });

  it("100 concurrent first calls share exactly one token request and one login", async () => {
    const { client, thingSpace } = mockedClient(server);
    const results = await Promise.all(
      Array.from({ length: 100 }, (_, i) => client.addDevices({ devicesToAdd: devices(1, i), state: "preactive" })),
    );

    expect(results).toHaveLength(100);
    expect(thingSpace.calls("/oauth2/token")).toHaveLength(1);
    expect(thingSpace.calls("/session/login")).toHaveLength(1);
    expect(thingSpace.calls("/devices/actions/add")).toHaveLength(100);
    expect(new Set(thingSpace.calls("/devices/actions/add").map((r) => r.session))).toEqual(
      new Set(["session-token-2"]),
    );
  });

  it("reuses the access token until one minute before it expires, then asks again", async () => {
    const mocked = mockedClient(server);
    const { thingSpace } = mocked;
    expect(refreshBeforeExpiryMs).toBe(60_000);
    expect(await acrossRenewal(mocked, 3600_000)).toEqual({
      before: 1,
      after: 2,
      bearers: ["Bearer access-token-1", "Bearer access-token-1", "Bearer access-token-3"],
    });
    // The session is not tied to the access token: no new login.
    expect(thingSpace.calls("/session/login")).toHaveLength(1);
  });

  it("gets a new access token once and replays the call once when ThingSpace answers 401", async () => {
    const { client, thingSpace } = mockedClient(server);
    await client.listCallbacks();
    thingSpace.validAccessTokens.clear();

    await expect(client.listCallbacks()).resolves.toEqual([]);
    expect(thingSpace.calls("/oauth2/token")).toHaveLength(2);
    expect(thingSpace.calls("/callbacks/:accountName").map((r) => r.authorization)).toEqual([
      "Bearer access-token-1",
      "Bearer access-token-1",
      "Bearer access-token-3",
    ]);
  });

  it("a refused OAuth token request is an AuthenticationError of stage token that does not lock the client", async () => {
    const { client, thingSpace } = mockedClient(server);
    thingSpace.answerNext("/oauth2/token", () =>
      HttpResponse.json(
        { error: "invalid_client", error_description: "Client authentication failed" },
        { status: 401 },
      ),
    );
    await expect(client.listCallbacks()).rejects.toMatchObject({
      name: "AuthenticationError",
      stage: "token",
      resetRequired: false,
      status: 401,
      errorCode: "invalid_client",
      errorMessage: "Client authentication failed",
    });
    await expect(client.listCallbacks()).resolves.toEqual([]);
    expect(thingSpace.calls("/oauth2/token")).toHaveLength(2);
  });

  it("keeps the OAuth error_uri on the error and names it in the message", async () => {
    const { client, thingSpace } = mockedClient(server);
    const errorUri = "https://auth.example/errors/invalid_client";
    thingSpace.answerNext("/oauth2/token", () =>
      HttpResponse.json(
        { error: "invalid_client", error_description: "Client authentication failed", error_uri: errorUri },
        { status: 401 },
      ),
    );
    const error = await client.listCallbacks().catch((e: unknown) => e);
    expect(error).toMatchObject({ name: "AuthenticationError", stage: "token", errorCode: "invalid_client", errorUri });
    expect((error as Error).message).toBe(
      'ThingSpace refused the OAuth token request with HTTP 401 invalid_client: "Client authentication failed". ' +
        `Check the clientId and clientSecret options (the application's key and secret). More: ${errorUri}`,
    );
    expect(JSON.parse(JSON.stringify(error))).toMatchObject({ errorUri });
  });

  it("without expires_in, takes the token to last assumedAccessTokenLifetimeMs (15 minutes)", async () => {
    expect(assumedAccessTokenLifetimeMs).toBe(15 * 60_000);
    const mocked = mockedClient(server);
    const { thingSpace, logs } = mocked;
    let issued = 0;
    const withoutLifetime = () => {
      const token = `unstated-${++issued}`;
      thingSpace.validAccessTokens.add(token);
      return HttpResponse.json({ access_token: token, token_type: "Bearer" });
    };
    thingSpace.answerNext("/oauth2/token", withoutLifetime, withoutLifetime);
    expect(await acrossRenewal(mocked, assumedAccessTokenLifetimeMs)).toEqual({
      before: 1,
      after: 2,
      bearers: ["Bearer unstated-1", "Bearer unstated-1", "Bearer unstated-2"],
    });
    expect(logs.filter((line) => line.includes("OAuth access token obtained"))).toEqual([
      'info OAuth access token obtained {"expiresInSeconds":900,"lifetimeAssumed":true}',
      'info OAuth access token obtained {"expiresInSeconds":900,"lifetimeAssumed":true}',
    ]);
  });
});

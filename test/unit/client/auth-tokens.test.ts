import { describe, expect, it } from "vitest";
import { HttpResponse } from "msw";
import { activatePlan, devices, mockedClient, useMswServer } from "./helpers/test-client.js";
import { testCredentials } from "./helpers/mock-thing-space.js";

const server = useMswServer();

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
    const { client, thingSpace, clock } = mockedClient(server);
    await client.listCallbacks();
    clock.advance(3600_000 - 60_000 - 1);
    await client.listCallbacks();
    expect(thingSpace.calls("/oauth2/token")).toHaveLength(1);

    clock.advance(1);
    await client.listCallbacks();
    expect(thingSpace.calls("/oauth2/token")).toHaveLength(2);
    expect(thingSpace.calls("/callbacks/:accountName").map((r) => r.authorization)).toEqual([
      "Bearer access-token-1",
      "Bearer access-token-1",
      "Bearer access-token-3",
    ]);
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
});

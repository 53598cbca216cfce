import { describe, expect, it } from "vitest";
import { AuthenticationError } from "../../../src/client/errors.js";
import { activatePlan, devices, mockedClient, useMswServer } from "./helpers/test-client.js";
import { thingSpaceError } from "./helpers/mock-thing-space.js";

const server = useMswServer();

describe("session expiry", () => {
  it("logs in again once and replays the call once, with the same body and the new session", async () => {
    const { client, thingSpace } = mockedClient(server);
    await client.listCallbacks();
    thingSpace.expireSessions();

    const body = { ...activatePlan, devices: devices(3) };
    const { requestId } = await client.activateDevices(body);

    const activates = thingSpace.calls("/devices/actions/activate");
    expect(activates.map((r) => r.session)).toEqual(["session-token-2", "session-token-3"]);
    expect(activates[1]!.body).toEqual({ ...body, accountName: "0868924207-00001" });
    expect(activates[1]!.body).toEqual(activates[0]!.body);
    expect(requestId).toBe(`request-${thingSpace.requests.length}`);
    expect(thingSpace.calls("/session/login")).toHaveLength(2);
    expect(thingSpace.calls("/oauth2/token")).toHaveLength(1);
  });

  it.each([
    ["REQUEST_FAILED.SessionToken.Expired", 400],
    ["INPUT_INVALID.SessionToken.Invalid", 400],
    ["REQUEST_FAILED.SessionToken.Format", 400],
    ["UnifiedWebService.REQUEST_FAILED.SessionToken.Expired", 401],
  ])("treats %s (HTTP %i) as a refused session", async (code, status) => {
    const { client, thingSpace } = mockedClient(server);
    await client.listCallbacks();
    thingSpace.answerNext("/callbacks/:accountName", () => thingSpaceError(status, code));

    await expect(client.listCallbacks()).resolves.toEqual([]);
    expect(thingSpace.calls("/session/login")).toHaveLength(2);
    expect(thingSpace.calls("/oauth2/token")).toHaveLength(1);
  });

  it("does not loop: a session refused again after the new login fails the call", async () => {
    const { client, thingSpace } = mockedClient(server);
    const expired = () => thingSpaceError(400, "REQUEST_FAILED.SessionToken.Expired", "Session token expired");
    thingSpace.answerNext("/devices/actions/goToState", expired, expired);

    const error = await client
      .goToState({
        devices: devices(1),
        serviceName: "svc",
        stateName: "active",
        servicePlan: "m2m4g",
        mdnZipCode: "98801",
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthenticationError);
    expect(error).toMatchObject({
      stage: "request",
      status: 400,
      errorCode: "REQUEST_FAILED.SessionToken.Expired",
      errorClass: "REQUEST_FAILED",
    });
    expect(thingSpace.calls("/devices/actions/goToState")).toHaveLength(2);
    expect(thingSpace.calls("/session/login")).toHaveLength(2);
  });

  it("concurrent calls refused for the same expired session share one new login", async () => {
    const { client, thingSpace } = mockedClient(server);
    await client.listCallbacks();
    thingSpace.expireSessions();

    await Promise.all(Array.from({ length: 20 }, () => client.listCallbacks()));
    expect(thingSpace.calls("/session/login")).toHaveLength(2);
    const sessions = thingSpace.calls("/callbacks/:accountName").map((r) => r.session);
    expect(sessions.filter((s) => s === "session-token-3")).toHaveLength(20);
  });

  it("calls made through client.raw get the same headers and the same one re-login and replay", async () => {
    const { client, thingSpace } = mockedClient(server);
    await client.listCallbacks();
    thingSpace.expireSessions();

    const { data, response } = await client.raw.GET("/callbacks/{accountName}", {
      params: { path: { accountName: "TestAccount-2" } },
    });
    expect(response.status).toBe(200);
    expect(data).toEqual([]);
    expect(
      thingSpace
        .calls("/callbacks/:accountName")
        .slice(1)
        .map((r) => [r.realPath, r.session]),
    ).toEqual([
      ["/callbacks/TestAccount-2", "session-token-2"],
      ["/callbacks/TestAccount-2", "session-token-3"],
    ]);
  });

  it("logout ends the session with its token; the next call logs in again", async () => {
    const { client, thingSpace } = mockedClient(server);
    await client.logout();
    expect(thingSpace.requests).toHaveLength(0);

    await client.listCallbacks();
    await client.logout();
    expect(thingSpace.calls("/session/logout")).toMatchObject([{ session: "session-token-2" }]);

    await client.listCallbacks();
    expect(thingSpace.calls("/session/login")).toHaveLength(2);
  });

  it("logout of a session that already expired neither fails nor logs in again", async () => {
    const { client, thingSpace } = mockedClient(server);
    await client.listCallbacks();
    thingSpace.expireSessions();
    await expect(client.logout()).resolves.toBeUndefined();
    expect(thingSpace.calls("/session/logout")).toHaveLength(1);
    expect(thingSpace.calls("/session/login")).toHaveLength(1);
  });
});

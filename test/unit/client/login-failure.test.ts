import { describe, expect, it } from "vitest";
import { HttpResponse } from "msw";
import { AuthenticationError, ConnectionError } from "../../../src/client/errors.js";
import { activatePlan, devices, mockedClient, useMswServer } from "./helpers/test-client.js";
import { thingSpaceError } from "./helpers/mock-thing-space.js";

const server = useMswServer();
const refused = () =>
  thingSpaceError(400, "UnifiedWebService.INPUT_INVALID.UserNotAuthenticated", "Invalid username or password");

describe("a failed login", () => {
  it("throws an AuthenticationError carrying ThingSpace's code and is sent exactly once", async () => {
    const { client, thingSpace } = mockedClient(server);
    thingSpace.answerNext("/session/login", refused);

    const error = await client.activateDevices({ ...activatePlan, devices: devices(1) }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthenticationError);
    expect(error).toMatchObject({
      stage: "login",
      resetRequired: true,
      status: 400,
      errorCode: "UnifiedWebService.INPUT_INVALID.UserNotAuthenticated",
      errorClass: "INPUT_INVALID",
      errorMessage: "Invalid username or password",
    });
    expect((error as Error).message).toBe(
      'ThingSpace refused the M2M login with HTTP 400 UnifiedWebService.INPUT_INVALID.UserNotAuthenticated: "Invalid username or password". ' +
        "Check the username and password options; the client does not log in again until you call " +
        "client.resetAuthentication(), since five failed logins in a row lock the ThingSpace user.",
    );
    expect(error).toMatchObject({ userLocked: false });
    expect(thingSpace.calls("/session/login")).toHaveLength(1);
    expect(thingSpace.calls("/devices/actions/activate")).toHaveLength(0);
  });

  it("ThingSpace's UserLocked answer says to contact support, not to check the password", async () => {
    const { client, thingSpace } = mockedClient(server);
    thingSpace.answerNext("/session/login", () =>
      thingSpaceError(400, "REQUEST_FAILED.Login.UserLocked", "User is locked; contact support."),
    );
    const error = await client.listCallbacks().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthenticationError);
    expect(error).toMatchObject({ stage: "login", userLocked: true, resetRequired: true });
    expect((error as Error).message).toBe(
      'ThingSpace refused the M2M login with HTTP 400 REQUEST_FAILED.Login.UserLocked: "User is locked; contact support.". ' +
        "ThingSpace has locked this user (after failed logins): contact Verizon ThingSpace support to unlock it, " +
        "then call client.resetAuthentication(). Until then the client does not log in again.",
    );
    expect((error as Error).message).not.toContain("password");
  });

  it("is shared by concurrent calls and never re-attempted by later calls", async () => {
    const { client, thingSpace } = mockedClient(server);
    thingSpace.answerNext("/session/login", refused);

    const outcomes = await Promise.allSettled(Array.from({ length: 10 }, () => client.listCallbacks()));
    expect(outcomes.every((o) => o.status === "rejected" && o.reason instanceof AuthenticationError)).toBe(true);
    await expect(client.listCallbacks()).rejects.toMatchObject({ stage: "login", resetRequired: true });
    await expect(client.addDevices({ devicesToAdd: devices(1), state: "preactive" })).rejects.toBeInstanceOf(
      AuthenticationError,
    );
    expect(thingSpace.calls("/session/login")).toHaveLength(1);
  });

  it("is not retried even when ThingSpace answers 503 or 429", async () => {
    const { client, thingSpace, clock } = mockedClient(server);
    thingSpace.answerNext("/session/login", () =>
      thingSpaceError(503, "REQUEST_FAILED.UnexpectedError", "busy", { "Retry-After": "1" }),
    );

    await expect(client.listCallbacks()).rejects.toMatchObject({
      name: "AuthenticationError",
      stage: "login",
      status: 503,
    });
    await expect(client.listCallbacks()).rejects.toMatchObject({ stage: "login", status: 503 });
    expect(thingSpace.calls("/session/login")).toHaveLength(1);
    expect(clock.sleeps).toEqual([]);
  });

  it("a session renewal that fails locks the client too: one re-login, no more", async () => {
    const { client, thingSpace } = mockedClient(server);
    await client.listCallbacks();
    thingSpace.expireSessions();
    thingSpace.answerNext("/session/login", refused);

    await expect(client.listCallbacks()).rejects.toMatchObject({ stage: "login", resetRequired: true });
    await expect(client.listCallbacks()).rejects.toMatchObject({ stage: "login", resetRequired: true });
    expect(thingSpace.calls("/session/login")).toHaveLength(2);
  });

  it("resetAuthentication(new credentials) lets the next call log in, with the new password", async () => {
    const { client, thingSpace } = mockedClient(server);
    thingSpace.answerNext("/session/login", refused);
    await expect(client.listCallbacks()).rejects.toBeInstanceOf(AuthenticationError);

    client.resetAuthentication({ password: "corrected-password-1" });
    await expect(client.listCallbacks()).resolves.toEqual([]);
    const logins = thingSpace.calls("/session/login");
    expect(logins.map((r) => (r.body as { password: string }).password)).toEqual([
      "m2m-password-Zk48",
      "corrected-password-1",
    ]);
  });

  it("a login whose connection was refused is a ConnectionError of stage login and needs no reset", async () => {
    let refuse = true;
    const { client, thingSpace } = mockedClient(server, {
      retry: { maxRetries: 0 },
      fetch: async (request) => {
        if (refuse && new URL(request.url).pathname.endsWith("/session/login")) {
          throw new TypeError("fetch failed", {
            cause: Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" }),
          });
        }
        return fetch(request);
      },
    });
    const error = await client.listCallbacks().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectionError);
    expect(error).toMatchObject({ stage: "login", attempts: 1, operationId: "logIn" });
    refuse = false;
    await expect(client.listCallbacks()).resolves.toEqual([]);
    expect(thingSpace.calls("/session/login")).toHaveLength(1);
  });

  it("a login that got no answer locks the client (it may have counted as a failure)", async () => {
    const { client, thingSpace } = mockedClient(server);
    thingSpace.answerNext("/session/login", () => HttpResponse.error());
    await expect(client.listCallbacks()).rejects.toMatchObject({ stage: "login", resetRequired: true });
    await expect(client.listCallbacks()).rejects.toMatchObject({ stage: "login", resetRequired: true });
    expect(thingSpace.calls("/session/login")).toHaveLength(1);
  });
});

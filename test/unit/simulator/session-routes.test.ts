import { describe, expect, it } from "vitest";
import { simulatorHarness } from "./simulator-harness.js";

describe("simulator sessions", () => {
  it("logs any username and password in by default, like ThingSpace's sandbox", async () => {
    const { request, accessToken } = simulatorHarness();
    const response = await request("POST", "/m2m/v1/session/login", {
      bearer: await accessToken(),
      body: { username: "anyone", password: "x" },
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ sessionToken: expect.stringMatching(/^[0-9a-f]{32}$/) });
  });

  it("checks the login body with the spec's validator and never echoes the password", async () => {
    const { request, accessToken } = simulatorHarness();
    const response = await request("POST", "/m2m/v1/session/login", {
      bearer: await accessToken(),
      body: { username: "u", password: "hunter2-secret", extra: "hunter2-secret" },
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      errorCode: "REQUEST_FAILED.UnexpectedError",
      errorMessage:
        "The request body does not match the API:\n- /extra is not a known field (check its spelling) [additionalProperties]",
    });
  });

  it("answers INPUT_INVALID.RequestUndefined for an empty body and never echoes unparseable JSON", async () => {
    const { request, accessToken } = simulatorHarness();
    const bearer = await accessToken();
    const empty = await request("POST", "/m2m/v1/session/login", { bearer, body: "" });
    expect(await empty.json()).toEqual({
      errorCode: "INPUT_INVALID.RequestUndefined",
      errorMessage: "Request cannot be blank. Send a JSON body.",
    });
    const broken = await request("POST", "/m2m/v1/session/login", { bearer, body: '{"password":"hunter2-secret"' });
    const text = await broken.text();
    expect(broken.status).toBe(400);
    expect(JSON.parse(text).errorCode).toBe("REQUEST_FAILED.UnexpectedError");
    expect(text).not.toContain("hunter2");
  });

  it("with users configured, refuses a wrong pair and locks the user after five failures in a row", async () => {
    const { request, accessToken } = simulatorHarness({ users: { alice: "right" } });
    const bearer = await accessToken();
    const logIn = (password: string) =>
      request("POST", "/m2m/v1/session/login", { bearer, body: { username: "alice", password } });
    const wrong = await logIn("wrong-1");
    expect(wrong.status).toBe(400);
    expect(await wrong.json()).toEqual({
      errorCode: "REQUEST_FAILED.Login.Failed",
      errorMessage: "Invalid username or password.",
    });
    for (let i = 2; i <= 5; i++) expect((await logIn(`wrong-${i}`)).status).toBe(400);
    const locked = await logIn("right");
    expect(await locked.json()).toEqual({
      errorCode: "REQUEST_FAILED.Login.UserLocked",
      errorMessage: "User alice is locked after 5 failed logins in a row; contact support.",
    });
  });

  it("registerUser restricts logins to registered users", async () => {
    const { request, accessToken, simulator } = simulatorHarness();
    simulator.registerUser("bob", "pw");
    const bearer = await accessToken();
    expect(
      (await request("POST", "/m2m/v1/session/login", { bearer, body: { username: "eve", password: "pw" } })).status,
    ).toBe(400);
    expect(
      (await request("POST", "/m2m/v1/session/login", { bearer, body: { username: "bob", password: "pw" } })).status,
    ).toBe(200);
  });

  it("expires a session after 20 minutes without use; each use restarts the idle time", async () => {
    const { m2m, advance } = simulatorHarness();
    expect((await m2m("GET", "/callbacks/TestAccount-1")).status).toBe(200);
    advance(20 * 60_000 - 1);
    expect((await m2m("GET", "/callbacks/TestAccount-1")).status).toBe(200);
    advance(20 * 60_000 - 1);
    expect((await m2m("GET", "/callbacks/TestAccount-1")).status).toBe(200);
    advance(20 * 60_000);
    const expired = await m2m("GET", "/callbacks/TestAccount-1");
    expect(expired.status).toBe(400);
    expect(await expired.json()).toEqual({
      errorCode: "REQUEST_FAILED.SessionToken.Expired",
      errorMessage: "Session token expired. Log in again and resend the request.",
    });
  });

  it("takes the idle timeout as an option", async () => {
    const { m2m, advance } = simulatorHarness({ sessionIdleTimeoutMs: 1000 });
    expect((await m2m("GET", "/callbacks/TestAccount-1")).status).toBe(200);
    advance(1000);
    expect((await m2m("GET", "/callbacks/TestAccount-1")).status).toBe(400);
  });

  it("answers INPUT_INVALID.SessionToken.Invalid without VZ-M2M-Token", async () => {
    const { request, accessToken } = simulatorHarness();
    const response = await request("GET", "/m2m/v1/callbacks/TestAccount-1", { bearer: await accessToken() });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      errorCode: "INPUT_INVALID.SessionToken.Invalid",
      errorMessage: "Missing session token: send VZ-M2M-Token with the sessionToken from /session/login.",
    });
  });

  it("ends the session at logout, and every session at expireSessions()", async () => {
    const { request, signIn, simulator } = simulatorHarness();
    const first = await signIn();
    const logout = await request("POST", "/m2m/v1/session/logout", first);
    expect(await logout.json()).toEqual({ sessionToken: first.session });
    const after = await request("GET", "/m2m/v1/callbacks/TestAccount-1", first);
    expect(((await after.json()) as { errorCode: string }).errorCode).toBe("REQUEST_FAILED.SessionToken.Expired");

    const second = await signIn();
    simulator.expireSessions();
    expect((await request("GET", "/m2m/v1/callbacks/TestAccount-1", second)).status).toBe(400);
    const third = await signIn();
    expect((await request("GET", "/m2m/v1/callbacks/TestAccount-1", third)).status).toBe(200);
  });
});

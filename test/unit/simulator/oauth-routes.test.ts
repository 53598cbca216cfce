import { describe, expect, it } from "vitest";
import { simulatorHarness } from "./simulator-harness.js";

const form = { "content-type": "application/x-www-form-urlencoded" };
const basic = (pair: string) => ({ authorization: `Basic ${btoa(pair)}`, ...form });

describe("simulator OAuth token endpoint", () => {
  it("issues a bearer token for any client by default, valid one hour", async () => {
    const { request } = simulatorHarness();
    const response = await request("POST", "/ts/v1/oauth2/token", {
      headers: basic("any-id:any-secret"),
      body: "grant_type=client_credentials",
    });
    expect(response.status).toBe(200);
    const body = (await response.json()) as Record<string, unknown>;
    expect(body).toEqual({
      access_token: expect.stringMatching(/^[0-9a-f]{32}$/),
      token_type: "Bearer",
      expires_in: 3600,
      scope: "default",
    });
  });

  it("answers 401 invalid_client without Basic credentials, or with a wrong secret when clients are configured", async () => {
    const { request } = simulatorHarness({ clients: { app: "right" } });
    const missing = await request("POST", "/ts/v1/oauth2/token", {
      headers: form,
      body: "grant_type=client_credentials",
    });
    expect(missing.status).toBe(401);
    expect(await missing.json()).toEqual({
      error: "invalid_client",
      error_description: "Missing Credentials: send Authorization: Basic base64(clientId:clientSecret).",
    });
    const wrong = await request("POST", "/ts/v1/oauth2/token", {
      headers: basic("app:guess-3141"),
      body: "grant_type=client_credentials",
    });
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toEqual({
      error: "invalid_client",
      error_description: "Invalid Credentials: the client id or the client secret is wrong.",
    });
    const right = await request("POST", "/ts/v1/oauth2/token", {
      headers: basic("app:right"),
      body: "grant_type=client_credentials",
    });
    expect(right.status).toBe(200);
  });

  it("checks the form with the spec's validator: missing, empty or other grant types are refused", async () => {
    const { request } = simulatorHarness();
    const missing = await request("POST", "/ts/v1/oauth2/token", { headers: basic("a:b"), body: "" });
    expect(missing.status).toBe(400);
    expect(await missing.json()).toEqual({
      error: "invalid_request",
      error_description: "Missing grant_type parameter value.",
    });
    const password = await request("POST", "/ts/v1/oauth2/token", {
      headers: basic("a:b"),
      body: "grant_type=password",
    });
    expect(await password.json()).toEqual({
      error: "unsupported_grant_type",
      error_description: "grant_type must be client_credentials.",
    });
    const empty = await request("POST", "/ts/v1/oauth2/token", { headers: basic("a:b"), body: "grant_type=" });
    expect(await empty.json()).toEqual({
      error: "invalid_request",
      error_description: "Missing grant_type parameter value.",
    });
  });

  it("grants the scope asked for, ignores parameters it does not know and takes an empty one as omitted", async () => {
    const { request } = simulatorHarness();
    const scoped = await request("POST", "/ts/v1/oauth2/token", {
      headers: basic("a:b"),
      body: "grant_type=client_credentials&scope=m2m%20devices&audience=unknown",
    });
    expect(scoped.status).toBe(200);
    expect(await scoped.json()).toMatchObject({ token_type: "Bearer", expires_in: 3600, scope: "m2m devices" });
    const empty = await request("POST", "/ts/v1/oauth2/token", {
      headers: basic("a:b"),
      body: "grant_type=client_credentials&scope=",
    });
    expect(await empty.json()).toMatchObject({ token_type: "Bearer", scope: "default" });
  });

  it("refuses a JSON body, naming the content type to use", async () => {
    const { request } = simulatorHarness();
    const response = await request("POST", "/ts/v1/oauth2/token", {
      headers: { authorization: `Basic ${btoa("a:b")}`, "content-type": "application/json" },
      body: '{"grant_type":"client_credentials"}',
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      error: "invalid_request",
      error_description: "Send the body as application/x-www-form-urlencoded, not application/json.",
    });
  });
});

describe("simulator bearer tokens on M2M calls", () => {
  const login = { username: "u", password: "p" };

  it("answers 401 in ThingSpace's format without a bearer token, or with an unknown one", async () => {
    const { request } = simulatorHarness();
    const missing = await request("POST", "/m2m/v1/session/login", { body: login });
    expect(missing.status).toBe(401);
    expect(await missing.json()).toEqual({
      errorCode: "INPUT_INVALID.AccessToken.Missing",
      errorMessage: "Missing Credentials: send Authorization: Bearer <access token from /ts/v1/oauth2/token>.",
    });
    const unknown = await request("POST", "/m2m/v1/session/login", { bearer: "nope", body: login });
    expect(unknown.status).toBe(401);
    expect(((await unknown.json()) as { errorCode: string }).errorCode).toBe("REQUEST_FAILED.AccessToken.Invalid");
  });

  it("expires tokens after the configured lifetime by the injected clock", async () => {
    const { request, accessToken, advance } = simulatorHarness({ accessTokenTtlSeconds: 60 });
    const bearer = await accessToken();
    advance(59_999);
    expect((await request("POST", "/m2m/v1/session/login", { bearer, body: login })).status).toBe(200);
    advance(1);
    expect((await request("POST", "/m2m/v1/session/login", { bearer, body: login })).status).toBe(401);
  });

  it("stops accepting a revoked token, and every token after expireAccessTokens()", async () => {
    const { request, accessToken, simulator } = simulatorHarness();
    const revoked = await accessToken();
    const revoke = await request("POST", "/ts/v1/oauth2/revoke", { headers: basic("a:b"), body: `token=${revoked}` });
    expect(revoke.status).toBe(200);
    expect(await revoke.text()).toBe("");
    expect((await request("POST", "/m2m/v1/session/login", { bearer: revoked, body: login })).status).toBe(401);

    const other = await accessToken();
    simulator.expireAccessTokens();
    expect((await request("POST", "/m2m/v1/session/login", { bearer: other, body: login })).status).toBe(401);
  });

  it("requires client credentials and a token field to revoke", async () => {
    const { request } = simulatorHarness();
    expect((await request("POST", "/ts/v1/oauth2/revoke", { headers: form, body: "token=x" })).status).toBe(401);
    const empty = await request("POST", "/ts/v1/oauth2/revoke", { headers: basic("a:b"), body: "" });
    expect(empty.status).toBe(400);
    expect(await empty.json()).toEqual({
      error: "invalid_request",
      error_description: "- /token is required [required]",
    });
  });
});

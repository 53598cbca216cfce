/**
 * Verizon's documented examples, replayed against the simulator over loopback HTTP: every call
 * the spec shares with Verizon's generated SDK, sent exactly as that SDK sends it (method, path,
 * encoding, body), and its answer held to the shape of Verizon's documented answer. The facts
 * are in verizon-examples.ts. The one place the spec disagrees on purpose, goToState's
 * `publicIpRestriction`, is pinned too: the seed page's "R"/"U" win over the example's word.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSimulatorServer, type SimulatorServer } from "../../../src/simulator/server.js";
import {
  activateServiceForDevices,
  addDevices,
  deregisterCallback,
  endSession,
  listRegisteredCallbacks,
  registerCallback,
  registerCallbackWithCredentials,
  requestToken,
  requestTokenWithScope,
  startSession,
  updateDevicesState,
  type VerizonExample,
} from "./verizon-examples.js";

let server: SimulatorServer;
beforeAll(async () => {
  server = await startSimulatorServer({ port: 0, callbackDelayMs: 0 });
});
afterAll(async () => {
  await server.close();
});

const basic = `Basic ${Buffer.from("verizon-sdk-client:verizon-sdk-secret").toString("base64")}`;
type Tokens = { bearer: string; session?: string };

/**
 * Sends an example as Verizon's SDK does: a JSON or form body with its content type, Basic
 * authorization to the OAuth server, the bearer (and the session, once there is one) elsewhere.
 */
async function send(example: VerizonExample, tokens?: Tokens, body: unknown = example.json): Promise<Response> {
  const headers: Record<string, string> = {};
  if (example.path.startsWith("/ts/")) headers.authorization = basic;
  if (tokens) headers.authorization = `Bearer ${tokens.bearer}`;
  if (tokens?.session) headers["vz-m2m-token"] = tokens.session;
  let encoded: string | undefined;
  if (example.form) {
    headers["content-type"] = "application/x-www-form-urlencoded";
    encoded = new URLSearchParams(example.form).toString();
  } else if (body !== undefined) {
    headers["content-type"] = "application/json";
    encoded = JSON.stringify(body);
  }
  return fetch(`${server.url}${example.path}`, { method: example.method, headers, body: encoded });
}

/** A bearer from the token example and a session from the login example. */
async function signIn(): Promise<Required<Tokens>> {
  const { access_token: bearer } = (await (await send(requestToken)).json()) as { access_token: string };
  const { sessionToken } = (await (await send(startSession, { bearer })).json()) as { sessionToken: string };
  return { bearer, session: sessionToken };
}

/** The JSON types of a value: what "the same shape" compares. */
type Shape = string | Shape[] | { [key: string]: Shape };
function shapeOf(value: unknown): Shape {
  if (Array.isArray(value)) return value.map(shapeOf);
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([key, item]) => [key, shapeOf(item)]),
    );
  }
  return value === null ? "null" : typeof value;
}

/**
 * The answer has the documented answer's shape: the same fields with the same JSON types
 * (leaving out only the `optional` ones), arrays item by item against the documented item.
 */
function expectShape(actual: unknown, documented: unknown, optional: Record<string, string> = {}): void {
  if (Array.isArray(documented)) {
    expect(Array.isArray(actual)).toBe(true);
    expect((actual as unknown[]).length).toBeGreaterThan(0);
    for (const item of actual as unknown[]) expectShape(item, documented[0], optional);
    return;
  }
  if (documented !== null && typeof documented === "object") {
    const kept = Object.fromEntries(
      Object.entries(documented).filter(([key]) => !(key in optional) || Object.hasOwn(actual as object, key)),
    );
    expect(Object.keys(actual as object).sort()).toEqual(Object.keys(kept).sort());
    for (const [key, item] of Object.entries(kept)) expectShape((actual as Record<string, unknown>)[key], item);
    return;
  }
  expect(shapeOf(actual)).toEqual(shapeOf(documented));
}

describe("Verizon's documented examples against the simulator", () => {
  it("requestToken: the example's form (with an extra field parameter) and one with a scope get a token", async () => {
    const plain = await send(requestToken);
    expect(plain.status).toBe(200);
    const token = (await plain.json()) as Record<string, unknown>;
    expectShape(token, requestToken.answer, requestToken.optional);
    expect(token).toMatchObject({ token_type: "Bearer", expires_in: 3600 });

    const scoped = await send(requestTokenWithScope);
    expect(scoped.status).toBe(200);
    const granted = await scoped.json();
    expectShape(granted, requestToken.answer, requestToken.optional);
    expect(granted).toMatchObject({ scope: "scope2" });
  });

  it("startConnectivityManagementSession: the example's login answers a session token", async () => {
    const { access_token: bearer } = (await (await send(requestToken)).json()) as { access_token: string };
    const login = await send(startSession, { bearer });
    expect(login.status).toBe(200);
    expectShape(await login.json(), startSession.answer);
  });

  it("registerCallback: both examples answer {accountName, serviceName}, the account of the path", async () => {
    const tokens = await signIn();
    for (const example of [registerCallback, registerCallbackWithCredentials]) {
      const response = await send(example, tokens);
      expect(response.status).toBe(200);
      const answer = await response.json();
      expectShape(answer, example.answer);
      expect(answer).toEqual({ accountName: "TestAccount-2", serviceName: "CarrierService" });
    }
  });

  it("listRegisteredCallbacks: the documented listeners, once registered, are listed as documented", async () => {
    const tokens = await signIn();
    const [carrier, usage] = listRegisteredCallbacks.answer as Record<string, string>[];
    const account = { ...registerCallback, path: listRegisteredCallbacks.path };
    for (const { accountName: _account, serviceName, ...listener } of [carrier!, usage!]) {
      expect((await send(account, tokens, { name: serviceName, ...listener })).status).toBe(200);
    }
    const response = await send(listRegisteredCallbacks, tokens);
    expect(response.status).toBe(200);
    const listed = await response.json();
    // The model lists missing credentials as empty strings; its example leaves them out.
    expect(listed).toEqual([{ ...carrier, username: "", password: "" }, usage]);
    expectShape(listed, [usage]);
  });

  it("deregisterCallback: removing a registered service answers the documented value", async () => {
    const tokens = await signIn();
    const [, account, service] = /^\/m2m\/v1\/callbacks\/([^/]+)\/name\/([^/]+)$/.exec(deregisterCallback.path)!;
    const registration = { ...registerCallback, path: `/m2m/v1/callbacks/${account}` };
    const listener = { name: service, url: "https://listener.example/carrier" };
    expect((await send(registration, tokens, listener)).status).toBe(200);
    const response = await send(deregisterCallback, tokens);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual(deregisterCallback.answer);
  });

  it("addDevices: the example's body answers one result per device, each of the documented shape", async () => {
    const response = await send(addDevices, await signIn());
    expect(response.status).toBe(200);
    const results = (await response.json()) as unknown[];
    expect(results).toHaveLength(2);
    expectShape(results, addDevices.answer);
    expect(results.map((result) => (result as { response: string }).response)).toEqual(["Success", "Success"]);
  });

  it("activateServiceForDevices: the example's body answers a requestId", async () => {
    const response = await send(activateServiceForDevices, await signIn());
    expect(response.status).toBe(200);
    expectShape(await response.json(), activateServiceForDevices.answer);
  });

  it("updateDevicesState: PUT gotostate is served; the page's R/U win over the example's 'unrestricted'", async () => {
    const tokens = await signIn();
    const refused = await send(updateDevicesState, tokens);
    expect(refused.status).toBe(400);
    expect(await refused.json()).toEqual({
      errorCode: "REQUEST_FAILED.UnexpectedError",
      errorMessage: 'The request body does not match the API:\n- /publicIpRestriction must be one of "R", "U" [enum]',
    });

    const lettered = await send(updateDevicesState, tokens, {
      ...(updateDevicesState.json as object),
      publicIpRestriction: "U",
    });
    expect(lettered.status).toBe(200);
    expectShape(await lettered.json(), updateDevicesState.answer);
  });

  it("endConnectivityManagementSession: a logout without a body answers the session token", async () => {
    const tokens = await signIn();
    const response = await send(endSession, tokens);
    expect(response.status).toBe(200);
    const answer = await response.json();
    expectShape(answer, endSession.answer);
    expect(answer).toEqual({ sessionToken: tokens.session });
    expect(await (await send(listRegisteredCallbacks, tokens)).json()).toMatchObject({
      errorCode: "REQUEST_FAILED.SessionToken.Expired",
    });
  });
});

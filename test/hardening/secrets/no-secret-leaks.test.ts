/**
 * Secrets never leak, across the client, the callback receiver and the simulator working
 * together over loopback. Every text a user could see is captured (each client log line, each
 * error as String, message, stack, JSON and util.inspect, every receiver answer and hook
 * argument, parsed callbacks, the simulator's answers, records and `--verbose` output, anything
 * printed to the console) and searched for the OAuth client secret and its Basic credential, the
 * M2M password, every access and session token issued, and the callback username and password.
 * test/unit/client/secrets.test.ts covers a ThingSpace that echoes secrets back in its messages.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import {
  createThingSpaceClient,
  type Clock,
  type ThingSpaceClient,
  type ThingSpaceClientOptions,
} from "../../../src/client/index.js";
import {
  callbackDedupeKey,
  createCallbackHandler,
  createCallbackTracker,
  createNodeCallbackListener,
  parseCallback,
  type CallbackHandlerOptions,
  type CallbackRequestHandler,
  type ParsedCallback,
} from "../../../src/callbacks/index.js";
import { startSimulatorServer, type SimulatorServer } from "../../../src/simulator/index.js";
import { specExample } from "../../support/spec-document.js";
import { listenOnLoopback } from "../input/support/loopback-server.js";
import { createLeakScanner } from "./support/leak-scanner.js";
import { startSimulatorCli } from "../../support/simulator-cli.js";

const clientId = "hardening-client-id";
const m2mUser = "hardening-m2m-user";
const basic = (secret: string) => Buffer.from(`${clientId}:${secret}`).toString("base64");
const secrets: Record<string, string> = {
  clientSecret: "oauth-client-secret-Hx81q",
  basicCredential: basic("oauth-client-secret-Hx81q"),
  wrongClientSecret: "oauth-wrong-secret-Jr70c",
  wrongBasicCredential: basic("oauth-wrong-secret-Jr70c"),
  m2mPassword: "m2m-password-Pz62w",
  wrongM2mPassword: "m2m-wrong-password-Nn13b",
  callbackUsername: "callback-user-Wd55e",
  callbackPassword: "callback-password-Ty40r",
};
const callbackCredentials = { username: secrets.callbackUsername!, password: secrets.callbackPassword! };
const scanner = createLeakScanner(secrets);
const imeis = ["990013907835573", "990013907835581"];
const activation = {
  servicePlan: "M2MPlan",
  mdnZipCode: "98801",
  devices: imeis.map((id) => ({ deviceIds: [{ kind: "imei" as const, id }] })),
};

/** The network, noting every token ThingSpace issues: each becomes a secret to look for. */
async function tokenNotingFetch(request: Request): Promise<Response> {
  const response = await fetch(request);
  const path = new URL(request.url).pathname;
  if (response.ok && (path.endsWith("/oauth2/token") || path.endsWith("/session/login"))) {
    const body = (await response.clone().json()) as { access_token?: string; sessionToken?: string };
    secrets[`issuedToken${Object.keys(secrets).length}`] = body.access_token ?? body.sessionToken!;
  }
  return response;
}

/** Waits no time at all (retry backoffs), so no test really waits. */
const instantClock: Clock = { now: () => Date.now(), sleep: async (_ms, signal) => signal?.throwIfAborted() };

let logLines = 0;
function newClient(
  label: string,
  options: Partial<ThingSpaceClientOptions> & { baseUrl: string },
  credentials: Partial<Record<"clientSecret" | "password", string>> = {},
): ThingSpaceClient {
  const log = (level: string) => (message: string, details?: Record<string, unknown>) => {
    logLines++;
    scanner.capture(`${label}: log ${level}`, message);
    if (details !== undefined) scanner.capture(`${label}: log ${level} details`, details);
  };
  return createThingSpaceClient({
    accountName: "TestAccount-1",
    credentials: {
      clientId,
      clientSecret: secrets.clientSecret!,
      username: m2mUser,
      password: secrets.m2mPassword!,
      ...credentials,
    },
    fetch: tokenNotingFetch,
    clock: instantClock,
    logger: { debug: log("debug"), info: log("info"), warn: log("warn"), error: log("error") },
    ...options,
  } as ThingSpaceClientOptions);
}

/** The failure of `call`, captured in every rendering; fails when `call` resolves. */
async function failureOf(label: string, call: Promise<unknown>): Promise<Error & Record<string, unknown>> {
  const error = await call.then(
    () => expect.unreachable(`${label} should fail`),
    (e: unknown) => e,
  );
  scanner.capture(label, error);
  return error as Error & Record<string, unknown>;
}

/** A receiver whose answers, hook arguments and parsed callbacks are all captured. */
function capturedReceiver(
  label: string,
  options: Partial<CallbackHandlerOptions> = {},
): { handler: CallbackRequestHandler; handled: ParsedCallback[] } {
  const handled: ParsedCallback[] = [];
  const onCallback = (callback: ParsedCallback) => {
    handled.push(callback);
    scanner.capture(`${label}: parsed callback`, callback);
  };
  const handler = createCallbackHandler({
    service: "CarrierService",
    credentials: callbackCredentials,
    handlers: { activateSucceeded: onCallback, activateFailed: onCallback },
    onInvalid: (event) => scanner.capture(`${label}: onInvalid`, event),
    onError: (error, details) => {
      scanner.capture(`${label}: onError`, error);
      scanner.capture(`${label}: onError details`, details);
    },
    ...options,
  } as CallbackHandlerOptions);
  const answered: CallbackRequestHandler = async (request, context) => {
    const response = await handler(request, context);
    scanner.capture(`${label}: answer ${response.status}`, await response.clone().text());
    return response;
  };
  return { handler: answered, handled };
}

const consoleLines: unknown[][] = [];
let server: SimulatorServer;
let listener: { origin: string; close: () => Promise<void> };
let releaseDelayed: () => void = () => undefined;
const receiver = capturedReceiver("receiver");

beforeAll(async () => {
  for (const method of ["log", "info", "warn", "error", "debug"] as const) {
    vi.spyOn(console, method).mockImplementation((...args: unknown[]) => void consoleLines.push(args));
  }
  const delayed = new Promise<void>((resolve) => (releaseDelayed = resolve));
  server = await startSimulatorServer({
    clients: { [clientId]: secrets.clientSecret! },
    users: { [m2mUser]: secrets.m2mPassword! },
    callbackDelayMs: 0,
    redeliveryDelayMs: 0,
    // Only an injected delayed answer waits (until the end); everything else is instant.
    clock: { now: () => Date.now(), sleep: (ms) => (ms >= 60_000 ? delayed : Promise.resolve()) },
  });
  listener = await listenOnLoopback(createNodeCallbackListener(receiver.handler));
});

afterAll(async () => {
  releaseDelayed();
  await server.close();
  await listener.close();
  vi.restoreAllMocks();
});

describe("no secret leaks", () => {
  it("(the scanner itself finds a secret in any rendering: message, stack, fields, a cause's fields)", () => {
    const control = createLeakScanner({ password: "control-password-1" });
    control.capture(
      "in a cause's field",
      new Error("outer", { cause: Object.assign(new Error("inner"), { body: "control-password-1" }) }),
    );
    control.capture(
      "in a hidden field",
      Object.defineProperty(new Error("x"), "secret", { value: "control-password-1", enumerable: false }),
    );
    control.capture("in a nested object", { a: [{ b: { c: "…control-password-1…" } }] });
    control.capture("nowhere", new Error("nothing to see"));
    expect(control.leaks()).toEqual([
      { where: "in a cause's field", secret: "password" },
      { where: "in a hidden field", secret: "password" },
      { where: "in a nested object", secret: "password" },
    ]);
  });

  it("from a whole flow: registration, activation, callbacks handled, session renewal, logout", async () => {
    const client = newClient("flow", { baseUrl: server.url });
    const url = `${listener.origin}/thingspace/carrier`;
    await client.registerCallback({ name: "CarrierService", url, ...callbackCredentials });
    const { requestId } = await client.activateDevices(activation);
    await server.simulator.idle();
    expect(receiver.handled.map((callback) => [callback.requestId, callback.kind, callback.deviceKey])).toEqual(
      imeis.map((id) => [requestId, "activateSucceeded", `imei:${id}`]),
    );
    const tracker = createCallbackTracker();
    tracker.expect(requestId, activation.devices);
    for (const callback of receiver.handled) tracker.record(callback);
    expect(tracker.report(requestId)).toMatchObject({ complete: true, missing: [] });
    scanner.capture("tracker report", tracker.report(requestId));

    server.simulator.expireSessions();
    // The listing carries the listener's credentials, as ThingSpace's does: the caller's data, not a leak.
    expect(await client.listCallbacks()).toEqual([
      { accountName: "TestAccount-1", serviceName: "CarrierService", url, ...callbackCredentials },
    ]);
    await client.logout();

    expect(server.simulator.deliveries().map((d) => [d.outcome, d.httpStatus])).toEqual([
      ["delivered", 200],
      ["delivered", 200],
    ]);
    scanner.capture("simulator deliveries", server.simulator.deliveries());
    scanner.capture("simulator registrations", server.simulator.callbackRegistrations("TestAccount-1"));
    scanner.capture("simulator undelivered", server.simulator.undelivered());
    expect(scanner.count("flow: log")).toBeGreaterThan(3);
    expect(scanner.count("receiver: answer 200")).toBe(2);
    expect(Object.keys(secrets).filter((name) => name.startsWith("issuedToken"))).toHaveLength(3); // a token and two sessions
    expect(scanner.leaks()).toEqual([]);
  });

  it("from every kind of client failure against the simulator", async () => {
    const baseUrl = server.url;
    const names: [string, string][] = [];
    const expectFailure = async (label: string, call: Promise<unknown>) =>
      names.push([label, (await failureOf(label, call)).name]);

    server.simulator.setFaults({ oauthFailure: { status: 401, times: 1 } });
    await expectFailure("OAuth failure", newClient("oauth", { baseUrl }).listCallbacks());
    await expectFailure(
      "wrong client secret",
      newClient("secret", { baseUrl }, { clientSecret: secrets.wrongClientSecret }).listCallbacks(),
    );
    await expectFailure(
      "wrong password",
      newClient("login", { baseUrl }, { password: secrets.wrongM2mPassword }).listCallbacks(),
    );

    // Long enough for a login and a call on a machine busy with the whole suite (50 ms was not),
    // short enough for the 60-second delayed answer below to end in a TimeoutError.
    const client = newClient("calls", { baseUrl, timeoutMs: 1_000 });
    await expectFailure("API error", client.deleteCallback("NiddService"));
    const badRegistration = {
      name: "CarrierService" as const,
      url: `not a url ${secrets.callbackPassword}`,
      username: secrets.callbackUsername,
      password: secrets.callbackPassword!.repeat(10),
    };
    await expectFailure("validation error", client.registerCallback(badRegistration));
    await expectFailure(
      "refused by the simulator",
      newClient("unchecked", { baseUrl, validate: false }).registerCallback(badRegistration),
    );
    server.simulator.setFaults({ delayResponse: { ms: 60_000, operation: "activateDevices", times: 1 } });
    await expectFailure("timeout", client.activateDevices(activation));
    server.simulator.setFaults({ resetConnection: { operation: "activateDevices", afterEffect: true, times: 1 } });
    await expectFailure("outcome unknown", client.activateDevices(activation));
    const closed = await listenOnLoopback(() => undefined);
    await closed.close();
    await expectFailure(
      "connection refused",
      newClient("offline", { baseUrl: `${closed.origin}/api` }).listCallbacks(),
    );

    expect(names).toEqual([
      ["OAuth failure", "AuthenticationError"],
      ["wrong client secret", "AuthenticationError"],
      ["wrong password", "AuthenticationError"],
      ["API error", "ThingSpaceApiError"],
      ["validation error", "ValidationError"],
      ["refused by the simulator", "ThingSpaceApiError"],
      ["timeout", "TimeoutError"],
      ["outcome unknown", "OutcomeUnknownError"],
      ["connection refused", "ConnectionError"],
    ]);
    expect(scanner.leaks()).toEqual([]);
  });

  it("from the simulator's own error answers", async () => {
    const post = async (label: string, path: string, init: RequestInit) => {
      const response = await fetch(`${server.url}${path}`, { method: "POST", ...init });
      scanner.capture(label, await response.text());
      return response.status;
    };
    const form = { "content-type": "application/x-www-form-urlencoded" };
    expect(
      await post("simulator: wrong client secret", "/ts/v1/oauth2/token", {
        headers: { authorization: `Basic ${secrets.wrongBasicCredential}`, ...form },
        body: "grant_type=client_credentials",
      }),
    ).toBe(401);
    expect(
      await post("simulator: bad grant", "/ts/v1/oauth2/token", {
        headers: { authorization: `Basic ${secrets.basicCredential}`, ...form },
        body: `grant_type=${secrets.clientSecret}`,
      }),
    ).toBe(400);
    expect(
      await post("simulator: no bearer", "/m2m/v1/session/login", {
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ username: m2mUser, password: secrets.m2mPassword }),
      }),
    ).toBe(401);
    const token = await fetch(`${server.url}/ts/v1/oauth2/token`, {
      method: "POST",
      headers: { authorization: `Basic ${secrets.basicCredential}`, ...form },
      body: "grant_type=client_credentials",
    });
    const bearer = {
      authorization: `Bearer ${((await token.json()) as { access_token: string }).access_token}`,
      "content-type": "application/json",
    };
    expect(
      await post("simulator: wrong password", "/m2m/v1/session/login", {
        headers: bearer,
        body: JSON.stringify({ username: m2mUser, password: secrets.wrongM2mPassword }),
      }),
    ).toBe(400);
    expect(
      await post("simulator: login body not JSON", "/m2m/v1/session/login", {
        headers: bearer,
        body: `{"password":"${secrets.m2mPassword}"`,
      }),
    ).toBe(400);
    expect(
      await post("simulator: login with extra field", "/m2m/v1/session/login", {
        headers: bearer,
        body: JSON.stringify({ username: m2mUser, password: secrets.m2mPassword, remember: true }),
      }),
    ).toBe(400);
    expect(scanner.leaks()).toEqual([]);
  });

  it("from the receiver's answers, hooks and parsed callbacks on every path", async () => {
    const valid = { ...specExample<Record<string, unknown>>("CarrierServiceActivateFailed"), ...callbackCredentials };
    const post = (handler: CallbackRequestHandler, body: string) =>
      handler(
        new Request("http://127.0.0.1/thingspace/carrier", {
          method: "POST",
          headers: { "content-type": "application/json" },
          body,
        }),
      ).then((r) => r.status);
    const json = (value: object) => JSON.stringify(value);

    const statuses = [
      await post(receiver.handler, json({ ...valid, password: "not-the-password" })),
      await post(receiver.handler, json({ ...valid, username: "someone-else" })),
      await post(receiver.handler, json({ ...valid, status: "", faultResponse: { faultcode: 5 } })),
      await post(
        receiver.handler,
        `{"username":"${secrets.callbackUsername}","password":"${secrets.callbackPassword}",`,
      ),
    ];
    const throwing = capturedReceiver("throwing handler", {
      handlers: { activateFailed: () => Promise.reject(new Error("the database is down")) },
    });
    statuses.push(await post(throwing.handler, json(valid)));
    const failingHook = capturedReceiver("failing onInvalid", {
      onInvalid: () => Promise.reject(new Error("the alerting is down")),
    });
    statuses.push(await post(failingHook.handler, json({ ...valid, requestId: 7 })));
    const slow = capturedReceiver("time budget", {
      handlers: { activateFailed: () => new Promise(() => undefined) },
      clock: { now: () => 0, sleep: async () => undefined },
      timeBudgetMs: 1,
    });
    statuses.push(await post(slow.handler, json(valid)));
    expect(statuses).toEqual([401, 401, 400, 400, 500, 400, 503]);

    const parsed = parseCallback(json(valid), { service: "CarrierService" });
    expect(parsed.ok).toBe(true);
    if (parsed.ok) {
      scanner.capture("parseCallback result", parsed);
      scanner.capture("dedupe key", callbackDedupeKey({ ...parsed.callback, deviceKey: "" }));
    }
    scanner.capture(
      "parseCallback violations",
      parseCallback(json({ ...valid, deviceIds: "x" }), { service: "CarrierService" }),
    );
    expect(scanner.count("receiver: onInvalid")).toBeGreaterThan(0);
    expect(scanner.count("throwing handler: onError")).toBeGreaterThan(0);
    expect(scanner.count("failing onInvalid: onError")).toBeGreaterThan(0);
    expect(scanner.count("time budget: onError")).toBeGreaterThan(0);
    expect(scanner.leaks()).toEqual([]);
  });

  it("from the simulator CLI's --verbose output", async () => {
    const cli = await startSimulatorCli("--verbose");
    const client = newClient("cli", { baseUrl: cli.url });
    await client.registerCallback({
      name: "CarrierService",
      url: `${listener.origin}/thingspace/carrier`,
      ...callbackCredentials,
    });
    await client.activateDevices(activation);
    await failureOf(
      "cli: refused registration",
      newClient("cli unchecked", { baseUrl: cli.url, validate: false }).registerCallback({
        name: "CarrierService",
        url: "ftp://x",
        ...callbackCredentials,
      }),
    );
    expect(await cli.stop()).toEqual([0, null]);
    const { stdout, stderr } = cli.output();
    scanner.capture("cli stdout", stdout);
    scanner.capture("cli stderr", stderr);
    expect(stdout).toContain("POST /api/ts/v1/oauth2/token 200\n");
    expect(stdout).toContain("POST /api/m2m/v1/session/login 200\n");
    expect(stdout).toContain("POST /api/m2m/v1/callbacks/TestAccount-1 200\n");
    expect(stdout).toContain("POST /api/m2m/v1/callbacks/TestAccount-1 400\n");
    expect(stdout).toContain("POST /api/m2m/v1/devices/actions/activate 200\n");
    expect(stderr).toBe("");
    expect(scanner.leaks()).toEqual([]);
  });

  it("and nothing at all is printed to the console by the library", () => {
    expect(consoleLines).toEqual([]);
    expect(logLines).toBeGreaterThan(10);
  });
});

/**
 * A simulator for tests: a clock that only moves when told, instant sleeps (recorded), numbered
 * request ids and a recording `fetch` standing in for the callback listener.
 */
import type { components } from "../../../generated/openapi-types.js";
import type { Clock } from "../../../src/shared/clock.js";
import { createSimulator } from "../../../src/simulator/simulator.js";
import type { SimulatorOptions } from "../../../src/simulator/options.js";

type DeviceId = components["schemas"]["DeviceId"];

/** A callback the listener received. */
export interface ReceivedCallback {
  url: string;
  body: Record<string, any>;
}

/** The identifiers of the `index`th test device: a 15-digit IMEI and a 20-digit ICCID. */
export function testDeviceIds(index: number): DeviceId[] {
  return [
    { kind: "imei", id: String(990_000_000_000_000 + index) },
    { kind: "iccid", id: `8914${String(index).padStart(16, "0")}` },
  ];
}

/** `count` test devices as request items. */
export function testDevices(count: number, from = 0): { deviceIds: DeviceId[] }[] {
  return Array.from({ length: count }, (_, i) => ({ deviceIds: testDeviceIds(from + i) }));
}

/** An activate body for these devices. */
export function activateBody(devices: { deviceIds: DeviceId[] }[], extra: Record<string, unknown> = {}) {
  return { devices, accountName: "TestAccount-1", servicePlan: "M2M-PLAN", mdnZipCode: "98801", ...extra };
}

/** A goToState body for these devices. */
export function goToStateBody(devices: { deviceIds: DeviceId[] }[], extra: Record<string, unknown> = {}) {
  return {
    devices,
    serviceName: "Fleet",
    stateName: "Monitoring",
    servicePlan: "M2M-PLAN",
    mdnZipCode: "98801",
    ...extra,
  };
}

/** Creates a simulator wired for tests; `sleep` replaces the clock's recording, instant sleep. */
export function simulatorHarness({ sleep, ...options }: SimulatorOptions & { sleep?: Clock["sleep"] } = {}) {
  let now = Date.UTC(2025, 0, 1);
  let ids = 0;
  const received: ReceivedCallback[] = [];
  const sleeps: number[] = [];
  let answer: (callback: ReceivedCallback) => number = () => 200;
  const simulator = createSimulator({
    clock: {
      now: () => now,
      sleep:
        sleep ??
        (async (ms, signal) => {
          sleeps.push(ms);
          signal?.throwIfAborted();
        }),
    },
    requestId: () => `request-${++ids}`,
    fetch: async (url, init) => {
      const callback = { url, body: JSON.parse(String(init.body)) as Record<string, any> };
      received.push(callback);
      return new Response(null, { status: answer(callback) });
    },
    ...options,
  });
  let tokens: { bearer: string; session: string } | undefined;

  async function request(
    method: string,
    path: string,
    init: { body?: unknown; bearer?: string; session?: string; headers?: Record<string, string> } = {},
  ): Promise<Response> {
    const headers: Record<string, string> = { ...init.headers };
    if (init.bearer !== undefined) headers.authorization = `Bearer ${init.bearer}`;
    if (init.session !== undefined) headers["vz-m2m-token"] = init.session;
    if (init.body !== undefined && typeof init.body !== "string") headers["content-type"] ??= "application/json";
    const body =
      init.body === undefined ? undefined : typeof init.body === "string" ? init.body : JSON.stringify(init.body);
    return simulator.handle(new Request(`http://simulator.test/api${path}`, { method, headers, body }));
  }

  async function accessToken(): Promise<string> {
    const response = await request("POST", "/ts/v1/oauth2/token", {
      headers: { authorization: `Basic ${btoa("client:secret")}`, "content-type": "application/x-www-form-urlencoded" },
      body: "grant_type=client_credentials",
    });
    return ((await response.json()) as { access_token: string }).access_token;
  }

  async function signIn(username = "user", password = "pass"): Promise<{ bearer: string; session: string }> {
    const bearer = await accessToken();
    const response = await request("POST", "/m2m/v1/session/login", { bearer, body: { username, password } });
    tokens = { bearer, session: ((await response.json()) as { sessionToken: string }).sessionToken };
    return tokens;
  }

  /** An M2M call with the harness's tokens (signing in on first use). */
  async function m2m(method: string, path: string, body?: unknown): Promise<Response> {
    tokens ??= await signIn();
    return request(method, `/m2m/v1${path}`, { ...tokens, body });
  }

  /** Registers the recording listener for a service of an account. */
  async function listen(name: string, accountName = "TestAccount-1", url = `http://listener.test/${name}`) {
    const response = await m2m("POST", `/callbacks/${accountName}`, {
      name,
      url,
      username: "cb-user",
      password: "cb-pass",
    });
    if (response.status !== 200) throw new Error(`registering ${name} failed: ${await response.text()}`);
  }

  return {
    simulator,
    received,
    sleeps,
    request,
    accessToken,
    signIn,
    m2m,
    listen,
    advance: (ms: number) => {
      now += ms;
    },
    answerCallbacks: (next: (callback: ReceivedCallback) => number) => {
      answer = next;
    },
  };
}

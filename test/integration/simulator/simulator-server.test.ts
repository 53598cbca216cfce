import { afterEach, describe, expect, it } from "vitest";
import { startSimulatorServer, type SimulatorServer } from "../../../src/simulator/server.js";
import type { SimulatorServerOptions } from "../../../src/simulator/server.js";
import { validatorFor } from "../../support/spec-document.js";
import { activateBody, goToStateBody, testDeviceIds, testDevices } from "../../unit/simulator/simulator-harness.js";
import { startCallbackReceiver } from "./callback-receiver.js";

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function start(options: SimulatorServerOptions = {}, answer?: (body: Record<string, any>) => number) {
  const server = await startSimulatorServer({ port: 0, callbackDelayMs: 0, redeliveryDelayMs: 0, ...options });
  cleanups.push(() => server.close());
  const receiver = await startCallbackReceiver(answer);
  cleanups.push(() => receiver.close());
  const client = await signIn(server);
  for (const name of ["CarrierService", "StateService"]) {
    const registered = await client("POST", "/callbacks/TestAccount-1", {
      name,
      url: `${receiver.url}/${name}`,
      username: "listener",
      password: "listener-secret",
    });
    expect(registered.status).toBe(200);
  }
  return { server, receiver, client };
}

async function signIn(server: SimulatorServer) {
  const token = await fetch(`${server.url}/ts/v1/oauth2/token`, {
    method: "POST",
    headers: {
      authorization: `Basic ${Buffer.from("client:secret").toString("base64")}`,
      "content-type": "application/x-www-form-urlencoded",
    },
    body: "grant_type=client_credentials",
  });
  const { access_token } = (await token.json()) as { access_token: string };
  const login = await fetch(`${server.url}/m2m/v1/session/login`, {
    method: "POST",
    headers: { authorization: `Bearer ${access_token}`, "content-type": "application/json" },
    body: JSON.stringify({ username: "user", password: "pass" }),
  });
  const { sessionToken } = (await login.json()) as { sessionToken: string };
  return (method: string, path: string, body?: unknown, signal?: AbortSignal) =>
    fetch(`${server.url}/m2m/v1${path}`, {
      method,
      signal,
      headers: {
        authorization: `Bearer ${access_token}`,
        "vz-m2m-token": sessionToken,
        "content-type": "application/json",
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
}

describe("simulator server on loopback", () => {
  it("serves the whole flow and delivers valid callbacks to a real listener", async () => {
    const { server, receiver, client } = await start();
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/api$/);
    const added = await client("POST", "/devices/actions/add", { devicesToAdd: testDevices(3), state: "preactive" });
    expect(added.status).toBe(200);
    const activated = await client("POST", "/devices/actions/activate", activateBody(testDevices(3)));
    const { requestId } = (await activated.json()) as { requestId: string };
    await server.simulator.idle();
    const moved = await client("PUT", "/devices/actions/goToState", goToStateBody(testDevices(3)));
    expect(moved.status).toBe(200);
    await server.simulator.idle();

    const carrier = receiver.received.filter(({ path }) => path === "/CarrierService").map(({ body }) => body);
    const state = receiver.received.filter(({ path }) => path === "/StateService").map(({ body }) => body);
    expect(
      carrier.map((body) => [body.requestId, body.status, body.username, body.password, body.callbackCount]),
    ).toEqual([0, 1, 2].map(() => [requestId, "Success", "listener", "listener-secret", 1]));
    expect(state.map((body) => body.deviceResponse.goToStateResponse.stateName)).toEqual([
      "Monitoring",
      "Monitoring",
      "Monitoring",
    ]);
    const validCarrier = validatorFor("CarrierServiceCallback");
    const validState = validatorFor("StateServiceCallback");
    expect([...carrier.map((body) => validCarrier(body)), ...state.map((body) => validState(body))]).toEqual(
      Array(6).fill(true),
    );
    expect(server.simulator.devices("TestAccount-1").map(({ state: s }) => s)).toEqual([
      "Monitoring",
      "Monitoring",
      "Monitoring",
    ]);
  });

  it("re-sends callbacks the listener refuses, with callbackCount counting up", async () => {
    const { server, receiver, client } = await start({}, (body) => (body.callbackCount === 1 ? 503 : 200));
    await client("POST", "/devices/actions/activate", activateBody(testDevices(2)));
    await server.simulator.idle();
    const counts = receiver.received.map(({ body }) => `${body.deviceIds[0].id}#${body.callbackCount}`).sort();
    expect(counts).toEqual([0, 1].flatMap((i) => [`${testDeviceIds(i)[0]!.id}#1`, `${testDeviceIds(i)[0]!.id}#2`]));
  });

  it("delivers a 200-device request with at most callbackConcurrency callbacks in flight", async () => {
    const { server, receiver, client } = await start({ callbackConcurrency: 4 });
    await client("POST", "/devices/actions/activate", activateBody(testDevices(200)));
    await server.simulator.idle();
    expect(receiver.received).toHaveLength(200);
    expect(new Set(receiver.received.map(({ body }) => body.deviceIds[0].id)).size).toBe(200);
    expect(receiver.mostInFlight()).toBeLessThanOrEqual(4);
  });

  it("really resets the connection on an injected reset, after the request took effect", async () => {
    const { server, client } = await start();
    server.simulator.setFaults({ resetConnection: { operation: "activateDevices", afterEffect: true, times: 1 } });
    await expect(client("POST", "/devices/actions/activate", activateBody(testDevices(1)))).rejects.toThrow(
      "fetch failed",
    );
    expect(server.simulator.devices().map(({ state }) => state)).toEqual(["ACTIVE"]);
    expect((await client("GET", "/callbacks/TestAccount-1")).status).toBe(200);
  });

  it("answers the rate limit with 429 and a Retry-After header", async () => {
    const { client } = await start({ activateRequestsPerMinute: 1 });
    expect((await client("POST", "/devices/actions/activate", activateBody(testDevices(1)))).status).toBe(200);
    const limited = await client("POST", "/devices/actions/activate", activateBody(testDevices(1, 1)));
    expect([limited.status, limited.headers.get("retry-after")]).toEqual([429, "60"]);
    expect(((await limited.json()) as { errorCode: string }).errorCode).toBe("REQUEST_FAILED.RateLimitExceeded");
  });
});

describe("simulator server: an answer delayed after the request took effect", () => {
  it("lets the client give up while the activation stands, and keeps serving", async () => {
    let tookEffect!: () => void;
    const effect = new Promise<void>((resolve) => (tookEffect = resolve));
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const { server, client } = await start({
      clock: {
        now: () => Date.now(),
        sleep: (ms) => {
          if (ms !== 30_000) return Promise.resolve();
          tookEffect();
          return held;
        },
      },
    });
    server.simulator.setFaults({ delayResponse: { ms: 30_000, operation: "activateDevices", times: 1 } });
    const controller = new AbortController();
    const answer = client("POST", "/devices/actions/activate", activateBody(testDevices(1)), controller.signal).catch(
      (error: Error) => error.name,
    );
    await effect;
    expect(server.simulator.devices().map(({ state }) => state)).toEqual(["ACTIVE"]);
    controller.abort();
    expect(await answer).toBe("AbortError");
    release();
    await server.simulator.idle();
    expect((await client("GET", "/callbacks/TestAccount-1")).status).toBe(200);
    expect(server.simulator.deliveries().map(({ result, outcome }) => `${result}:${outcome}`)).toEqual([
      "Success:delivered",
    ]);
  });
});

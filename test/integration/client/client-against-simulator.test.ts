// The client over real HTTP (127.0.0.1) against the project's simulator: the contracts between
// them (paths, tokens, errors, rate limit, callbacks) hold on the wire. The simulator and the
// client share one fake clock, so pacing, Retry-After and session expiry never really wait.
import { describe, expect, it } from "vitest";
import { createThingSpaceClient } from "../../../src/client/index.js";
import { AuthenticationError, OutcomeUnknownError, ConnectionError } from "../../../src/client/index.js";
import type { ThingSpaceCommonOptions } from "../../../src/client/index.js";
import type { SimulatorServerOptions } from "../../../src/simulator/index.js";
import { createFakeClock } from "../../unit/client/helpers/fake-clock.js";
import { devices } from "../../unit/client/helpers/test-client.js";
import { closedPort } from "../../support/closed-port.js";
import { simulatorCredentials, startSimulatorWithClient } from "../../support/simulator-client.js";

const plan = { servicePlan: "M2MPlan", mdnZipCode: "98801" };

/** A simulator on a loopback port and a client on it, both on one fake clock; the callbacks it sends are kept. */
async function setup(
  simulatorOptions: SimulatorServerOptions = {},
  clientOptions: Partial<ThingSpaceCommonOptions> = {},
) {
  const clock = createFakeClock();
  const callbacks: Record<string, unknown>[] = [];
  const started = await startSimulatorWithClient(
    {
      clock: { now: clock.now, sleep: async () => undefined },
      fetch: async (_url, init) => {
        callbacks.push(JSON.parse(String(init.body)) as Record<string, unknown>);
        return new Response(null, { status: 204 });
      },
      ...simulatorOptions,
    },
    { clock, ...clientOptions },
  );
  return { ...started, clock, callbacks };
}

describe("client against the simulator, over HTTP", () => {
  it("registers a listener, adds, activates in batches and moves devices; callbacks carry each chunk's requestId", async () => {
    const { client, simulator, callbacks } = await setup();
    const listener = { url: "https://listener.example/carrier", username: "listener", password: "listener-secret-1" };
    expect(await client.registerCallback({ name: "CarrierService", ...listener })).toEqual({
      accountName: "TestAccount-1",
      serviceName: "CarrierService",
    });
    expect(await client.listCallbacks()).toEqual([
      { accountName: "TestAccount-1", serviceName: "CarrierService", ...listener },
    ]);

    const added = await client.addDevicesInBatches(devices(250), { state: "preactive" });
    expect(added).toMatchObject({ chunkSize: 200, deviceCount: 250, acceptedCount: 250 });

    const activated = await client.activateDevicesInBatches(devices(250), plan, { chunkSize: 100 });
    expect(activated.chunks.map((c) => [c.status, c.deviceCount])).toEqual([
      ["accepted", 100],
      ["accepted", 100],
      ["accepted", 50],
    ]);
    await simulator.idle();
    const requestIds = activated.chunks.map((c) => c.requestId);
    expect(callbacks).toHaveLength(250);
    expect(new Set(callbacks.map((c) => c.requestId))).toEqual(new Set(requestIds));
    expect(
      callbacks.every((c) => c.username === "listener" && c.password === "listener-secret-1" && c.status === "Success"),
    ).toBe(true);
    expect(simulator.devices("TestAccount-1").filter((d) => d.state === "ACTIVE")).toHaveLength(250);

    const moved = await client.goToState({
      devices: devices(2),
      serviceName: "Business",
      stateName: "Suspended",
      ...plan,
    });
    expect(moved.requestId).toEqual(expect.any(String));
    await expect(client.deleteCallback("CarrierService")).resolves.toEqual({
      accountName: "TestAccount-1",
      serviceName: "CarrierService",
    });
    await client.logout();
    expect(simulator.calls("getAccessToken")).toBe(1);
    expect(simulator.calls("logIn")).toBe(1);
    expect(simulator.calls("logOut")).toBe(1);
  });

  it("a session that expires in the middle of a batch is renewed once and every chunk is accepted", async () => {
    const { client, simulator } = await setup();
    simulator.setFaults({ expireSessionsAfterCalls: 2 });
    const result = await client.activateDevicesInBatches(devices(5), plan, { chunkSize: 1 });
    expect(result.chunks.map((c) => c.status)).toEqual(Array(5).fill("accepted"));
    expect(simulator.calls("logIn")).toBe(2);
    expect(simulator.calls("activateDevices")).toBe(6);
  });

  it("client pacing keeps under the simulator's rate limit; without it, the 429's Retry-After is honoured", async () => {
    const paced = await setup({ activateRequestsPerMinute: 2 }, { pacing: { limit: 2 } });
    await paced.client.activateDevicesInBatches(devices(5), plan, { chunkSize: 1 });
    expect(paced.simulator.calls("activateDevices")).toBe(5);
    expect(paced.clock.sleeps).toEqual([61_000, 61_000]);
    await paced.close();

    const unpaced = await setup({ activateRequestsPerMinute: 2 }, { pacing: { limit: 1000 } });
    const result = await unpaced.client.activateDevicesInBatches(devices(3), plan, { chunkSize: 1 });
    expect(result.chunks.map((c) => c.status)).toEqual(["accepted", "accepted", "accepted"]);
    expect(unpaced.simulator.calls("activateDevices")).toBe(4); // one 429, then the retry
    expect(unpaced.clock.sleeps).toHaveLength(1);
    expect(unpaced.clock.sleeps[0]).toBeGreaterThan(0);
  });

  it("a connection reset after the activation took effect is an OutcomeUnknownError, never replayed", async () => {
    const { client, simulator } = await setup();
    simulator.setFaults({ resetConnection: { operation: "activateDevices", afterEffect: true, times: 1 } });
    const error = await client.activateDevices({ ...plan, devices: devices(1) }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OutcomeUnknownError);
    expect(error).toMatchObject({ reason: "connection-lost" });
    expect(simulator.calls("activateDevices")).toBe(1);
    expect(simulator.devices("TestAccount-1").map((d) => d.state)).toEqual(["ACTIVE"]);
  });

  it("a refused login is sent once and never again, whatever the later calls", async () => {
    const { client, simulator } = await setup();
    simulator.registerUser("operator", "the-real-password");
    const error = await client.listCallbacks().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthenticationError);
    expect(error).toMatchObject({ stage: "login", resetRequired: true, errorClass: expect.any(String) });
    await expect(client.activateDevices({ ...plan, devices: devices(1) })).rejects.toBeInstanceOf(AuthenticationError);
    expect(simulator.calls("logIn")).toBe(1);

    client.resetAuthentication({ password: "the-real-password" });
    await expect(client.listCallbacks()).resolves.toEqual([]);
    expect(simulator.calls("logIn")).toBe(2);
  });

  it("after five refused logins the simulator locks the user: the client says to contact support", async () => {
    const { client, simulator } = await setup();
    simulator.registerUser("operator", "the-real-password");
    for (let attempt = 1; attempt <= 5; attempt++) {
      await expect(client.listCallbacks()).rejects.toMatchObject({ stage: "login", userLocked: false });
      client.resetAuthentication();
    }
    client.resetAuthentication({ username: "operator", password: "the-real-password" });
    const error = await client.listCallbacks().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthenticationError);
    expect(error).toMatchObject({ stage: "login", userLocked: true, resetRequired: true });
    expect((error as Error).message).toContain("contact Verizon ThingSpace support to unlock it");
    expect(simulator.calls("logIn")).toBe(6);
  });

  it("a port nobody listens on: the connection is retried, then a ConnectionError of stage token", async () => {
    const clock = createFakeClock();
    const client = createThingSpaceClient({
      baseUrl: `http://127.0.0.1:${await closedPort()}/api`,
      credentials: simulatorCredentials,
      clock,
      accountName: "TestAccount-1",
    });
    const error = await client.listCallbacks().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectionError);
    expect(error).toMatchObject({ stage: "token", code: "ECONNREFUSED", attempts: 4 });
    expect(clock.sleeps).toEqual([1000, 2000, 4000]);
  });
});

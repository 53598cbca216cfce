// Authentication faults against the simulator, through the real client over loopback, with a
// real callback receiver: a session that expires in the middle of a batch (the client logs in
// again once, and no device is activated twice), and an OAuth token endpoint that fails (a
// clear AuthenticationError before any login or M2M call).
import { afterEach, describe, expect, it } from "vitest";
import { AuthenticationError } from "../../../src/client/index.js";
import { closeRigs, devices, keyOf, plan, startFaultRig } from "./fault-rig.js";

afterEach(closeRigs);

describe("a session that expires in the middle of a batch", () => {
  it("is renewed by one login, the refused chunk is replayed once, and every device is activated and handled exactly once", async () => {
    const { client, simulator, receiver } = await startFaultRig();
    // The first activate passes; the second finds the session expired (400 SessionToken.Expired).
    simulator.setFaults({ expireSessionsAfterCalls: 1 });

    const result = await client.activateDevicesInBatches(devices(30), plan, {
      chunkSize: 10,
      onChunk: (chunk) => {
        receiver.tracker.expectChunk(chunk);
      },
    });
    expect(result).toMatchObject({ deviceCount: 30, acceptedCount: 30, failedCount: 0, skippedCount: 0 });
    expect(result.chunks.map((chunk) => chunk.status)).toEqual(["accepted", "accepted", "accepted"]);
    expect(simulator.calls("logIn")).toBe(2);
    expect(simulator.calls("getAccessToken")).toBe(1);
    expect(simulator.calls("activateDevices")).toBe(4); // 3 chunks + the one refused for its session

    const report = await receiver.tracker.waitAll({ timeoutMs: 30_000 });
    await simulator.idle();
    expect(report).toMatchObject({ complete: true, missing: [] });
    expect(report.reported).toHaveLength(30);
    expect(report.reported.every((outcome) => outcome.outcome === "succeeded")).toBe(true);
    expect(new Set(report.requests.map((request) => request.requestId))).toEqual(
      new Set(result.chunks.map((chunk) => chunk.requestId)),
    );
    // No duplicate activation: each device's result handled once, no DeviceAlreadyActive anywhere.
    expect([...receiver.activated.keys()].sort()).toEqual(Array.from({ length: 30 }, (_, n) => keyOf(n)).sort());
    expect([...receiver.activated.values()].every((times) => times === 1)).toBe(true);
    expect(receiver.failed.size).toBe(0);
    expect(simulator.deliveries().map((attempt) => [attempt.callbackCount, attempt.outcome])).toEqual(
      Array(30).fill([1, "delivered"]),
    );
    expect(simulator.devices().map((d) => d.state)).toEqual(Array(30).fill("ACTIVE"));
  });
});

describe("an OAuth token endpoint that fails", () => {
  it("401 invalid_client: an AuthenticationError naming what to check; no login and no M2M call; the next call asks again", async () => {
    const { client, simulator, receiver } = await startFaultRig({ register: false });
    simulator.setFaults({ oauthFailure: { status: 401, times: 1 } });

    const error = await client.activateDevices({ ...plan, devices: devices(1) }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthenticationError);
    expect(error).toMatchObject({ stage: "token", status: 401, resetRequired: false });
    expect((error as Error).message).toContain("ThingSpace refused the OAuth token request");
    expect((error as Error).message).toContain("Check the clientId and clientSecret options");
    expect((error as Error).message).not.toContain("fault-client-secret");
    expect(simulator.calls("getAccessToken")).toBe(1);
    expect(simulator.calls("logIn")).toBe(0);
    expect(simulator.calls("activateDevices")).toBe(0);
    expect(simulator.devices()).toEqual([]);

    // A token failure does not lock the client: once the endpoint works, the call goes through.
    await client.registerCallback({
      name: "CarrierService",
      url: receiver.url,
      username: "fault-listener",
      password: "fault-listener-secret-1",
    });
    await client.activateDevices({ ...plan, devices: devices(1) });
    await simulator.idle();
    expect(simulator.calls("getAccessToken")).toBe(2);
    expect(simulator.calls("logIn")).toBe(1);
    expect(simulator.calls("activateDevices")).toBe(1);
    expect(Object.fromEntries(receiver.activated)).toEqual({ [keyOf(0)]: 1 });
  });

  it("503 from the token endpoint: retried with backoff (a token request changes nothing), then an AuthenticationError with the status; nothing else is sent", async () => {
    const { client, simulator, clock } = await startFaultRig({ register: false });
    simulator.setFaults({ oauthFailure: { status: 503 } });

    const error = await client.activateDevices({ ...plan, devices: devices(1) }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthenticationError);
    expect(error).toMatchObject({ stage: "token", status: 503 });
    expect((error as Error).message).toContain("ThingSpace's OAuth server is unavailable or busy");
    expect((error as Error).message).not.toContain("Check the clientId");
    expect(simulator.calls("getAccessToken")).toBe(4);
    expect(clock.sleeps).toEqual([1_000, 2_000, 4_000]);
    expect(simulator.calls("logIn")).toBe(0);
    expect(simulator.calls("activateDevices")).toBe(0);
  });
});

// Connection faults against the simulator, through the real client over loopback, with a real
// callback receiver. The client's documentation: only what cannot have taken effect is retried
// (a connection never made); a connection lost after sending, or no answer in time, is an
// OutcomeUnknownError that is never replayed and says how to check (client.checkOutcome(error)).
// A reset cannot tell the client whether the request was read, so a reset before the effect is
// reported the same way, and the safe resend is the caller's, after checking.
import { afterEach, describe, expect, it } from "vitest";
import {
  AuthenticationError,
  createThingSpaceClient,
  OutcomeUnknownError,
  TimeoutError,
} from "../../../src/client/index.js";
import { startSimulatorServer } from "../../../src/simulator/index.js";
import { startFaultReceiver } from "./fault-receiver.js";
import {
  accountName,
  closeRigs,
  createTestClock,
  device,
  keyOf,
  onClose,
  plan,
  quickSimulator,
  registerDirectly,
  startFaultRig,
  tokensFrom,
} from "./fault-rig.js";
import { createSleepGate } from "./sleep-gate.js";
import { closedPort } from "../../support/closed-port.js";

afterEach(closeRigs);

const howToCheck =
  "Before sending it again, find out whether it took effect: client.checkOutcome(error) looks its devices up " +
  "(POST /devices/actions/list); if ThingSpace accepted the request, its callbacks will still arrive.";

describe("a connection that fails before the request reached ThingSpace", () => {
  it("connection refused: the client retries after its backoff and the device is activated exactly once", async () => {
    // The simulator is not listening yet; it starts during the client's first backoff wait. Tokens
    // come from providers, so the activate is the client's first request (no login on the way).
    const simulator = quickSimulator();
    onClose(() => simulator.close());
    const tokens = await tokensFrom(simulator);
    const receiver = await startFaultReceiver();
    onClose(() => receiver.stop());
    await registerDirectly(simulator, tokens, receiver.url);
    const port = await closedPort();
    const clock = createTestClock(async () => {
      if (clock.sleeps.length !== 1) return;
      const server = await startSimulatorServer({ simulator, port });
      onClose(() => server.close());
    });
    const client = createThingSpaceClient({
      baseUrl: `http://127.0.0.1:${port}/api`,
      accessToken: () => tokens.accessToken,
      sessionToken: () => tokens.sessionToken,
      accountName,
      clock,
    });

    const { requestId } = await client.activateDevices({ ...plan, devices: [device(0)] });
    expect(requestId).toEqual(expect.any(String));
    expect(clock.sleeps).toEqual([1000]); // one backoff, then the retry was answered
    expect(simulator.calls("activateDevices")).toBe(1);
    await simulator.idle();
    expect(Object.fromEntries(receiver.activated)).toEqual({ [keyOf(0)]: 1 });
    expect(simulator.deliveries().map((attempt) => [attempt.requestId, attempt.outcome])).toEqual([
      [requestId, "delivered"],
    ]);
  });

  it("a reset before the request took effect: OutcomeUnknownError, not replayed; after checking, the caller's resend activates it once", async () => {
    const { client, simulator, receiver } = await startFaultRig();
    simulator.setFaults({ resetConnection: { operation: "activateDevices", afterEffect: false, times: 1 } });

    const error = await client.activateDevices({ ...plan, devices: [device(0)] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OutcomeUnknownError);
    expect(error).toMatchObject({
      reason: "connection-lost",
      operation: "POST /api/m2m/v1/devices/actions/activate",
      howToCheck,
    });
    expect((error as Error).message).toContain("it may have taken effect, so it was not sent again");
    expect(simulator.calls("activateDevices")).toBe(1);
    // The check the error advises finds nothing done, so sending again is safe.
    expect(simulator.device(accountName, device(0).deviceIds[0]!)).toBeUndefined();
    await simulator.idle();
    expect(simulator.deliveries()).toEqual([]);

    await client.activateDevices({ ...plan, devices: [device(0)] });
    await simulator.idle();
    expect(simulator.calls("activateDevices")).toBe(2);
    expect(Object.fromEntries(receiver.activated)).toEqual({ [keyOf(0)]: 1 });
    expect(receiver.failed.size).toBe(0);
  });
});

describe("a request that took effect but whose answer was lost", () => {
  it("a reset after the effect: OutcomeUnknownError saying how to check, never replayed; the callback still arrives, handled once", async () => {
    const { client, simulator, receiver } = await startFaultRig();
    simulator.setFaults({ resetConnection: { operation: "activateDevices", afterEffect: true, times: 1 } });

    const error = await client.activateDevices({ ...plan, devices: [device(0), device(1)] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OutcomeUnknownError);
    expect(error).not.toBeInstanceOf(TimeoutError);
    expect(error).toMatchObject({ reason: "connection-lost", howToCheck });
    expect((error as Error).message).toBe(
      `POST /api/m2m/v1/devices/actions/activate lost its connection; it may have taken effect, so it was not sent again. ${howToCheck}`,
    );
    await simulator.idle();
    expect(simulator.calls("activateDevices")).toBe(1);
    expect(simulator.devices().map((d) => d.state)).toEqual(["ACTIVE", "ACTIVE"]);
    expect(Object.fromEntries(receiver.activated)).toEqual({ [keyOf(0)]: 1, [keyOf(1)]: 1 });
    expect(receiver.failed.size).toBe(0);
  });

  it("no answer within timeoutMs: a TimeoutError (an OutcomeUnknownError), no second activation once the late answer comes", async () => {
    const gate = createSleepGate(60_000);
    const { client, simulator, receiver } = await startFaultRig({
      simulator: { clock: gate },
      client: { timeoutMs: 1_500 },
    });
    // The simulator activates, then holds its answer until the test lets it go.
    simulator.setFaults({ delayResponse: { ms: 60_000, operation: "activateDevices", times: 1 } });

    const error = await client.activateDevices({ ...plan, devices: [device(0)] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error).toBeInstanceOf(OutcomeUnknownError);
    expect(error).toMatchObject({ reason: "timeout", timeoutMs: 1_500, howToCheck });
    expect((error as Error).message).toBe(
      `POST /api/m2m/v1/devices/actions/activate got no answer within 1500 ms; it may have taken effect, so it was not sent again. ${howToCheck}`,
    );
    await gate.whenHeld(1); // the simulator did take the request, and is still holding the answer
    expect(simulator.devices().map((d) => d.state)).toEqual(["ACTIVE"]);

    gate.open();
    await simulator.idle();
    expect(simulator.calls("activateDevices")).toBe(1);
    expect(Object.fromEntries(receiver.activated)).toEqual({ [keyOf(0)]: 1 });
    expect(receiver.failed.size).toBe(0);
  });

  it("a token request with no answer in time: an AuthenticationError of the token stage that does not say it may have taken effect", async () => {
    const gate = createSleepGate(60_000);
    const { client, simulator } = await startFaultRig({
      simulator: { clock: gate },
      client: { timeoutMs: 1_500 },
      register: false,
    });
    // The simulator holds its answer to the first token request until the test lets it go.
    simulator.setFaults({ delayResponse: { ms: 60_000, operation: "getAccessToken", times: 1 } });
    const error = await client.listCallbacks().catch((e: unknown) => e);
    gate.open();
    expect(error).toBeInstanceOf(AuthenticationError);
    expect(error).toMatchObject({ stage: "token", resetRequired: false });
    expect((error as Error).message).toBe(
      "Could not get an OAuth access token: POST /api/ts/v1/oauth2/token got no answer within 1500 ms; it was not sent again. Authentication calls change nothing on the account.",
    );
    expect((error as Error).cause).toBeInstanceOf(TimeoutError);
  });
});

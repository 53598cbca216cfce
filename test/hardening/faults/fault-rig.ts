/**
 * What every fault test starts from: the simulator on a loopback port, the real SDK client
 * pointed at it, and a real callback receiver registered for CarrierService. Callbacks really
 * travel over HTTP from the simulator to the receiver; only the client's retry waits are
 * skipped (its clock records them instead), and the simulator's redeliveries take 5 ms.
 */
import {
  createThingSpaceClient,
  type ActivateDevice,
  type Clock,
  type ThingSpaceClient,
  type ThingSpaceCommonOptions,
} from "../../../src/client/index.js";
import {
  createSimulator,
  startSimulatorServer,
  type Simulator,
  type SimulatorOptions,
  type SimulatorServer,
} from "../../../src/simulator/index.js";
import { listenerCredentials, startFaultReceiver, type FaultReceiver } from "./fault-receiver.js";

export const operatorCredentials = {
  clientId: "fault-client",
  clientSecret: "fault-client-secret",
  username: "fault-operator",
  password: "fault-operator-password",
};
export const plan = { servicePlan: "M2MPlan", mdnZipCode: "98801" };
export const accountName = "TestAccount-1";

/** The `n`th test device: one IMEI. */
export function device(n: number): ActivateDevice {
  return { deviceIds: [{ kind: "imei", id: String(356_000_000_000_000 + n) }] };
}
/** `count` devices from `first` on. */
export function devices(count: number, first = 0): ActivateDevice[] {
  return Array.from({ length: count }, (_, i) => device(first + i));
}
/** The receiver's key for device `n`. */
export const keyOf = (n: number) => `imei:${356_000_000_000_000 + n}`;

/** A client clock on real time whose waits return at once and are recorded (`onSleep` runs first). */
export interface TestClock extends Clock {
  readonly sleeps: number[];
}
export function createTestClock(onSleep: (ms: number) => unknown = () => undefined): TestClock {
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => Date.now(),
    async sleep(ms, signal) {
      signal?.throwIfAborted();
      sleeps.push(ms);
      await onSleep(ms);
      signal?.throwIfAborted();
    },
  };
}

/** A simulator with short callback delays: first sends at once, redeliveries after 5 ms. */
export function quickSimulator(options: SimulatorOptions = {}): Simulator {
  return createSimulator({ callbackDelayMs: 0, redeliveryDelayMs: 5, ...options });
}

/** A running rig. */
export interface FaultRig {
  client: ThingSpaceClient;
  simulator: Simulator;
  server: SimulatorServer;
  receiver: FaultReceiver;
  clock: TestClock;
}

const open: (() => Promise<void>)[] = [];

/** Closes everything the rigs of the current test opened (call it in `afterEach`). */
export async function closeRigs(): Promise<void> {
  for (const close of open.splice(0).reverse()) await close();
}

/** Registers cleanup for something a test opened itself. */
export function onClose(close: () => Promise<void> | void): void {
  open.push(async () => close());
}

/** Starts a simulator server, a receiver and a client; registers the receiver unless `register` is false. */
export async function startFaultRig(
  options: { simulator?: SimulatorOptions; client?: Partial<ThingSpaceCommonOptions>; register?: boolean } = {},
): Promise<FaultRig> {
  const simulator = quickSimulator(options.simulator);
  onClose(() => simulator.close());
  const server = await startSimulatorServer({ simulator });
  onClose(() => server.close());
  const receiver = await startFaultReceiver();
  onClose(() => receiver.stop());
  const clock = createTestClock();
  const client = createThingSpaceClient({
    baseUrl: server.url,
    credentials: operatorCredentials,
    accountName,
    clock,
    ...options.client,
  });
  if (options.register !== false)
    await client.registerCallback({ name: "CarrierService", url: receiver.url, ...listenerCredentials });
  return { client, simulator, server, receiver, clock };
}

/** An access token and a session token from `simulator`, obtained without the network. */
export async function tokensFrom(simulator: Simulator): Promise<{ accessToken: string; sessionToken: string }> {
  const origin = "http://simulator.invalid/api";
  const basic = btoa(`${operatorCredentials.clientId}:${operatorCredentials.clientSecret}`);
  const token = await simulator.handle(
    new Request(`${origin}/ts/v1/oauth2/token`, {
      method: "POST",
      headers: { authorization: `Basic ${basic}`, "content-type": "application/x-www-form-urlencoded" },
      body: "grant_type=client_credentials",
    }),
  );
  const { access_token: accessToken } = (await token.json()) as { access_token: string };
  const login = await simulator.handle(
    new Request(`${origin}/m2m/v1/session/login`, {
      method: "POST",
      headers: { authorization: `Bearer ${accessToken}`, "content-type": "application/json" },
      body: JSON.stringify({ username: operatorCredentials.username, password: operatorCredentials.password }),
    }),
  );
  const { sessionToken } = (await login.json()) as { sessionToken: string };
  return { accessToken, sessionToken };
}

/** Registers `url` for CarrierService callbacks directly with the simulator (no network). */
export async function registerDirectly(
  simulator: Simulator,
  tokens: { accessToken: string; sessionToken: string },
  url: string,
): Promise<void> {
  const response = await simulator.handle(
    new Request(`http://simulator.invalid/api/m2m/v1/callbacks/${accountName}`, {
      method: "POST",
      headers: {
        authorization: `Bearer ${tokens.accessToken}`,
        "vz-m2m-token": tokens.sessionToken,
        "content-type": "application/json",
      },
      body: JSON.stringify({ name: "CarrierService", url, ...listenerCredentials }),
    }),
  );
  if (!response.ok) throw new Error(`registration refused: ${response.status} ${await response.text()}`);
}

/**
 * Whom the command talks to, and how results reach it. ThingSpace with credentials from the
 * environment (`THINGSPACE_*`, read by the SDK's `clientOptionsFromEnv`), or, only when
 * `--simulator` says so, the embedded simulator on loopback: never the simulator by accident,
 * and never ThingSpace without credentials. With `--listen`, a callback receiver on that port,
 * registered for the operation's service for the run and removed at its end.
 */
import { randomBytes } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import {
  clientOptionsFromEnv,
  clientEnvironment,
  ConfigurationError,
  createThingSpaceClient,
  defaultBaseUrl,
  type ThingSpaceClient,
} from "../index.js";
import {
  createCallbackHandler,
  createNodeCallbackListener,
  type CallbackService,
  type ParsedCallback,
} from "../callbacks/index.js";
import { startSimulatorServer, type SimulatorServer } from "../simulator/index.js";
import { InputError } from "./input.js";

/** The client, and the embedded simulator when there is one. */
export interface Connection {
  client: ThingSpaceClient;
  /** Where requests go, for the first line the command prints (no secret in it). */
  target: string;
  /** True when the other side runs on this machine (the simulator, or a base URL on loopback): it can post callbacks to 127.0.0.1. */
  local: boolean;
  simulator?: SimulatorServer;
  close(): Promise<void>;
}

const howToConnect =
  `set ${Object.keys(clientEnvironment)
    .filter((name) => name !== "THINGSPACE_BASE_URL")
    .join(", ")} to provision on ThingSpace, ` +
  "or give --simulator to run against the embedded simulator (made-up devices, nothing leaves this machine)";

/**
 * Connects as the flags and the environment say. Errors are `InputError`s (exit 2) that name
 * both ways; a variable's value is never repeated (it may be a secret).
 */
export async function connect(options: { simulator: boolean }, env: NodeJS.ProcessEnv): Promise<Connection> {
  if (options.simulator) {
    const simulator = await startSimulatorServer({ callbackDelayMs: 0 });
    const client = createThingSpaceClient({
      baseUrl: simulator.url,
      // The simulator accepts any credentials; these are not secrets.
      credentials: { clientId: "cli", clientSecret: "simulator", username: "cli", password: "simulator" },
      accountName: "TestAccount-1",
    });
    return {
      client,
      simulator,
      local: true,
      target: `the embedded simulator at ${simulator.url} (--simulator)`,
      close: async () => {
        await client.logout().catch(() => undefined);
        await simulator.close();
      },
    };
  }
  const anySet = Object.keys(clientEnvironment).some((name) => env[name] !== undefined && env[name] !== "");
  if (!anySet)
    throw new InputError(`No ThingSpace credentials in the environment and no --simulator: ${howToConnect}.`);
  try {
    const options = clientOptionsFromEnv(env);
    const client = createThingSpaceClient(options);
    const baseUrl = options.baseUrl ?? defaultBaseUrl;
    return {
      client,
      local: ["127.0.0.1", "localhost", "[::1]"].includes(new URL(baseUrl).hostname),
      target: `ThingSpace at ${baseUrl} as account ${options.accountName}`,
      close: async () => void (await client.logout().catch(() => undefined)),
    };
  } catch (error) {
    if (error instanceof ConfigurationError)
      throw new InputError(`${error.message}\n(Or ${howToConnect.split(", or ")[1]}.)`);
    throw error;
  }
}

/** The callback service that reports each operation's results (add reports them in its answer). */
export const serviceOf = { activateDevices: "CarrierService", goToState: "StateService" } as const;

/** A callback receiver for the run. */
export interface Listener {
  readonly url: string;
  /**
   * Removes the registration and stops listening; rejects (after stopping) when the registration
   * could not be removed, so the user hears that ThingSpace still posts to the run's URL.
   */
  close(): Promise<void>;
}

/**
 * Starts a receiver on `port` for `service`, with credentials made for this run, and registers
 * `publicUrl` (where ThingSpace reaches the port) for it. A registration of the service that
 * exists already is replaced only with `replace` (the earlier listener would miss its results).
 */
export async function startListener(options: {
  client: ThingSpaceClient;
  service: CallbackService;
  port: number;
  publicUrl: string | undefined;
  replace: boolean;
  onCallback: (callback: ParsedCallback) => void;
}): Promise<Listener> {
  const { client, service } = options;
  const existing = (await client.listCallbacks()).find((registration) => registration.serviceName === service);
  if (existing && !options.replace) {
    throw new InputError(
      `${service} already has a callback listener (${existing.url}): --replace-callback replaces it for this run ` +
        "(and removes it at the end), or stop the run that uses it.",
    );
  }
  const credentials = { username: "thingspace-m2m", password: randomBytes(24).toString("base64url") };
  const handler = createCallbackHandler({ service, credentials, onCallback: options.onCallback });
  const server: Server = createServer(createNodeCallbackListener(handler));
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const url = options.publicUrl ?? `http://127.0.0.1:${port}/`;
  const stop = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  try {
    await client.registerCallback({ name: service, url, ...credentials });
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    url,
    async close() {
      try {
        await client.deleteCallback(service);
      } finally {
        await stop();
      }
    },
  };
}

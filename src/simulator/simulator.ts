/**
 * The simulator's public face: a fetch-style `handle(request)`, which runs as is in msw,
 * node:http, Hono, Workers or Bun, plus inspection and control for tests. `createSimulator`
 * binds the state, the callback delivery, the backlog of accepted activates and the fault state
 * once, into the context every route works with.
 */
import { deviceIdKey } from "../shared/device-key.js";
import type { Schemas } from "../shared/spec.js";
import { Backlog } from "./backlog.js";
import { createCallbackDelivery, PendingWork, type CallbackResult, type DeliveryAttempt } from "./delivery.js";
import { createFaultInjector, type SimulatorFaults } from "./faults.js";
import { resolveSimulatorOptions, type SimulatorOptions } from "./options.js";
import { errorResponse, simulatorErrorCodes } from "./responses.js";
import { routeRequest, type SimulatorContext, type SimulatorOperation } from "./router.js";
import {
  createAccessTokenStore,
  createActivateLimit,
  createCallbackRegistry,
  createDeviceStore,
  createRequestLog,
  createSessionStore,
  type SimulatedDevice,
} from "./state.js";

/** A ThingSpace stand-in (see `createSimulator`). */
export interface Simulator {
  /** The path the API is served under (`/api`): the client's `baseUrl` is the origin plus this. */
  readonly basePath: string;
  /**
   * Serves one request, like ThingSpace. A `Response.error()` (type `"error"`) means "reset the
   * connection" (an injected fault): the node host destroys the socket, msw answers a network error.
   * An activate is answered once checked and carried out afterwards; every other request, and
   * every method below, carries out the activates answered before it first, so what it sees is
   * what it would see had each been carried out before its answer.
   */
  handle(request: Request): Promise<Response>;

  /** Copies of the devices of one account, or of every account, in the order they were added. */
  devices(accountName?: string): SimulatedDevice[];
  /** A copy of the device with this identifier (kind in any case), if the account has it. */
  device(accountName: string, deviceId: { kind: string; id: string }): SimulatedDevice | undefined;
  /** The account's callback registrations (URLs, never credentials: `GET /callbacks` lists those). */
  callbackRegistrations(accountName: string): Schemas["CallbackRegistration"][];
  /** Every callback delivery attempt so far, in order (without credentials). */
  deliveries(): DeliveryAttempt[];
  /** Results kept because no listener was registered for their service when they were produced. */
  undelivered(): CallbackResult[];
  /** Requests received for one operation, or for all (unrouted requests not counted). */
  calls(operation?: SimulatorOperation): number;

  /** Allows a user to log in; from then on only registered users can (the sandbox accepts anyone). */
  registerUser(username: string, password: string): void;
  /** Ends every session now: the next M2M call fails with `REQUEST_FAILED.SessionToken.Expired`. */
  expireSessions(): void;
  /** Invalidates every access token now: the next call is answered 401. */
  expireAccessTokens(): void;

  /** Merges faults into the current ones (`undefined` removes one). */
  setFaults(faults: SimulatorFaults): void;
  clearFaults(): void;
  /** The faults in force, counters as used so far. */
  faults(): Readonly<SimulatorFaults>;

  /** Sends kept results whose service now has a listener; returns how many were queued. */
  deliverPending(): number;
  /** Resolves once every queued callback is acknowledged or given up after `maxCallbackThreshold` sends. */
  idle(): Promise<void>;
  /**
   * Stops callback delivery (in-flight ones are aborted) and cuts every wait short (redeliveries,
   * injected latency and delayed answers), so no timer of the simulator keeps the process alive;
   * `handle` keeps answering, without the injected waits.
   */
  close(): void;
}

/** Creates a ThingSpace simulator with its own state. */
export function createSimulator(options: SimulatorOptions = {}): Simulator {
  const resolved = resolveSimulatorOptions(options);
  const { clock } = resolved;
  const faults = createFaultInjector(resolved.faults, resolved.random);
  const registry = createCallbackRegistry();
  const pending = new PendingWork(clock);
  const backlog = new Backlog();
  const delivery = createCallbackDelivery({
    fetch: resolved.fetch,
    clock,
    pending,
    registry,
    concurrency: resolved.callbackConcurrency,
    maxCallbackThreshold: resolved.maxCallbackThreshold,
    callbackDelayMs: resolved.callbackDelayMs,
    redeliveryDelayMs: resolved.redeliveryDelayMs,
    faults,
  });
  let mdns = 0;
  let addresses = 0;

  const context: SimulatorContext = {
    options: resolved,
    tokens: createAccessTokenStore(resolved.accessTokenTtlSeconds, clock),
    sessions: createSessionStore({ idleTimeoutMs: resolved.sessionIdleTimeoutMs, clock, users: resolved.users }),
    registry,
    devices: createDeviceStore(clock),
    requests: createRequestLog(clock),
    admitActivate: createActivateLimit(resolved.activateRequestsPerMinute, clock),
    delivery,
    backlog,
    faults,
    pending,
    calls: new Map(),
    // Deterministic, distinct and valid: MDNs 555xxxxxxx, addresses in 10.0.0.0/8.
    assignMdn: () => String(5_550_000_000 + ++mdns),
    assignIpAddress: () => {
      const n = ++addresses;
      return `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;
    },
  };

  function settled<A extends unknown[], R>(method: (...args: A) => R): (...args: A) => R {
    return (...args) => {
      backlog.drain();
      return method(...args);
    };
  }

  return {
    basePath: resolved.basePath,
    async handle(request) {
      try {
        return await routeRequest(request, context);
      } catch {
        // Never a crash and never the request's content in the answer (it may hold credentials).
        return errorResponse(
          simulatorErrorCodes.unexpectedError,
          "Unexpected error occurred. Could not complete request.",
          500,
        );
      }
    },
    // Every method below first carries out the activate requests accepted so far (backlog.ts), so
    // what it reads or changes is what it would be had each been carried out as it was answered.
    devices: settled((accountName) => context.devices.list(accountName)),
    device: settled((accountName, deviceId) => {
      const key = deviceIdKey(deviceId);
      return context.devices.list(accountName).find((device) => device.deviceIds.some((id) => deviceIdKey(id) === key));
    }),
    callbackRegistrations: settled((accountName) =>
      registry.list(accountName).map(({ username: _username, password: _password, ...registration }) => registration),
    ),
    deliveries: settled(() => delivery.attempts()),
    undelivered: settled(() => delivery.undelivered()),
    calls: settled((operation) =>
      operation === undefined
        ? [...context.calls.values()].reduce((sum, count) => sum + count, 0)
        : (context.calls.get(operation) ?? 0),
    ),
    registerUser: settled((username, password) => context.sessions.registerUser(username, password)),
    expireSessions: settled(() => context.sessions.expireAll()),
    expireAccessTokens: settled(() => context.tokens.expireAll()),
    // A fault function is consulted as each device is carried out: the requests accepted under
    // the old faults are carried out under them.
    setFaults: settled((next) => faults.set(next)),
    clearFaults: settled(() => faults.clear()),
    faults: settled(() => faults.current()),
    deliverPending: settled(() => delivery.deliverPending()),
    idle: settled(() => delivery.idle()),
    // Closing the backlog carries out what it holds.
    close() {
      backlog.close();
      pending.close();
      delivery.close();
    },
  };
}

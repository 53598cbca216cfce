/**
 * The simulator's options and their defaults, resolved once when a simulator is created.
 * Everything that depends on time or chance is injectable (`clock`, `random`, `requestId`,
 * `fetch`) so tests never really wait.
 */
import { randomUUID } from "node:crypto";
import { systemClock, type Clock } from "../shared/clock.js";
import type { Schemas } from "../shared/spec.js";
import type { FetchLike } from "./delivery.js";
import type { SimulatorFaults } from "./faults.js";

/** Options of {@link createSimulator}; every one has a default. */
export interface SimulatorOptions {
  /** Where the API is served: `${basePath}/m2m/v1/…` and `${basePath}/ts/v1/oauth2/…`. Default `/api`. */
  basePath?: string;
  /** OAuth clients (`clientId` → `clientSecret`). Default: any non-empty pair is accepted. */
  clients?: Readonly<Record<string, string>>;
  /** Lifetime of access tokens, seconds. Default 3600, as ThingSpace. */
  accessTokenTtlSeconds?: number;
  /** M2M users (`username` → `password`). Default: any pair is accepted, like ThingSpace's sandbox. */
  users?: Readonly<Record<string, string>>;
  /** A session expires after this long without use, ms. Default 20 minutes, as ThingSpace. */
  sessionIdleTimeoutMs?: number;
  /** The account of requests without `accountName`. Default `TestAccount-1`. */
  defaultAccountName?: string;
  /** Activate requests allowed per account in a rolling minute. Default 100, as ThingSpace. */
  activateRequestsPerMinute?: number;
  /** Sends per message at most, `maxCallbackThreshold` in the bodies. Default 4, as ThingSpace. */
  maxCallbackThreshold?: number;
  /** Delay before a request's callbacks are first sent, ms. Default 10 (ThingSpace: minutes to hours). */
  callbackDelayMs?: number;
  /** Delay before an unacknowledged callback is sent again, ms. Default 100 (ThingSpace: about 5 minutes). */
  redeliveryDelayMs?: number;
  /** Callback deliveries in flight at most. Default 16. */
  callbackConcurrency?: number;
  /** Which activated devices also get a NiddService callback, and its outcome. Default: none. */
  nidd?: (device: {
    accountName: string;
    deviceIds: readonly Schemas["DeviceId"][];
  }) => "ConfigCreated" | "ConfigFailed" | undefined;
  /** Faults to start with (see `setFaults`). */
  faults?: SimulatorFaults;
  /** Delivers callbacks. Default: the global `fetch`. */
  fetch?: FetchLike;
  /**
   * Time: token and session expiry, the rate limit's minute, callback delays, redeliveries and
   * injected latency. Default: the system clock. Its `sleep` must reject when its signal aborts
   * (`close()` aborts every wait under way).
   */
  clock?: Clock;
  /** Randomness for `rate` faults. Default `Math.random`. */
  random?: () => number;
  /** Generates `requestId`s. Default `crypto.randomUUID`. */
  requestId?: () => string;
}

/** The options with their defaults filled in. */
export type ResolvedSimulatorOptions = Required<Omit<SimulatorOptions, "clients" | "users" | "nidd" | "faults">> &
  Pick<SimulatorOptions, "clients" | "users" | "nidd" | "faults">;

/** ThingSpace's documented values, and short delays for the demo. */
export const simulatorDefaults = {
  basePath: "/api",
  accessTokenTtlSeconds: 3600,
  sessionIdleTimeoutMs: 20 * 60 * 1000,
  defaultAccountName: "TestAccount-1",
  activateRequestsPerMinute: 100,
  maxCallbackThreshold: 4,
  callbackDelayMs: 10,
  redeliveryDelayMs: 100,
  callbackConcurrency: 16,
} as const;

/** Fills in the defaults; rejects values that would make the simulator misbehave. */
export function resolveSimulatorOptions(options: SimulatorOptions = {}): ResolvedSimulatorOptions {
  const resolved: ResolvedSimulatorOptions = {
    ...simulatorDefaults,
    fetch: (input, init) => globalThis.fetch(input, init),
    clock: systemClock,
    random: Math.random,
    requestId: randomUUID,
    ...Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined)),
  };
  for (const key of ["maxCallbackThreshold", "callbackConcurrency", "activateRequestsPerMinute"] as const) {
    if (!Number.isInteger(resolved[key]) || resolved[key] < 1) {
      throw new RangeError(`simulator option ${key} must be an integer of at least 1 (got ${String(resolved[key])})`);
    }
  }
  if (!/^(\/[^/]+)*$/.test(resolved.basePath)) {
    throw new RangeError(
      `simulator option basePath must be "" or start with "/" and not end with "/" (got ${resolved.basePath})`,
    );
  }
  return resolved;
}

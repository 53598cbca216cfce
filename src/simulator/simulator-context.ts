/** The state and services every route of the simulator works with. */
import type { AccessTokenStore } from "./access-token-store.js";
import type { CallbackDelivery } from "./callback-delivery.js";
import type { CallbackResult } from "./callback-messages.js";
import type { CallbackRegistry } from "./callback-registry.js";
import type { DeviceStore } from "./device-store.js";
import type { FaultInjector } from "./fault-injector.js";
import type { RateLimiter } from "./rate-limiter.js";
import type { SessionStore } from "./session-store.js";
import type { ResolvedSimulatorOptions } from "./simulator-options.js";

/** Shared by the routes of one simulator. */
export interface SimulatorContext {
  options: ResolvedSimulatorOptions;
  tokens: AccessTokenStore;
  sessions: SessionStore;
  registry: CallbackRegistry;
  devices: DeviceStore;
  activateLimiter: RateLimiter;
  delivery: CallbackDelivery;
  faults: FaultInjector;
  /** Sends each result to its service's registered listener, or keeps it when there is none. */
  dispatch(results: readonly CallbackResult[]): void;
  /** A fresh MDN for a newly activated device. */
  assignMdn(): string;
  /** A fresh IPv4 address for a newly activated device that was given none. */
  assignIpAddress(): string;
}

/** A route handler: the request, the context and the path's parameters. */
export type RouteHandler = (request: Request, context: SimulatorContext, params: Record<string, string>) => Promise<Response>;

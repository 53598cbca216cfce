/**
 * Builds a simulator: the stores, the callback delivery and the fault state behind one
 * fetch-style `handle(request)`, which runs as is in msw, node:http, Hono, Workers or Bun.
 */
import { deviceIdKey } from "../devices/device-key.js";
import { createAccessTokenStore } from "./access-token-store.js";
import { createCallbackDelivery, type Addressed } from "./callback-delivery.js";
import type { CallbackResult } from "./callback-messages.js";
import { createCallbackRegistry } from "./callback-registry.js";
import { createDeviceStore } from "./device-store.js";
import { simulatorErrorCodes } from "./error-codes.js";
import { errorResponse } from "./error-response.js";
import { createFaultInjector } from "./fault-injector.js";
import { createRateLimiter } from "./rate-limiter.js";
import { checkBearer, checkSession } from "./request-auth.js";
import { matchRoute } from "./route-table.js";
import { createSessionStore } from "./session-store.js";
import type { Simulator } from "./simulator.js";
import type { SimulatorContext } from "./simulator-context.js";
import type { SimulatorOperation } from "./simulator-operation.js";
import { resolveSimulatorOptions, type SimulatorOptions } from "./simulator-options.js";

/** Creates a ThingSpace simulator with its own state. */
export function createSimulator(options: SimulatorOptions = {}): Simulator {
  const resolved = resolveSimulatorOptions(options);
  const { now, sleep } = resolved;
  const faults = createFaultInjector(resolved.faults, resolved.random);
  const registry = createCallbackRegistry();
  const delivery = createCallbackDelivery({
    fetch: resolved.fetch,
    sleep,
    concurrency: resolved.callbackConcurrency,
    maxCallbackThreshold: resolved.maxCallbackThreshold,
    redeliveryDelayMs: () => resolved.redeliveryDelayMs,
    faults,
  });
  const kept: CallbackResult[] = [];
  const counts = new Map<SimulatorOperation, number>();
  let mdns = 0;
  let addresses = 0;

  function addressed(results: readonly CallbackResult[]): Addressed[] {
    const ready: Addressed[] = [];
    for (const result of results) {
      const listener = registry.get(result.accountName, result.service);
      if (listener) ready.push({ result, listener });
      else kept.push(result);
    }
    return ready;
  }

  const context: SimulatorContext = {
    options: resolved,
    tokens: createAccessTokenStore(resolved.accessTokenTtlSeconds, now),
    sessions: createSessionStore({ idleTimeoutMs: resolved.sessionIdleTimeoutMs, now, users: resolved.users }),
    registry,
    devices: createDeviceStore(),
    activateLimiter: createRateLimiter(resolved.activateRequestsPerMinute, 60_000, now),
    delivery,
    faults,
    dispatch: (results) => delivery.send(addressed(results), resolved.callbackDelayMs),
    // Deterministic, distinct and valid: MDNs 555xxxxxxx, addresses in 10.0.0.0/8.
    assignMdn: () => String(5_550_000_000 + ++mdns),
    assignIpAddress: () => {
      const n = ++addresses;
      return `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;
    },
  };

  async function serve(request: Request): Promise<Response> {
    const latency = faults.latencyMs();
    if (latency > 0) await sleep(latency);
    const { pathname } = new URL(request.url);
    const match = matchRoute(request.method, pathname, resolved.basePath);
    if ("status" in match) {
      const allow = match.status === 405 ? { allow: match.allow } : undefined;
      const what = match.status === 405 ? `${request.method} is not allowed here (use ${match.allow})` : "No such resource";
      return errorResponse(simulatorErrorCodes.resourceNotFound, `${what}: ${pathname}.`, match.status, allow);
    }
    const { route, params } = match;
    counts.set(route.operation, (counts.get(route.operation) ?? 0) + 1);
    if (faults.resetConnection(route.operation, false)) return Response.error();
    const refused =
      (route.auth !== "none" ? checkBearer(request, context) : undefined) ??
      (route.auth === "session" ? checkSession(request, context) : undefined);
    const response = refused ?? (await route.handler(request, context, params));
    if (faults.resetConnection(route.operation, true)) return Response.error();
    const delay = faults.delayResponse(route.operation);
    if (delay > 0) await sleep(delay);
    return response;
  }

  return {
    basePath: resolved.basePath,
    async handle(request) {
      try {
        return await serve(request);
      } catch {
        // Never a crash and never the request's content in the answer (it may hold credentials).
        return errorResponse(simulatorErrorCodes.unexpectedError, "Unexpected error occurred. Could not complete request.", 500);
      }
    },
    devices: (accountName) => context.devices.list(accountName),
    device(accountName, deviceId) {
      const key = deviceIdKey(deviceId);
      return context.devices.list(accountName).find((device) => device.deviceIds.some((id) => deviceIdKey(id) === key));
    },
    callbackRegistrations: (accountName) => registry.list(accountName),
    deliveries: () => delivery.attempts(),
    undelivered: () => structuredClone(kept),
    calls: (operation) =>
      operation === undefined ? [...counts.values()].reduce((sum, count) => sum + count, 0) : (counts.get(operation) ?? 0),
    registerUser: (username, password) => context.sessions.registerUser(username, password),
    expireSessions: () => context.sessions.expireAll(),
    expireAccessTokens: () => context.tokens.expireAll(),
    setFaults: (next) => faults.set(next),
    clearFaults: () => faults.clear(),
    faults: () => faults.current(),
    deliverPending() {
      const pending = kept.splice(0);
      const ready = addressed(pending);
      delivery.send(ready, resolved.callbackDelayMs);
      return ready.length;
    },
    idle: () => delivery.idle(),
    close: () => delivery.close(),
  };
}

/**
 * How one request is served: which route takes it (by method and path, the spec's paths under
 * `${basePath}/m2m/v1` for M2M and `${basePath}/ts/v1` for OAuth, as on ThingSpace), which tokens
 * it needs, whether it first carries out the activate requests accepted before it (all routes
 * but activate do), and where injected faults strike (latency first, a connection reset before
 * or after the request took effect, a delayed answer last).
 */
import type { Backlog } from "./backlog.js";
import type { CallbackDelivery, PendingWork } from "./delivery.js";
import type { FaultInjector } from "./faults.js";
import type { ResolvedSimulatorOptions } from "./options.js";
import { simulatorErrorCodes, errorResponse } from "./responses.js";
import { checkBearer, checkSession, getAccessToken, logIn, logOut, revokeAccessToken } from "./routes/auth.js";
import { deleteCallback, listCallbacks, registerCallback } from "./routes/callbacks.js";
import { activateDevices, addDevices, getRequestStatus, goToState, listDevices } from "./routes/devices.js";
import type {
  AccessTokenStore,
  ActivateLimit,
  CallbackRegistry,
  DeviceStore,
  RequestLog,
  SessionStore,
} from "./state.js";

/** The operations the simulator serves, named by the spec's `operationId`s. */
export type SimulatorOperation =
  | "getAccessToken"
  | "revokeAccessToken"
  | "logIn"
  | "logOut"
  | "registerCallback"
  | "listCallbacks"
  | "deleteCallback"
  | "addDevices"
  | "activateDevices"
  | "goToState"
  | "listDevices"
  | "getRequestStatus";

/** The state and services of one simulator, bound once and handed to every route. */
export interface SimulatorContext {
  options: ResolvedSimulatorOptions;
  tokens: AccessTokenStore;
  sessions: SessionStore;
  registry: CallbackRegistry;
  devices: DeviceStore;
  /** Asynchronous requests and their outcome, for the request status call. */
  requests: RequestLog;
  admitActivate: ActivateLimit;
  delivery: CallbackDelivery;
  /** Accepted activate requests not yet carried out. */
  backlog: Backlog;
  faults: FaultInjector;
  /** The waits that `close()` cuts short. */
  pending: PendingWork;
  /** Requests received per operation. */
  calls: Map<SimulatorOperation, number>;
  /** A fresh MDN for a newly activated device. */
  assignMdn(): string;
  /** A fresh IPv4 address for a newly activated device that was given none. */
  assignIpAddress(): string;
}

/** A route handler: the request, the context and the path's parameters. */
export type RouteHandler = (
  request: Request,
  context: SimulatorContext,
  params: Record<string, string>,
) => Promise<Response>;

/** One route: `auth` says which tokens it checks before the handler runs. */
interface Route {
  method: "GET" | "POST" | "PUT" | "DELETE";
  path: string;
  operation: SimulatorOperation;
  /** `none`: the handler authenticates the client itself (OAuth); `bearer`: login; `session`: both tokens. */
  auth: "none" | "bearer" | "session";
  /** The handler only queues its work on the backlog (activate); every other route carries the backlog out first. */
  queuesWork?: true;
  handler: RouteHandler;
}

// Every route the simulator serves.
const routes: readonly Route[] = [
  { method: "POST", path: "/ts/v1/oauth2/token", operation: "getAccessToken", auth: "none", handler: getAccessToken },
  {
    method: "POST",
    path: "/ts/v1/oauth2/revoke",
    operation: "revokeAccessToken",
    auth: "none",
    handler: revokeAccessToken,
  },
  { method: "POST", path: "/m2m/v1/session/login", operation: "logIn", auth: "bearer", handler: logIn },
  { method: "POST", path: "/m2m/v1/session/logout", operation: "logOut", auth: "session", handler: logOut },
  {
    method: "POST",
    path: "/m2m/v1/callbacks/{accountName}",
    operation: "registerCallback",
    auth: "session",
    handler: registerCallback,
  },
  {
    method: "GET",
    path: "/m2m/v1/callbacks/{accountName}",
    operation: "listCallbacks",
    auth: "session",
    handler: listCallbacks,
  },
  {
    method: "DELETE",
    path: "/m2m/v1/callbacks/{accountName}/name/{serviceName}",
    operation: "deleteCallback",
    auth: "session",
    handler: deleteCallback,
  },
  {
    method: "POST",
    path: "/m2m/v1/devices/actions/add",
    operation: "addDevices",
    auth: "session",
    handler: addDevices,
  },
  {
    method: "POST",
    path: "/m2m/v1/devices/actions/activate",
    operation: "activateDevices",
    auth: "session",
    queuesWork: true,
    handler: activateDevices,
  },
  // The page writes goToState, Verizon's generated SDKs send gotostate, and whether ThingSpace
  // ignores the case of paths is unconfirmed: both spellings are served (and only these two).
  {
    method: "PUT",
    path: "/m2m/v1/devices/actions/gotostate",
    operation: "goToState",
    auth: "session",
    handler: goToState,
  },
  {
    method: "PUT",
    path: "/m2m/v1/devices/actions/goToState",
    operation: "goToState",
    auth: "session",
    handler: goToState,
  },
  {
    method: "POST",
    path: "/m2m/v1/devices/actions/list",
    operation: "listDevices",
    auth: "session",
    handler: listDevices,
  },
  {
    method: "GET",
    path: "/m2m/v1/accounts/{accountName}/requests/{requestId}/status",
    operation: "getRequestStatus",
    auth: "session",
    handler: getRequestStatus,
  },
];

/** A route and its path parameters, or why none matched. */
type RouteMatch = { route: Route; params: Record<string, string> } | { status: 404 } | { status: 405; allow: string };

const compiled = routes.map((route) => ({
  route,
  names: [...route.path.matchAll(/\{(\w+)\}/g)].map((match) => match[1]!),
  pattern: new RegExp(`^${route.path.replace(/\{\w+\}/g, "([^/]+)")}/?$`),
}));

// Finds the route for a method and a path below `basePath`.
function matchRoute(method: string, pathname: string, basePath: string): RouteMatch {
  if (!pathname.startsWith(`${basePath}/`)) return { status: 404 };
  const path = pathname.slice(basePath.length);
  const allowed: string[] = [];
  for (const { route, names, pattern } of compiled) {
    const match = pattern.exec(path);
    if (!match) continue;
    if (route.method !== method.toUpperCase()) {
      allowed.push(route.method);
      continue;
    }
    try {
      const params = Object.fromEntries(names.map((name, index) => [name, decodeURIComponent(match[index + 1]!)]));
      return { route, params };
    } catch {
      return { status: 404 };
    }
  }
  return allowed.length > 0 ? { status: 405, allow: allowed.join(", ") } : { status: 404 };
}

/**
 * Serves one request: injected latency, the route, its tokens, its handler, then the injected
 * reset or delay. A `Response.error()` means "reset the connection".
 */
export async function routeRequest(request: Request, context: SimulatorContext): Promise<Response> {
  const { faults, pending } = context;
  const latency = faults.latencyMs();
  if (latency > 0) await pending.wait(latency);
  const { pathname } = new URL(request.url);
  const match = matchRoute(request.method, pathname, context.options.basePath);
  if ("status" in match) {
    const allow = match.status === 405 ? { allow: match.allow } : undefined;
    const what =
      match.status === 405 ? `${request.method} is not allowed here (use ${match.allow})` : "No such resource";
    return errorResponse(simulatorErrorCodes.resourceNotFound, `${what}: ${pathname}.`, match.status, allow);
  }
  const { route, params } = match;
  context.calls.set(route.operation, (context.calls.get(route.operation) ?? 0) + 1);
  if (faults.resetConnection(route.operation, false)) return Response.error();
  const response = await serve(route, request, context, params);
  if (faults.resetConnection(route.operation, true)) return Response.error();
  const delay = faults.delayResponse(route.operation);
  if (delay > 0) await pending.wait(delay);
  return response;
}

// The route's own part: its tokens, then its handler. Every route but activate first carries out
// the activate requests accepted before it (backlog.ts), so a lookup after an answer sees what
// the answered request did. An activate counts as arriving until it is answered, which holds the
// background work back while a burst of them is read.
async function serve(
  route: Route,
  request: Request,
  context: SimulatorContext,
  params: Record<string, string>,
): Promise<Response> {
  const refused =
    (route.auth !== "none" ? checkBearer(request, context) : undefined) ??
    (route.auth === "session" ? checkSession(request, context) : undefined);
  if (refused) return refused;
  if (!route.queuesWork) {
    context.backlog.drain();
    return route.handler(request, context, params);
  }
  const answered = context.backlog.arrive();
  try {
    return await route.handler(request, context, params);
  } finally {
    answered();
  }
}

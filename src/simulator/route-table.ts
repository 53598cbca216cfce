/**
 * Which handler serves which method and path, and which tokens it needs. Paths are the spec's,
 * under `${basePath}/m2m/v1` (M2M) and `${basePath}/ts/v1` (OAuth), as on ThingSpace.
 */
import { activateDevices } from "./activate-devices-route.js";
import { addDevices } from "./add-devices-route.js";
import { deleteCallback, listCallbacks, registerCallback } from "./callback-routes.js";
import { goToState } from "./go-to-state-route.js";
import { getAccessToken, revokeAccessToken } from "./oauth-routes.js";
import { logIn, logOut } from "./session-routes.js";
import type { RouteHandler } from "./simulator-context.js";
import type { SimulatorOperation } from "./simulator-operation.js";

/** One route: `auth` says which tokens it checks before the handler runs. */
export interface Route {
  method: "GET" | "POST" | "PUT" | "DELETE";
  path: string;
  operation: SimulatorOperation;
  /** `none`: the handler authenticates the client itself (OAuth); `bearer`: login; `session`: both tokens. */
  auth: "none" | "bearer" | "session";
  handler: RouteHandler;
}

/** Every route the simulator serves. */
export const simulatorRoutes: readonly Route[] = [
  { method: "POST", path: "/ts/v1/oauth2/token", operation: "getAccessToken", auth: "none", handler: getAccessToken },
  { method: "POST", path: "/ts/v1/oauth2/revoke", operation: "revokeAccessToken", auth: "none", handler: revokeAccessToken },
  { method: "POST", path: "/m2m/v1/session/login", operation: "logIn", auth: "bearer", handler: logIn },
  { method: "POST", path: "/m2m/v1/session/logout", operation: "logOut", auth: "session", handler: logOut },
  { method: "POST", path: "/m2m/v1/callbacks/{accountName}", operation: "registerCallback", auth: "session", handler: registerCallback },
  { method: "GET", path: "/m2m/v1/callbacks/{accountName}", operation: "listCallbacks", auth: "session", handler: listCallbacks },
  {
    method: "DELETE",
    path: "/m2m/v1/callbacks/{accountName}/name/{serviceName}",
    operation: "deleteCallback",
    auth: "session",
    handler: deleteCallback,
  },
  { method: "POST", path: "/m2m/v1/devices/actions/add", operation: "addDevices", auth: "session", handler: addDevices },
  { method: "POST", path: "/m2m/v1/devices/actions/activate", operation: "activateDevices", auth: "session", handler: activateDevices },
  { method: "PUT", path: "/m2m/v1/devices/actions/goToState", operation: "goToState", auth: "session", handler: goToState },
];

/** A route and its path parameters, or why none matched. */
export type RouteMatch = { route: Route; params: Record<string, string> } | { status: 404 } | { status: 405; allow: string };

const compiled = simulatorRoutes.map((route) => ({
  route,
  names: [...route.path.matchAll(/\{(\w+)\}/g)].map((match) => match[1]!),
  pattern: new RegExp(`^${route.path.replace(/\{\w+\}/g, "([^/]+)")}/?$`),
}));

/** Finds the route for a method and a path below `basePath`. */
export function matchRoute(method: string, pathname: string, basePath: string): RouteMatch {
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

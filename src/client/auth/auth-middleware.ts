import type { Middleware } from "openapi-fetch";
import type { SafeLogger } from "../logger.js";
import type { TokenSource } from "./token-cache.js";
import { authProblemOf } from "./auth-problem.js";
import { laterCopies } from "../transport/replayable-request.js";

/** The tokens the middleware puts on requests. */
export interface AuthMiddlewareOptions {
  accessToken: TokenSource;
  sessionToken: TokenSource;
  logger: SafeLogger;
}

/** Which headers a path needs: the OAuth endpoints carry their own, login needs only the bearer. */
function headersFor(schemaPath: string): "none" | "bearer" | "both" {
  if (schemaPath.startsWith("/oauth2/")) return "none";
  if (schemaPath === "/session/login") return "bearer";
  return "both";
}

/**
 * openapi-fetch middleware that sets `Authorization: Bearer …` and `VZ-M2M-Token` on every M2M
 * call, and when ThingSpace refuses a token (`SessionToken.Expired`/`Invalid`/`Format`, or a
 * 401) obtains a new one **once** and replays that call **once**. Concurrent refusals share one
 * renewal. A refused request did not take effect, so replaying it is safe.
 */
export function createAuthMiddleware(options: AuthMiddlewareOptions): Middleware {
  // How to copy each request in flight for the replay (a sent body cannot be read again).
  // Keyed by the request itself, so an entry goes away with its request whatever happens to it.
  const copies = new WeakMap<Request, () => Request>();
  return {
    async onRequest({ request, schemaPath }) {
      const needs = headersFor(schemaPath);
      if (needs === "none") return undefined;
      request.headers.set("Authorization", `Bearer ${await options.accessToken.get(request.signal)}`);
      if (needs === "bearer") return request;
      request.headers.set("VZ-M2M-Token", await options.sessionToken.get(request.signal));
      // Logging out with an expired session needs no new session.
      if (schemaPath !== "/session/logout") copies.set(request, laterCopies(request));
      return request;
    },
    async onResponse({ request, response, options: fetchOptions }) {
      const copy = copies.get(request);
      copies.delete(request);
      if (!copy) return undefined;
      const problem = await authProblemOf(response);
      if (!problem) return undefined;
      const replay = copy();
      if (problem === "session") {
        options.logger.info("M2M session refused; logging in again and replaying the call once", { status: response.status });
        replay.headers.set("VZ-M2M-Token", await options.sessionToken.renew(request.headers.get("VZ-M2M-Token"), request.signal));
      } else {
        options.logger.info("Access token refused; getting a new one and replaying the call once");
        replay.headers.set("Authorization", `Bearer ${await options.accessToken.renew(bearerOf(request), request.signal)}`);
      }
      void response.body?.cancel().catch(() => undefined);
      return fetchOptions.fetch(replay);
    },
  };
}

function bearerOf(request: Request): string | null {
  return request.headers.get("Authorization")?.replace(/^Bearer /, "") ?? null;
}

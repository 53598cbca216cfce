import type { components } from "../../generated/openapi-types.js";
import type { Clock } from "./clock.js";
import type { ThingSpaceLogger } from "./logger.js";
import type { PacingOptions } from "./pacing/rolling-window-pacer.js";
import type { RetryOptions } from "./transport/retry-policy.js";
import type { TokenProvider } from "./auth/provider-token-issuer.js";

/** ThingSpace's production API root; M2M calls go to `${baseUrl}/m2m/v1`, OAuth to `${baseUrl}/ts/v1`. */
export const defaultBaseUrl = "https://thingspace.verizon.com/api";

/**
 * The application's OAuth key and secret (from the ThingSpace portal) and the M2M (UWS) user's
 * username and password. None of them ever appears in a log line or an error.
 */
export type ThingSpaceCredentials = {
  clientId: string;
  clientSecret: string;
} & components["schemas"]["LoginRequest"];

/** Options every client takes, whichever way it authenticates. */
export interface ThingSpaceCommonOptions {
  /** The API root (default {@link defaultBaseUrl}); e.g. `http://127.0.0.1:4010/api` for the simulator. */
  baseUrl?: string;
  /** The fetch to send requests with (default: the global fetch, looked up at each call). */
  fetch?: (request: Request) => Promise<Response>;
  /** Time for token expiry, pacing and retry waits (default: the system clock). */
  clock?: Clock;
  /** Receives what the client does (no secret is ever passed to it); silent by default. */
  logger?: ThingSpaceLogger;
  /** The billing account used where a call takes one and the caller gives none. */
  accountName?: components["schemas"]["AccountName"];
  /** Per HTTP attempt, in ms (default 60,000); 0 disables. Uses the platform's timers. */
  timeoutMs?: number;
  /** Check request bodies against the spec before sending (default true). */
  validate?: boolean;
  /** Activate requests per rolling minute (default 100). */
  pacing?: PacingOptions;
  /** Retries of requests that cannot have taken effect. */
  retry?: RetryOptions;
}

/** Authenticate with credentials: the client gets the OAuth token and logs in itself. */
export interface ThingSpaceCredentialsAuth {
  credentials: ThingSpaceCredentials;
  accessToken?: never;
  sessionToken?: never;
}

/** Authenticate with tokens the application supplies (e.g. from a shared token service). */
export interface ThingSpaceProviderAuth {
  credentials?: never;
  /** Returns the OAuth access token; called again (`renewal: true`) when ThingSpace answers 401. */
  accessToken: TokenProvider;
  /** Returns the M2M session token; called again (`renewal: true`) when ThingSpace says it expired. */
  sessionToken: TokenProvider;
}

/** Everything `createThingSpaceClient` takes: common options and one way to authenticate. */
export type ThingSpaceClientOptions = ThingSpaceCommonOptions & (ThingSpaceCredentialsAuth | ThingSpaceProviderAuth);

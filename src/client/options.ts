/**
 * What `createThingSpaceClient` takes, and the one place where it is resolved: every default
 * applied once, the logger wrapped once, and the result handed as one object to the parts that
 * need it (auth, transport, the methods). Nothing downstream reads the user's options again.
 */
import { systemClock, type Clock } from "../shared/clock.js";
import type { Schemas } from "../shared/spec.js";
import type { TokenProvider } from "./auth.js";
import { ConfigurationError } from "./errors.js";
import { createSafeLogger, SecretRedactor, type SafeLogger, type ThingSpaceLogger } from "./log.js";
import { RollingWindowPacer, type PacingOptions } from "./pacer.js";

/** ThingSpace's production API root; M2M calls go to `${baseUrl}/m2m/v1`, OAuth to `${baseUrl}/ts/v1`. */
export const defaultBaseUrl = "https://thingspace.verizon.com/api";

/** Default per-attempt timeout: a 10,000-device activate can take a while to be accepted. */
export const defaultTimeoutMs = 60_000;

/**
 * The application's OAuth key and secret (from the ThingSpace portal) and the M2M (UWS) user's
 * username and password. None of them ever appears in a log line or an error.
 */
export type ThingSpaceCredentials = {
  clientId: string;
  clientSecret: string;
} & Schemas["LoginRequest"];

/** Retry settings of the client (`retry` option). */
export interface RetryOptions {
  /** Retries after the first attempt (default 3). 0 turns retries off. */
  maxRetries?: number;
  /** First backoff when the answer gives no `Retry-After`, doubled at each retry (default 1,000 ms). */
  baseDelayMs?: number;
  /** Longest wait; a `Retry-After` beyond it is not waited for and the answer is returned (default 120,000 ms). */
  maxDelayMs?: number;
}

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
  accountName?: Schemas["AccountName"];
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

/** How the client authenticates: with credentials, or with the application's token providers. */
export type Authentication =
  { credentials: ThingSpaceCredentials } | { accessToken: TokenProvider; sessionToken: TokenProvider };

/** The options with every default applied: what the client's parts share, built once per client. */
export interface ClientSettings {
  /** `${baseUrl}/m2m/v1`: the root of the spec's paths. */
  readonly m2mBaseUrl: string;
  /** `${baseUrl}/ts/v1`: the OAuth token endpoint is not under the M2M root. */
  readonly oauthBaseUrl: string;
  readonly accountName: string | undefined;
  readonly authentication: Authentication;
  readonly fetch: (request: Request) => Promise<Response>;
  readonly clock: Clock;
  /** Per attempt; 0 disables the timeout. */
  readonly timeoutMs: number;
  readonly retry: Required<RetryOptions>;
  /** Paces the operations whose pacing class is `activate`. */
  readonly pacer: RollingWindowPacer;
  readonly validate: boolean;
  /** Every secret the client learns is added to it; logs and error messages pass through it. */
  readonly redactor: SecretRedactor;
  readonly logger: SafeLogger;
}

/** Resolves the user's options once: defaults, the safe logger, the pacer, the way to authenticate. */
export function resolveOptions(options: ThingSpaceClientOptions): ClientSettings {
  const baseUrl = (options.baseUrl ?? defaultBaseUrl).replace(/\/+$/, "");
  const clock = options.clock ?? systemClock;
  const redactor = new SecretRedactor();
  let authentication: Authentication;
  if (options.credentials) authentication = { credentials: options.credentials };
  else if (options.accessToken && options.sessionToken) {
    authentication = { accessToken: options.accessToken, sessionToken: options.sessionToken };
  } else {
    throw new TypeError(
      "createThingSpaceClient needs either credentials or both accessToken and sessionToken providers",
    );
  }
  return {
    m2mBaseUrl: `${baseUrl}/m2m/v1`,
    oauthBaseUrl: `${baseUrl}/ts/v1`,
    accountName: options.accountName,
    authentication,
    // Looked up at each call, so a fetch patched after the client was created (msw) is used.
    fetch: options.fetch ?? ((request: Request) => globalThis.fetch(request)),
    clock,
    timeoutMs: options.timeoutMs ?? defaultTimeoutMs,
    retry: {
      maxRetries: options.retry?.maxRetries ?? 3,
      baseDelayMs: options.retry?.baseDelayMs ?? 1_000,
      maxDelayMs: options.retry?.maxDelayMs ?? 120_000,
    },
    pacer: new RollingWindowPacer({ ...options.pacing, clock }),
    validate: options.validate ?? true,
    redactor,
    logger: createSafeLogger(options.logger, redactor),
  };
}

/**
 * The environment variables {@link clientOptionsFromEnv} reads: the option each fills, and what
 * it is (said when it is missing). `THINGSPACE_BASE_URL` alone is optional.
 */
export const clientEnvironment = {
  THINGSPACE_CLIENT_ID: "the application's OAuth key, from the ThingSpace portal",
  THINGSPACE_CLIENT_SECRET: "the application's OAuth secret, from the ThingSpace portal",
  THINGSPACE_USERNAME: "the M2M (UWS) user's name",
  THINGSPACE_PASSWORD: "the M2M (UWS) user's password",
  THINGSPACE_ACCOUNT_NAME: "the billing account, e.g. 0868924207-00001",
  THINGSPACE_BASE_URL: `the API root (optional; default ${defaultBaseUrl})`,
} as const;

/** One of the variables in {@link clientEnvironment}. */
export type ClientEnvironmentVariable = keyof typeof clientEnvironment;

/** What `createThingSpaceClient` needs from the environment, as {@link clientOptionsFromEnv} returns it. */
export type ThingSpaceEnvironmentOptions = ThingSpaceCredentialsAuth & {
  accountName: string;
  baseUrl?: string;
};

/**
 * The client's credentials, account and API root from environment variables (see
 * {@link clientEnvironment}): `createThingSpaceClient(clientOptionsFromEnv())`. Spread the result
 * into your own options to add others. Every variable missing or invalid is reported at once in
 * one {@link ConfigurationError}; no value is ever repeated in it.
 *
 * @param env Where to read from: `process.env` by default (in Workers, pass the `env` binding).
 */
export function clientOptionsFromEnv(
  env: Readonly<Record<string, string | undefined>> = globalThis.process?.env ?? {},
): ThingSpaceEnvironmentOptions {
  const problems: string[] = [];
  const required = (name: Exclude<ClientEnvironmentVariable, "THINGSPACE_BASE_URL">): string => {
    const value = env[name];
    if (!value) problems.push(`${name} is not set: ${clientEnvironment[name]}`);
    return value ?? "";
  };
  const credentials = {
    clientId: required("THINGSPACE_CLIENT_ID"),
    clientSecret: required("THINGSPACE_CLIENT_SECRET"),
    username: required("THINGSPACE_USERNAME"),
    password: required("THINGSPACE_PASSWORD"),
  };
  const accountName = required("THINGSPACE_ACCOUNT_NAME");
  const baseUrl = env.THINGSPACE_BASE_URL || undefined;
  // The value is not quoted: a URL may carry credentials (https://user:password@host).
  if (baseUrl !== undefined && !isHttpUrl(baseUrl)) {
    problems.push(`THINGSPACE_BASE_URL must be an http:// or https:// URL such as ${defaultBaseUrl}, or unset`);
  }
  if (problems.length > 0) {
    throw new ConfigurationError("The ThingSpace client cannot be configured from the environment", problems);
  }
  return baseUrl === undefined ? { credentials, accountName } : { credentials, accountName, baseUrl };
}

function isHttpUrl(value: string): boolean {
  try {
    const { protocol } = new URL(value);
    return protocol === "http:" || protocol === "https:";
  } catch {
    return false;
  }
}

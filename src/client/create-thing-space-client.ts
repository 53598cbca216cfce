import createClient from "openapi-fetch";
import type { paths } from "../../generated/openapi-types.js";
import { defaultBaseUrl, type ThingSpaceClientOptions } from "./client-options.js";
import { systemClock } from "./clock.js";
import { createSafeLogger } from "./logger.js";
import { SecretRedactor } from "./secret-redactor.js";
import { RollingWindowPacer } from "./pacing/rolling-window-pacer.js";
import { createTransport } from "./transport/create-transport.js";
import { ReplayableRequest } from "./transport/replayable-request.js";
import { resolveRetryOptions } from "./transport/retry-policy.js";
import { createAuthentication } from "./auth/create-authentication.js";
import { createAuthMiddleware } from "./auth/auth-middleware.js";
import { createOperations } from "./operations.js";
import { createBatchOperations } from "./batch-operations.js";
import type { ThingSpaceClient } from "./thing-space-client.js";

/** Default per-attempt timeout: a 10,000-device activate can take a while to be accepted. */
export const defaultTimeoutMs = 60_000;

/** Activate is the rate-limited call (100 a minute): only it is paced. */
function isActivate(request: Request): boolean {
  return request.method === "POST" && new URL(request.url).pathname.endsWith("/devices/actions/activate");
}

/**
 * Creates a ThingSpace M2M client: openapi-fetch on the spec's `paths`, with middleware that
 * sets the OAuth bearer and the `VZ-M2M-Token` session (one token request and one login shared
 * by concurrent calls), validation before sending, typed errors, safe retries, activate pacing
 * and batching.
 *
 * @example
 * const client = createThingSpaceClient({ credentials, accountName: "0868924207-00001" });
 * const { requestId } = await client.activateDevices({ devices, servicePlan: "m2m4g", mdnZipCode: "98801" });
 */
export function createThingSpaceClient(options: ThingSpaceClientOptions): ThingSpaceClient {
  const baseUrl = (options.baseUrl ?? defaultBaseUrl).replace(/\/+$/, "");
  const clock = options.clock ?? systemClock;
  const redactor = new SecretRedactor();
  const logger = createSafeLogger(options.logger, redactor);
  const validate = options.validate ?? true;
  // Looked up at each call, so a fetch patched after the client was created (msw) is used.
  const fetch = options.fetch ?? ((request: Request) => globalThis.fetch(request));
  const transport = {
    fetch,
    clock,
    timeoutMs: options.timeoutMs ?? defaultTimeoutMs,
    retry: resolveRetryOptions(options.retry),
    logger,
  };
  const pacer = new RollingWindowPacer({ ...options.pacing, clock });
  const m2mBaseUrl = `${baseUrl}/m2m/v1`;
  // Requests that remember their body: the first attempt sends the request itself, and retries
  // and replays are built from that body (no stream is ever teed).
  const raw = createClient<paths>({
    baseUrl: m2mBaseUrl,
    Request: ReplayableRequest,
    fetch: createTransport({ ...transport, retryStatuses: true, pacer, isPaced: isActivate }),
  });
  // Token and login requests bypass the auth middleware; an answered login is never retried.
  const authClient = createClient<paths>({
    baseUrl: m2mBaseUrl,
    Request: ReplayableRequest,
    fetch: createTransport({ ...transport, retryStatuses: false }),
  });
  // A token request changes nothing on the account, so a 429/503 answer to it is retried.
  const tokenClient = createClient<paths>({
    baseUrl: m2mBaseUrl,
    Request: ReplayableRequest,
    fetch: createTransport({ ...transport, retryStatuses: true }),
  });
  const auth = createAuthentication({ options, authClient, tokenClient, oauthBaseUrl: `${baseUrl}/ts/v1`, clock, logger, redactor, validate });
  raw.use(createAuthMiddleware({ accessToken: auth.access, sessionToken: auth.session, logger }));

  const ctx = { raw, validate, accountName: options.accountName, redactor, logger, session: auth.session };
  const operations = createOperations(ctx);
  return { ...operations, ...createBatchOperations(ctx, operations), resetAuthentication: auth.reset, raw };
}

import type { Clock } from "../clock.js";
import type { SafeLogger } from "../logger.js";
import type { RollingWindowPacer } from "../pacing/rolling-window-pacer.js";
import { ConnectionError } from "../errors/connection-error.js";
import { OutcomeUnknownError } from "../errors/outcome-unknown-error.js";
import { howToCheck } from "../errors/how-to-check.js";
import { operationOf, sendOnce } from "./send-once.js";
import { callerSignalOf } from "./replayable-request.js";
import {
  backoffDelay,
  isNotSentCode,
  networkErrorCode,
  parseRetryAfter,
  retryableStatuses,
  type RetryOptions,
} from "./retry-policy.js";

/** What the transport wraps around the user's fetch. */
export interface TransportOptions {
  fetch: (request: Request) => Promise<Response>;
  clock: Clock;
  /** Per attempt; 0 disables the timeout. */
  timeoutMs: number;
  retry: Required<RetryOptions>;
  /** Retry 429/503 answers (false for the login, which is never sent twice on an answer). */
  retryStatuses: boolean;
  /** Paces the requests `isPaced` selects (activate). */
  pacer?: RollingWindowPacer;
  isPaced?: (request: Request) => boolean;
  logger: SafeLogger;
}

/**
 * The fetch function handed to openapi-fetch: every HTTP request the client makes goes through
 * it, replays and retries included, so pacing counts each one. It waits for a pacing slot,
 * applies the timeout, retries only what cannot have taken effect (connection never made,
 * 429/503 honouring `Retry-After`) and turns other network failures into typed errors.
 */
export function createTransport(options: TransportOptions): (request: Request) => Promise<Response> {
  return async (request) => {
    // Named only for logs and errors: most calls never need it.
    let name: string | undefined;
    const operation = (): string => (name ??= operationOf(request));
    for (let attempt = 1; ; attempt++) {
      if (options.pacer && options.isPaced?.(request) && !options.pacer.tryAcquire()) {
        options.logger.debug("Waiting for a pacing slot", { operation: operation(), delayMs: options.pacer.delayNow() });
        await options.pacer.acquire(callerSignalOf(request));
      }
      const result = await sendOnce(options.fetch, request, options.timeoutMs);
      const canRetry = attempt <= options.retry.maxRetries;
      if ("response" in result) {
        const { response } = result;
        if (!canRetry || !options.retryStatuses || !retryableStatuses.has(response.status)) return response;
        const delayMs = parseRetryAfter(response.headers.get("Retry-After"), options.clock.now()) ?? backoffDelay(attempt, options.retry);
        if (delayMs > options.retry.maxDelayMs) return response;
        options.logger.warn("ThingSpace asked to come back later; retrying", { operation: operation(), status: response.status, attempt, delayMs });
        void response.body?.cancel().catch(() => undefined); // frees the connection; never awaited (msw bodies may not settle)
        await options.clock.sleep(delayMs, callerSignalOf(request));
        continue;
      }
      const code = networkErrorCode(result.networkError);
      if (!isNotSentCode(code)) {
        throw new OutcomeUnknownError(
          { operation: operation(), reason: "connection-lost", howToCheck: howToCheck(request.method, new URL(request.url).pathname) },
          { cause: result.networkError },
        );
      }
      if (!canRetry) throw new ConnectionError({ operation: operation(), code, attempts: attempt }, { cause: result.networkError });
      const delayMs = backoffDelay(attempt, options.retry);
      options.logger.warn("Could not connect to ThingSpace; retrying", { operation: operation(), code, attempt, delayMs });
      await options.clock.sleep(delayMs, callerSignalOf(request));
    }
  };
}

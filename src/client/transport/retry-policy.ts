/**
 * When a request may be sent again. Only two situations are safe: the connection failed before
 * the request reached ThingSpace, or ThingSpace answered 429/503 (it did not process the
 * request). Everything else that may have taken effect is never replayed.
 */

/** Retry settings of the client (`retry` option). */
export interface RetryOptions {
  /** Retries after the first attempt (default 3). 0 turns retries off. */
  maxRetries?: number;
  /** First backoff when the answer gives no `Retry-After`, doubled at each retry (default 1,000 ms). */
  baseDelayMs?: number;
  /** Longest wait; a `Retry-After` beyond it is not waited for and the answer is returned (default 120,000 ms). */
  maxDelayMs?: number;
}

/** Statuses that mean "not processed, come back later". */
export const retryableStatuses: ReadonlySet<number> = new Set([429, 503]);

/**
 * Platform error codes that mean the connection was never established, so the request cannot
 * have reached the server. (A reset or a closed socket may come after the request was sent.)
 */
const notSentCodes = new Set([
  "ECONNREFUSED",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "UND_ERR_CONNECT_TIMEOUT",
]);

/** The first `code` found on the error, its causes or an AggregateError's members. */
export function networkErrorCode(error: unknown, depth = 0): string | undefined {
  if (!error || typeof error !== "object" || depth > 5) return undefined;
  const record = error as { code?: unknown; cause?: unknown; errors?: unknown };
  if (typeof record.code === "string") return record.code;
  const fromCause = networkErrorCode(record.cause, depth + 1);
  if (fromCause) return fromCause;
  if (Array.isArray(record.errors)) {
    for (const member of record.errors) {
      const code = networkErrorCode(member, depth + 1);
      if (code) return code;
    }
  }
  return undefined;
}

/** True when the code proves the request never left this machine. */
export function isNotSentCode(code: string | undefined): boolean {
  return code !== undefined && notSentCodes.has(code);
}

/** `Retry-After` in milliseconds (delta-seconds or an HTTP date), undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null, now: number): number | undefined {
  if (value === null) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** Exponential backoff: `baseDelayMs * 2^(retry-1)`, capped. */
export function backoffDelay(retry: number, options: Required<RetryOptions>): number {
  return Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** (retry - 1));
}

/** The defaults of {@link RetryOptions}. */
export function resolveRetryOptions(options: RetryOptions | undefined): Required<RetryOptions> {
  return { maxRetries: 3, baseDelayMs: 1_000, maxDelayMs: 120_000, ...options };
}

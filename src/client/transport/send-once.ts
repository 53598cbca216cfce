import { TimeoutError } from "../errors/timeout-error.js";
import { howToCheck } from "../errors/how-to-check.js";

/** The result of one attempt that did not throw: an answer, or a network failure to classify. */
export type AttemptResult = { response: Response } | { networkError: unknown };

/** `POST /api/m2m/v1/devices/actions/activate`: how errors name a request. */
export function operationOf(request: Request): string {
  return `${request.method} ${new URL(request.url).pathname}`;
}

/**
 * Sends one copy of `request` (the original stays unread for a retry). The caller's abort
 * rethrows its reason; running out of `timeoutMs` is a {@link TimeoutError}: the request was
 * sent, so its outcome is unknown. The timeout races the fetch, so a fetch that ignores its
 * signal still cannot hang the client.
 */
export async function sendOnce(
  fetch: (request: Request) => Promise<Response>,
  request: Request,
  timeoutMs: number,
): Promise<AttemptResult> {
  const timeout = new AbortController();
  const signal = AbortSignal.any([request.signal, timeout.signal]);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const aborted = new Promise<never>((_, reject) => {
    signal.addEventListener("abort", () => reject(signal.reason), { once: true });
  });
  aborted.catch(() => undefined); // only ever observed through the race below
  if (timeoutMs > 0) timer = setTimeout(() => timeout.abort(new Error("timeout")), timeoutMs);
  try {
    const attempt = new Request(request.clone(), { signal });
    return { response: await Promise.race([fetch(attempt), aborted]) };
  } catch (error) {
    if (request.signal.aborted) throw request.signal.reason;
    if (timeout.signal.aborted) {
      const url = new URL(request.url);
      throw new TimeoutError({ operation: operationOf(request), timeoutMs, howToCheck: howToCheck(request.method, url.pathname) });
    }
    return { networkError: error };
  } finally {
    clearTimeout(timer);
  }
}

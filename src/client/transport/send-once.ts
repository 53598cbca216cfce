import { TimeoutError } from "../errors/timeout-error.js";
import { howToCheck } from "../errors/how-to-check.js";
import { callerSignalOf, startAttempt } from "./replayable-request.js";

/** The result of one attempt that did not throw: an answer, or a network failure to classify. */
export type AttemptResult = { response: Response } | { networkError: unknown };

/** `POST /api/m2m/v1/devices/actions/activate`: how errors name a request. */
export function operationOf(request: Request): string {
  return `${request.method} ${new URL(request.url).pathname}`;
}

/**
 * Sends `request` once: the request itself the first time, then copies of it (see
 * replayable-request.ts), so it can be sent again. The caller's abort rethrows its reason; running out of `timeoutMs` is a {@link TimeoutError}: the request was
 * sent, so its outcome is unknown. The timeout races the fetch, so a fetch that ignores its
 * signal still cannot hang the client.
 */
export async function sendOnce(
  fetch: (request: Request) => Promise<Response>,
  request: Request,
  timeoutMs: number,
): Promise<AttemptResult> {
  const caller = callerSignalOf(request);
  caller?.throwIfAborted();
  const attempt = startAttempt(request);
  // Settles the race below when the caller aborts or the time is up, even if fetch ignores
  // the attempt's signal.
  let stop: (reason: unknown) => void = () => undefined;
  const stopped = new Promise<never>((_, reject) => (stop = reject));
  stopped.catch(() => undefined); // only ever observed through the race below
  const onCallerAbort = (): void => stop(caller?.reason);
  caller?.addEventListener("abort", onCallerAbort, { once: true });
  let timedOut = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  if (timeoutMs > 0) {
    timer = setTimeout(() => {
      timedOut = true;
      const reason = new Error("timeout");
      attempt.abort(reason);
      stop(reason);
    }, timeoutMs);
  }
  try {
    return { response: await Promise.race([fetch(attempt.request), stopped]) };
  } catch (error) {
    if (caller?.aborted) throw caller.reason;
    if (timedOut) {
      const url = new URL(request.url);
      throw new TimeoutError({ operation: operationOf(request), timeoutMs, howToCheck: howToCheck(request.method, url.pathname) });
    }
    return { networkError: error };
  } finally {
    clearTimeout(timer);
    caller?.removeEventListener("abort", onCallerAbort);
    attempt.done();
  }
}

/**
 * The request loop: every HTTP request the client makes, SDK method or `client.raw` call, token
 * request and login included, is sent by {@link sendRequest}, once per request, with its
 * operation's descriptor. For one request it waits for a pacing slot when the operation is
 * paced, sets the tokens the operation carries, sends one attempt at a time with its timeout,
 * retries only what cannot have taken effect (a connection never made; a 429/503 answer,
 * honouring `Retry-After`, for operations whose answers may be retried), and replays the call
 * once after ThingSpace refused its session or bearer, with a renewed token. Every attempt,
 * retries and the replay included, passes the pacer: ThingSpace counts each one.
 */
import type { Middleware } from "openapi-fetch";
import type { TokenSource } from "./auth.js";
import { ConnectionError, OutcomeUnknownError, type CallTarget, TimeoutError, callName } from "./errors.js";
import { isSessionTokenCode, readErrorBody } from "./refusals.js";
import type { ClientSettings, RetryOptions } from "./options.js";
import type { PacingSlot } from "./pacer.js";
import { operationFor, type Operation } from "./operations.js";

/**
 * The `Request` class openapi-fetch builds every request with. It remembers the body it was
 * made with and the caller's signal, and carries a signal of its own that the first attempt's
 * timeout aborts. The first attempt sends the request itself; a retry or the replay is a new
 * request built from the remembered body. (`request.clone()` for each attempt tees the body
 * stream and `new Request(clone, init)` pipes it through one more: together they cost more
 * than the rest of a call.)
 */
export class ClientRequest extends Request {
  /** The body the request was made with, when it can be used again (never a stream). */
  readonly replayBody: BodyInit | undefined;
  /** The signal the caller gave; the request's own signal follows it and also aborts at the first attempt's timeout. */
  readonly callerSignal: AbortSignal | undefined;
  /** Aborts the request's own signal, when the first attempt times out. */
  readonly timeoutController: AbortController;

  constructor(input: RequestInfo | URL, init: RequestInit = {}) {
    const timeoutController = new AbortController();
    const callerSignal = init.signal ?? undefined;
    const signal = callerSignal ? AbortSignal.any([callerSignal, timeoutController.signal]) : timeoutController.signal;
    super(input, { ...init, signal });
    const body = init.body;
    this.replayBody = body === undefined || body === null || body instanceof ReadableStream ? undefined : body;
    this.callerSignal = callerSignal;
    this.timeoutController = timeoutController;
  }
}

/** The tokens the loop puts on requests and renews once they are refused. */
export interface TransportTokens {
  access: TokenSource;
  session: TokenSource;
}

/**
 * The openapi-fetch middleware that sends every request: it looks the operation up by the
 * method and the `schemaPath` the call site wrote, and answers with the {@link sendRequest}
 * loop's response (openapi-fetch then skips its own fetch and parses that response).
 */
export function createTransport(settings: ClientSettings, tokens: TransportTokens): Middleware {
  return {
    onRequest: ({ request, schemaPath }) =>
      sendRequest(settings, tokens, operationFor(request.method, schemaPath), request),
  };
}

/** Statuses that mean "not processed, come back later". */
const retryableStatuses: ReadonlySet<number> = new Set([429, 503]);

/**
 * Sends `request` as `operation` until it has an answer to return: see the module comment. The
 * caller's abort rejects with its reason at any point (pacing, token, attempt, retry wait).
 */
export async function sendRequest(
  settings: ClientSettings,
  tokens: TransportTokens,
  operation: Operation,
  request: Request,
): Promise<Response> {
  const { clock, logger, pacer, retry } = settings;
  const callerSignal = request instanceof ClientRequest ? request.callerSignal : request.signal;
  // A request whose body cannot be built again (a stream) is never sent itself: each attempt
  // is a clone, so the request stays readable for the next one.
  let unsent: ClientRequest | undefined =
    request instanceof ClientRequest && (request.replayBody !== undefined || request.body === null)
      ? request
      : undefined;
  let accessToken: string | null = null;
  let sessionToken: string | null = null;
  if (operation.tokens !== "none") {
    accessToken = await tokens.access.get(callerSignal);
    request.headers.set("Authorization", `Bearer ${accessToken}`);
  }
  if (operation.tokens === "both") {
    sessionToken = await tokens.session.get(callerSignal);
    request.headers.set("VZ-M2M-Token", sessionToken);
  }
  let mayReplay = operation.replaysRefusedToken;
  // Attempts since the first send, or since the replay (which has retries of its own).
  for (let attempt = 1; ; attempt++) {
    let slot: PacingSlot | undefined;
    if (operation.pacing) {
      slot = pacer.tryAcquire();
      if (!slot) {
        logger.debug("Waiting for a pacing slot", { operation: operation.operationId, delayMs: pacer.delayNow() });
        slot = await pacer.acquire(callerSignal);
      }
    }
    let result: AttemptResult;
    try {
      result = await sendAttempt(settings, request, unsent, callerSignal);
    } finally {
      slot?.answered();
    }
    unsent = undefined;
    const canRetry = attempt <= retry.maxRetries;
    if ("response" in result) {
      const { response } = result;
      if (operation.retriesBusyAnswer && canRetry && retryableStatuses.has(response.status)) {
        const delayMs =
          parseRetryAfter(response.headers.get("Retry-After"), clock.now()) ?? backoffDelay(attempt, retry);
        if (delayMs > retry.maxDelayMs) return response;
        logger.warn("ThingSpace asked to come back later; retrying", {
          operation: operation.operationId,
          status: response.status,
          attempt,
          delayMs,
        });
        // Frees the connection; never awaited (msw bodies may not settle).
        void response.body?.cancel().catch(() => undefined);
        await clock.sleep(delayMs, callerSignal);
        continue;
      }
      if (!mayReplay || (response.status !== 400 && response.status !== 401)) return response;
      // The body tells which token was refused; it is read here once and handed on as read.
      const text = await response.text();
      const refused = refusedToken(response.status, text);
      if (refused === undefined) return new ReadResponse(text, response);
      mayReplay = false;
      attempt = 0;
      if (refused === "session") {
        logger.info("M2M session refused; logging in again and replaying the call once", { status: response.status });
        sessionToken = await tokens.session.renew(sessionToken, callerSignal);
        request.headers.set("VZ-M2M-Token", sessionToken);
      } else {
        logger.info("Access token refused; getting a new one and replaying the call once");
        accessToken = await tokens.access.renew(accessToken, callerSignal);
        request.headers.set("Authorization", `Bearer ${accessToken}`);
      }
      continue;
    }
    const named = {
      operation: callName(operation, request.url),
      operationId: operation.operationId,
      canTakeEffect: operation.canTakeEffect,
    };
    if ("timeoutMs" in result) {
      throw new TimeoutError({
        ...named,
        timeoutMs: result.timeoutMs,
        howToCheck: operation.howToCheck,
        target: targetOf(operation, request),
      });
    }
    const code = networkErrorCode(result.networkError);
    if (!isNotSentCode(code)) {
      throw new OutcomeUnknownError(
        {
          ...named,
          reason: "connection-lost",
          howToCheck: operation.howToCheck,
          target: targetOf(operation, request),
        },
        { cause: result.networkError },
      );
    }
    if (!canRetry) {
      const stage = operation.authStage ?? "request";
      throw new ConnectionError({ ...named, stage, code, attempts: attempt }, { cause: result.networkError });
    }
    const delayMs = backoffDelay(attempt, retry);
    logger.warn("Could not connect to ThingSpace; retrying", {
      operation: operation.operationId,
      code,
      attempt,
      delayMs,
    });
    await clock.sleep(delayMs, callerSignal);
  }
}

/**
 * What a request whose outcome is unknown acted on, read back from the body it was made with
 * (the call site's body, serialized once): only on that failure path, and only for operations
 * that change devices. A `client.raw` call gets it too.
 */
function targetOf(operation: Operation, request: Request): CallTarget | undefined {
  if (!operation.targetOf) return undefined;
  const body = request instanceof ClientRequest ? request.replayBody : undefined;
  let parsed: unknown;
  try {
    parsed = typeof body === "string" ? JSON.parse(body) : undefined;
  } catch {
    parsed = undefined;
  }
  return operation.targetOf(parsed);
}

/** The result of one attempt that did not throw: an answer, a network failure to classify, or the time running out. */
type AttemptResult = { response: Response } | { networkError: unknown } | { timeoutMs: number };

/**
 * Sends one attempt: `unsent` itself (its own signal is aborted at the timeout), else a copy of
 * `request` with a signal that follows the caller's. The caller's abort rethrows its reason.
 * The timeout races the fetch, so a fetch that ignores its signal still cannot hang the client.
 */
async function sendAttempt(
  settings: ClientSettings,
  request: Request,
  unsent: ClientRequest | undefined,
  callerSignal: AbortSignal | undefined,
): Promise<AttemptResult> {
  callerSignal?.throwIfAborted();
  let abort: (reason: unknown) => void;
  let sent: Request;
  if (unsent) {
    sent = unsent;
    abort = (reason) => unsent.timeoutController.abort(reason);
  } else {
    const controller = new AbortController();
    sent = copyOf(request, controller.signal);
    abort = (reason) => controller.abort(reason);
  }
  // Settles the race below when the caller aborts or the time is up, even if fetch ignores
  // the attempt's signal.
  let stop: (reason: unknown) => void = () => undefined;
  const stopped = new Promise<never>((_, reject) => (stop = reject));
  stopped.catch(() => undefined); // only ever observed through the race below
  const onCallerAbort = (): void => {
    abort(callerSignal?.reason);
    stop(callerSignal?.reason);
  };
  callerSignal?.addEventListener("abort", onCallerAbort, { once: true });
  let timedOut = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  if (settings.timeoutMs > 0) {
    timer = setTimeout(() => {
      timedOut = true;
      const reason = new Error("timeout");
      abort(reason);
      stop(reason);
    }, settings.timeoutMs);
  }
  try {
    return { response: await Promise.race([settings.fetch(sent), stopped]) };
  } catch (error) {
    if (callerSignal?.aborted) throw callerSignal.reason;
    if (timedOut) return { timeoutMs: settings.timeoutMs };
    return { networkError: error };
  } finally {
    clearTimeout(timer);
    callerSignal?.removeEventListener("abort", onCallerAbort);
  }
}

/**
 * A fresh, unread copy of `request` with `signal`, built from its remembered body; a request
 * whose body is not remembered (a stream) is cloned, and was never sent itself.
 */
function copyOf(request: Request, signal: AbortSignal): Request {
  const body = request instanceof ClientRequest ? request.replayBody : undefined;
  if (body === undefined && request.body !== null) return new Request(request.clone(), { signal });
  return new Request(request, body === undefined ? { signal } : { body, signal });
}

/**
 * An answer whose body the loop read (to see which token it refused) and hands on as that text,
 * with the same status, headers and URL, for openapi-fetch to parse.
 */
class ReadResponse extends Response {
  readonly #url: string;

  constructor(text: string, answer: Response) {
    super(text, { status: answer.status, statusText: answer.statusText, headers: answer.headers });
    this.#url = answer.url;
  }

  override get url(): string {
    return this.#url;
  }
}

/**
 * Which token ThingSpace refused, if any: `session` for a `SessionToken.*` code (expired,
 * malformed or unknown session), `bearer` for any other 401. Only a body that contains such a
 * code is parsed here; any other is left to be parsed once, by openapi-fetch.
 */
function refusedToken(status: number, text: string): "session" | "bearer" | undefined {
  if (text.includes("SessionToken.")) {
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      body = undefined;
    }
    if (isSessionTokenCode(readErrorBody(body).errorCode)) return "session";
  }
  return status === 401 ? "bearer" : undefined;
}

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
function isNotSentCode(code: string | undefined): boolean {
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
function backoffDelay(retry: number, options: Required<RetryOptions>): number {
  return Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** (retry - 1));
}

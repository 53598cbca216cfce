/**
 * Requests that can be sent as they are and still be sent again. openapi-fetch builds each
 * request with {@link ReplayableRequest}, which remembers the body it was made with and carries
 * a signal the transport can abort at its timeout. The first attempt sends that very request;
 * a retry or the replay after a token renewal is a new request built from the remembered body.
 * (`request.clone()` for each attempt tees the body stream and `new Request(clone, init)`
 * pipes it through one more: together they cost more than the rest of a call.)
 */

interface RequestState {
  /** The body the request was made with, when it can be used again (never a stream). */
  readonly body: BodyInit | undefined;
  /** The signal the caller gave; the request's own signal also aborts at the timeout. */
  readonly callerSignal: AbortSignal | undefined;
  /** Aborts the request's own signal (the first attempt's timeout). */
  readonly abort: AbortController | undefined;
  sent: boolean;
}

const states = new WeakMap<Request, RequestState>();

const reusableBody = (body: BodyInit | null | undefined): BodyInit | undefined =>
  body === undefined || body === null || body instanceof ReadableStream ? undefined : body;

/** The `Request` class handed to openapi-fetch. */
export class ReplayableRequest extends Request {
  constructor(input: RequestInfo | URL, init: RequestInit = {}) {
    const abort = new AbortController();
    const callerSignal = init.signal ?? undefined;
    super(input, { ...init, signal: callerSignal ? AbortSignal.any([callerSignal, abort.signal]) : abort.signal });
    states.set(this, { body: reusableBody(init.body), callerSignal, abort, sent: false });
  }
}

/** The signal the caller gave for `request`, if any (its own signal also aborts at the timeout). */
export function callerSignalOf(request: Request): AbortSignal | undefined {
  const state = states.get(request);
  return state ? state.callerSignal : request.signal;
}

/**
 * A fresh, unread copy of `request` with `init` applied (e.g. its own signal), built from its
 * remembered body; a request whose body is not remembered is cloned, so call this before such
 * a request is sent.
 */
export function copyRequest(request: Request, init: RequestInit = {}): Request {
  const state = states.get(request);
  const body = state?.body;
  if (body === undefined && request.body !== null) return new Request(request.clone(), init);
  const copy = new Request(request, body === undefined ? init : { ...init, body });
  states.set(copy, { body, callerSignal: init.signal ?? state?.callerSignal, abort: undefined, sent: false });
  return copy;
}

/** One attempt at sending a request: what to pass to fetch, and how to abort it. */
export interface Attempt {
  readonly request: Request;
  abort(reason: unknown): void;
  /** Stops following the caller's signal once the attempt is over. */
  done(): void;
}

/**
 * The request to send for one attempt: the request itself the first time (its own signal is
 * aborted by `abort`), else a copy with a signal that follows the caller's.
 */
export function startAttempt(request: Request): Attempt {
  const state = states.get(request);
  if (state?.abort && !state.sent && (state.body !== undefined || request.body === null)) {
    state.sent = true;
    const controller = state.abort;
    return { request, abort: (reason) => controller.abort(reason), done: () => undefined };
  }
  const caller = callerSignalOf(request);
  const controller = new AbortController();
  const forward = (): void => controller.abort(caller?.reason);
  if (caller?.aborted) forward();
  else caller?.addEventListener("abort", forward, { once: true });
  return {
    request: copyRequest(request, { signal: controller.signal }),
    abort: (reason) => controller.abort(reason),
    done: () => caller?.removeEventListener("abort", forward),
  };
}

/**
 * A function that makes fresh copies of `request` later, even after the request was sent: from
 * its remembered body, or else from a clone taken now.
 */
export function laterCopies(request: Request): () => Request {
  if (request.body === null || states.get(request)?.body !== undefined) return () => copyRequest(request);
  const clone = request.clone();
  return () => copyRequest(clone);
}

/**
 * The callback receiver: one core that turns a Fetch `Request` into a plain answer (status, JSON
 * body, headers), and the Fetch-style handler `(Request) => Promise<Response>` over it, which
 * runs as it is in Hono, Bun, Deno, Workers and Next.js route handlers (and in Node through
 * `createNodeCallbackListener`, which writes the plain answer itself). It answers 2xx only once
 * the callback is safely handled, and handles each callback once however often ThingSpace sends
 * it.
 *
 * Reading order: the options, resolved once into the receiver's settings (credentials hashed,
 * allowlist built, defaults applied); the checks they use; then the core, top to bottom.
 */
import { readBody, parseJson } from "../shared/body.js";
import { startTimer, systemClock, type Clock } from "../shared/clock.js";
import { callbackServiceNames } from "../shared/callback-services.js";
import { sameDigest, secretDigest } from "../shared/secrets.js";
import { positiveOption } from "../shared/spec.js";
import type { Violation } from "../shared/violations.js";
import { callbackDedupeKey, createMemoryDedupeStore, handleOnce, type AnyDedupeStore } from "./dedupe.js";
import { parseCallback, redactCredentials } from "./parse.js";
import type { CallbackKind, CallbackOfKind, CallbackService, ParsedCallback } from "./types.js";

// ---------------------------------------------------------------------------------------------
// Options, checked once at creation so that a misconfigured receiver fails at start-up rather
// than on ThingSpace's first callback.

/** The `username` and `password` registered with `POST /callbacks/{accountName}`. */
export interface CallbackCredentials {
  readonly username: string;
  readonly password: string;
}

/**
 * What a handler receives beside the callback. `transaction` is the transaction of a
 * `TransactionalDedupeStore` (for `createPostgresDedupeStore({ transactional: true })`, a `pg`
 * client inside `BEGIN`): write through it, and your writes commit together with the record that
 * the callback was handled. With any other store it is `undefined`.
 */
export interface CallbackContext<Transaction = undefined> {
  readonly transaction: Transaction;
}

/** One handler per callback kind; each runs before the answer, and a throw means 500. */
export type CallbackHandlers<Transaction = undefined> = {
  readonly [K in CallbackKind]?: (callback: CallbackOfKind<K>, context: CallbackContext<Transaction>) => unknown;
};

/** What `onInvalid` receives: never the credentials. */
export interface InvalidCallbackEvent {
  /** `json`: the body is not JSON (credentials not checked). `schema`: authenticated but invalid. */
  readonly reason: "json" | "schema";
  readonly violations: readonly Violation[];
  /** For `schema`: the parsed body, `username` and `password` replaced by "[redacted]". */
  readonly body?: unknown;
  readonly remoteAddress?: string;
}

/** Where a reported error happened, with the callback's identity when there is one. */
export interface CallbackErrorDetails {
  readonly stage: "handler" | "store" | "timeout" | "hook" | "internal";
  readonly kind?: CallbackKind;
  readonly requestId?: string;
  readonly deviceKey?: string;
}

interface CommonOptions<Transaction> {
  /** The service this URL is registered for; it tells a `faultResponse`'s operation (see `parseCallback`). */
  readonly service?: CallbackService;
  /** Handlers per kind. A kind with neither its handler nor `onCallback` is answered 500. */
  readonly handlers?: CallbackHandlers<Transaction>;
  /**
   * Runs for every callback, after its kind's handler (e.g. `(cb) => tracker.record(cb)`). The
   * two are one unit: if either throws, both run again when the callback is sent again.
   */
  readonly onCallback?: (callback: ParsedCallback, context: CallbackContext<Transaction>) => unknown;
  /** Called (and awaited) for every rejected body, so none is dropped silently. */
  readonly onInvalid?: (event: InvalidCallbackEvent) => unknown;
  /** Called for handler failures (answered 500), timeouts (503) and store or hook failures. */
  readonly onError?: (error: unknown, details: CallbackErrorDetails) => void;
  /** Largest body accepted, in bytes (413 above). Default 65,536; a callback is ~1–2 KB. */
  readonly maxBodyBytes?: number;
  /**
   * Longest time before answering 503 while handlers still run. Default 8,000 ms: ThingSpace
   * does not document its timeout, so stay well under the common 10 s.
   */
  readonly timeBudgetMs?: number;
  /** Sender addresses accepted (403 otherwise, also when the host gives no address). */
  readonly allowedSources?: readonly string[];
  /**
   * Remembers handled callbacks. Default: `createMemoryDedupeStore()` (one process). Several
   * processes share `createRedisDedupeStore` (`thingspace-m2m/callbacks/redis`) or
   * `createPostgresDedupeStore` (`thingspace-m2m/callbacks/postgres`). A store that fails is
   * reported to `onError` (stage `store`) and answered 503, so that ThingSpace sends it again.
   */
  readonly dedupeStore?: AnyDedupeStore<Transaction>;
  /** Timers for the time budget. */
  readonly clock?: Clock;
}

/** Options of `createCallbackHandler`: the registered credentials, or the explicit opt-out. */
export type CallbackHandlerOptions<Transaction = undefined> = CommonOptions<Transaction> &
  (
    | { readonly credentials: CallbackCredentials; readonly dangerouslyAcceptUnauthenticatedCallbacks?: false }
    | { readonly credentials?: undefined; readonly dangerouslyAcceptUnauthenticatedCallbacks: true }
  );

/** The second argument the handler understands: the sender's address, where the host knows it. */
export interface CallbackRequestContext {
  /** The TCP peer address, e.g. from `socket.remoteAddress` (the node adapter passes it). */
  readonly remoteAddress?: string;
}

/**
 * An answer before it becomes a `Response`: what the receiver's core decides. Bodies never
 * carry credentials or handler errors.
 */
export interface CallbackAnswer {
  readonly status: number;
  /** Sent as JSON text. */
  readonly body: unknown;
  /** Every header of the answer, its JSON content type included. */
  readonly headers: Readonly<Record<string, string>>;
}

/**
 * A Fetch-style callback receiver. The second argument is `{ remoteAddress }`, or whatever the
 * host passes there (Deno's connection info is understood; Bun's server, Workers' env and
 * Next.js's route context are ignored): hence `| object`, so that `Deno.serve(handler)`,
 * `export default { fetch: handler }` and `export const POST = handler` type-check.
 */
export interface CallbackRequestHandler {
  (request: Request, context?: CallbackRequestContext | object): Promise<Response>;
  /**
   * The same handling, answered as plain data instead of a `Response`: for an adapter that
   * writes to its host's own response object, since building a `Response` and reading it back
   * costs more than the rest of handling a callback. Every handler made by
   * `createCallbackHandler` has it; `createNodeCallbackListener` uses it when it is there and
   * calls the handler itself otherwise (a handler of your own, or one you wrapped).
   */
  readonly answer?: (request: Request, context?: CallbackRequestContext | object) => Promise<CallbackAnswer>;
}

/** The options checked, with the defaults applied: the receiver's state, bound once. */
interface ReceiverSettings<Transaction> {
  readonly service?: CallbackService;
  readonly handlers: CallbackHandlers<Transaction>;
  readonly onCallback?: (callback: ParsedCallback, context: CallbackContext<Transaction>) => unknown;
  readonly onInvalid?: (event: InvalidCallbackEvent) => unknown;
  readonly onError?: (error: unknown, details: CallbackErrorDetails) => void;
  readonly maxBodyBytes: number;
  readonly timeBudgetMs: number;
  readonly allowSource?: (address: string | undefined) => boolean;
  readonly checkCredentials?: (body: unknown) => Promise<boolean>;
  readonly store: AnyDedupeStore<Transaction>;
  readonly clock: Clock;
}

/** The hooks that tell the application what happened, whatever the store's transaction type. */
type ReceiverHooks = Pick<ReceiverSettings<unknown>, "onError" | "onInvalid">;

/** Checks `options` and applies the defaults. */
function resolveOptions<Transaction>(options: CallbackHandlerOptions<Transaction>): ReceiverSettings<Transaction> {
  const unauthenticated = options.dangerouslyAcceptUnauthenticatedCallbacks === true;
  if (unauthenticated && options.credentials !== undefined) {
    throw new TypeError("pass either credentials or dangerouslyAcceptUnauthenticatedCallbacks: true, not both");
  }
  if (!options.handlers && !options.onCallback) {
    throw new TypeError(
      "createCallbackHandler needs handlers (per callback kind) or onCallback: otherwise every callback would be lost",
    );
  }
  const services: readonly string[] = callbackServiceNames;
  if (options.service !== undefined && !services.includes(options.service)) {
    throw new TypeError(`service must be ${services.slice(0, -1).join(", ")} or ${services.at(-1)}`);
  }
  return {
    service: options.service,
    handlers: options.handlers ?? {},
    onCallback: options.onCallback,
    onInvalid: options.onInvalid,
    onError: options.onError,
    maxBodyBytes: positiveOption("maxBodyBytes", options.maxBodyBytes, 64 * 1024),
    timeBudgetMs: positiveOption("timeBudgetMs", options.timeBudgetMs, 8_000),
    allowSource: options.allowedSources ? createSourceAllowlist(options.allowedSources) : undefined,
    // Without the opt-out, missing credentials are a TypeError from createCredentialsCheck.
    checkCredentials: unauthenticated ? undefined : createCredentialsCheck(options.credentials as CallbackCredentials),
    store: options.dedupeStore ?? createMemoryDedupeStore(),
    clock: options.clock ?? systemClock,
  };
}

// ---------------------------------------------------------------------------------------------
// Credentials: a callback body's `username`/`password` checked against the registered pair in
// constant time (`shared/secrets`). Each pair is hashed as one text, so one digest covers both
// and the comparison always covers 32 bytes whatever the lengths are; the registered pair is
// hashed once, at creation, and only its digest is kept.

/** One text for the pair, from which both parts can be told apart again (so one digest covers both). */
const pairText = (username: string, password: string): string => `${username.length}:${username}${password}`;

function stringField(body: unknown, name: string): string | undefined {
  if (typeof body !== "object" || body === null) return undefined;
  const value = (body as Record<string, unknown>)[name];
  return typeof value === "string" ? value : undefined;
}

/**
 * Returns a check that resolves true only when `body.username` and `body.password` equal the
 * registered pair. A missing or non-string field never matches.
 */
export function createCredentialsCheck(expected: CallbackCredentials): (body: unknown) => Promise<boolean> {
  if (typeof expected?.username !== "string" || typeof expected?.password !== "string" || expected.password === "") {
    throw new TypeError(
      "credentials must be the { username, password } registered with POST /callbacks/{accountName}, with a " +
        "non-empty password (or pass dangerouslyAcceptUnauthenticatedCallbacks: true to accept anyone's callbacks)",
    );
  }
  const expectedDigest = secretDigest(pairText(expected.username, expected.password));
  return async (body) => {
    const username = stringField(body, "username");
    const password = stringField(body, "password");
    const got = secretDigest(pairText(username ?? "", password ?? ""));
    // node:crypto digests synchronously: await only what Web Crypto gives as a promise.
    const same = sameDigest(
      got instanceof Uint8Array ? got : await got,
      expectedDigest instanceof Uint8Array ? expectedDigest : await expectedDigest,
    );
    return same && username !== undefined && password !== undefined;
  };
}

// ---------------------------------------------------------------------------------------------
// The sender's address, checked against a list where the host provides it. The list is the
// addresses ThingSpace's callbacks come from for your account; this project records none (take
// them from Verizon for your account, or from your receiver's logs). Behind a proxy the address
// is the proxy's, so pass the client address the proxy vouches for instead
// (`createNodeCallbackListener`'s `remoteAddress`).

/** `::ffff:1.2.3.4` and `1.2.3.4` are the same IPv4 sender; IPv6 compares in lower case. */
function normalizeAddress(address: string): string {
  const plain = address
    .trim()
    .replace(/^\[(.*)\]$/, "$1")
    .toLowerCase();
  return plain.startsWith("::ffff:") && plain.includes(".") ? plain.slice(7) : plain;
}

/** A predicate that accepts exactly the listed addresses; an unknown sender is refused. */
function createSourceAllowlist(addresses: readonly string[]): (address: string | undefined) => boolean {
  const allowed = new Set(addresses.map(normalizeAddress));
  return (address) => address !== undefined && allowed.has(normalizeAddress(address));
}

/**
 * The sender's address from the handler's second argument: `remoteAddress`, or Deno's
 * `Deno.serve` info (`remoteAddr.hostname`), so the allowlist works there unchanged.
 */
function remoteAddressOf(context: unknown): string | undefined {
  if (typeof context !== "object" || context === null) return undefined;
  const { remoteAddress, remoteAddr } = context as { remoteAddress?: unknown; remoteAddr?: { hostname?: unknown } };
  if (typeof remoteAddress === "string") return remoteAddress;
  const hostname = typeof remoteAddr === "object" && remoteAddr !== null ? remoteAddr.hostname : undefined;
  return typeof hostname === "string" ? hostname : undefined;
}

// ---------------------------------------------------------------------------------------------
// The time budget: work raced against a deadline on the clock. The work keeps running after the
// deadline (a promise cannot be stopped); only the answer stops waiting for it. The deadline is
// the clock's cancellable timer (`startTimer`): on the system clock one setTimeout, where a sleep
// cancelled through an AbortController would cost some 10 µs a request (a fifth of the
// receiver's throughput under load, measured with bench #5).

/** The work's value, or `timedOut` once the budget ran out first. */
type BudgetResult<T> = { readonly timedOut: false; readonly value: T } | { readonly timedOut: true };

const timedOut = { timedOut: true } as const;

/** Waits for `work` at most `ms` milliseconds of `clock` time. A rejection of `work` rejects. */
function withTimeBudget<T>(work: Promise<T>, ms: number, clock: Clock): Promise<BudgetResult<T>> {
  let cancel!: () => void;
  const expired = new Promise<typeof timedOut>((resolve) => (cancel = startTimer(clock, ms, () => resolve(timedOut))));
  const done = work.then((value) => ({ timedOut: false, value }) as const);
  return Promise.race([done, expired]).finally(cancel);
}

// ---------------------------------------------------------------------------------------------
// The core: checks, in order, source address (403), method (405), content type (415), size
// (413), JSON (400), credentials (401), schema (400 with violations); then runs the handlers
// once per callback: 200 when handled or already handled, 500 when a handler throws, 503 when
// the time budget runs out, another copy is in progress elsewhere or the dedupe store failed.

// Built once: every answer shares them (an answer's headers are read-only).
const jsonHeaders = Object.freeze({ "content-type": "application/json; charset=utf-8", "cache-control": "no-store" });
const postOnlyHeaders = Object.freeze({ ...jsonHeaders, allow: "POST" });
const jsonOnlyHeaders = Object.freeze({ ...jsonHeaders, "accept-post": "application/json" });

function problem(
  status: number,
  error: string,
  message: string,
  extra: object = {},
  headers: CallbackAnswer["headers"] = jsonHeaders,
): CallbackAnswer {
  return { status, body: { error, message, ...extra }, headers };
}

const internalError = (): CallbackAnswer =>
  problem(500, "internal_error", "the callback could not be handled; send it again later");

function isJsonMediaType(contentType: string | null): boolean {
  const type = (contentType ?? "").split(";")[0]!.trim().toLowerCase();
  return type === "application/json" || (type.startsWith("application/") && type.endsWith("+json"));
}

/** Tells `onError`; a failing error hook must not turn the answer into a crash (the answer already says it failed). */
function report(settings: ReceiverHooks, error: unknown, details: CallbackErrorDetails): void {
  try {
    settings.onError?.(error, details);
  } catch {
    // Nothing left to tell: the answer carries the failure.
  }
}

/** Tells `onInvalid` (awaited), then answers the rejection with its violations. */
async function rejectInvalid(
  settings: ReceiverHooks,
  status: number,
  error: string,
  message: string,
  event: InvalidCallbackEvent,
): Promise<CallbackAnswer> {
  try {
    await settings.onInvalid?.(event);
  } catch (hookError) {
    report(settings, hookError, { stage: "hook" });
  }
  return problem(status, error, message, { violations: event.violations });
}

function identity(callback: ParsedCallback): Omit<CallbackErrorDetails, "stage"> {
  return { kind: callback.kind, requestId: callback.requestId, deviceKey: callback.deviceKey };
}

/** Runs the kind's handler, then `onCallback`; undefined when neither exists. */
function handlersOf<Transaction>(
  settings: ReceiverSettings<Transaction>,
  callback: ParsedCallback,
): ((transaction: Transaction) => Promise<void>) | undefined {
  const own = settings.handlers[callback.kind] as
    ((callback: ParsedCallback, context: CallbackContext<Transaction>) => unknown) | undefined;
  const all = settings.onCallback;
  if (!own && !all) return undefined;
  return async (transaction) => {
    const context = { transaction };
    if (own) await own(callback, context);
    if (all) await all(callback, context);
  };
}

/** Answers one request: the checks that need no body, then the body's handling within the time budget. */
async function answerCallback<Transaction>(
  settings: ReceiverSettings<Transaction>,
  request: Request,
  context: CallbackRequestContext | object | undefined,
): Promise<CallbackAnswer> {
  try {
    const remoteAddress = remoteAddressOf(context);
    if (settings.allowSource && !settings.allowSource(remoteAddress)) {
      return problem(403, "forbidden", "callbacks are not accepted from this address");
    }
    if (request.method !== "POST") {
      return problem(405, "method_not_allowed", "callbacks are sent with POST", {}, postOnlyHeaders);
    }
    if (!isJsonMediaType(request.headers.get("content-type"))) {
      const message = "callbacks are JSON: Content-Type must be application/json";
      return problem(415, "unsupported_media_type", message, {}, jsonOnlyHeaders);
    }
    const budgeted = await withTimeBudget(
      receive(settings, request, remoteAddress),
      settings.timeBudgetMs,
      settings.clock,
    );
    if (!budgeted.timedOut) return budgeted.value;
    const late = `the callback was not handled within ${settings.timeBudgetMs} ms`;
    report(settings, new Error(`${late}; answered 503 so that ThingSpace sends it again`), { stage: "timeout" });
    return problem(503, "timeout", `${late}; send it again later`);
  } catch (error) {
    report(settings, error, { stage: "internal" });
    return internalError();
  }
}

/** Reads, trusts, parses and handles the body: the part of an answer the time budget covers. */
async function receive<Transaction>(
  settings: ReceiverSettings<Transaction>,
  request: Request,
  remoteAddress: string | undefined,
): Promise<CallbackAnswer> {
  if (request.bodyUsed) {
    const error = new Error("the request body was already read: mount the callback handler before any body parser");
    report(settings, error, { stage: "internal" });
    return internalError();
  }
  const body = await readBody(request, settings.maxBodyBytes);
  if (!body.ok) {
    return body.reason === "too-large"
      ? problem(413, "payload_too_large", `the body is larger than ${settings.maxBodyBytes} bytes`)
      : problem(400, "unreadable_body", "the body could not be read to its end");
  }
  const json = parseJson(body.bytes);
  if (!json.ok) {
    const event = { reason: "json", violations: [json.violation], remoteAddress } as const;
    return rejectInvalid(settings, 400, "invalid_json", json.violation.message, event);
  }
  if (settings.checkCredentials && !(await settings.checkCredentials(json.value))) {
    return problem(401, "unauthorized", "username and password do not match the pair registered for this callback URL");
  }
  const parsed = parseCallback(json.value, { service: settings.service });
  if (!parsed.ok) {
    const message = `the body is not a valid ${settings.service ?? "ThingSpace"} callback`;
    const event = {
      reason: "schema",
      violations: parsed.violations,
      body: redactCredentials(json.value),
      remoteAddress,
    } as const;
    return rejectInvalid(settings, 400, "invalid_callback", message, event);
  }
  const callback = parsed.callback;
  const run = handlersOf(settings, callback);
  if (!run) {
    const error = new Error(`no handler for ${callback.kind} callbacks: add handlers.${callback.kind} or onCallback`);
    report(settings, error, { stage: "handler", ...identity(callback) });
    return problem(500, "unhandled_kind", `this receiver has no handler for ${callback.kind} callbacks`);
  }
  try {
    const storeFailed = (error: unknown) => report(settings, error, { stage: "store", ...identity(callback) });
    const result = await handleOnce(settings.store, callbackDedupeKey(callback), run, storeFailed);
    if (result === "busy") {
      return problem(503, "in_progress", "another copy of this callback is being handled; send it again later");
    }
    if (result === "unavailable") {
      return problem(
        503,
        "store_unavailable",
        "the callback could not be checked against those handled; send it again later",
      );
    }
    return {
      status: 200,
      body: { status: result, kind: callback.kind, requestId: callback.requestId },
      headers: jsonHeaders,
    };
  } catch (error) {
    report(settings, error, { stage: "handler", ...identity(callback) });
    const message = "the callback's handler failed; it will be handled when ThingSpace sends it again";
    return problem(500, "handler_failed", message);
  }
}

/**
 * Creates the receiver: a Fetch-style handler, with the same handling as plain answers under
 * its `answer` (see {@link CallbackRequestHandler}). The options are checked here, once; a
 * misconfiguration throws now rather than on the first callback.
 */
export function createCallbackHandler<Transaction = undefined>(
  options: CallbackHandlerOptions<Transaction>,
): CallbackRequestHandler {
  const settings = resolveOptions(options);
  const answer = (request: Request, context?: CallbackRequestContext | object): Promise<CallbackAnswer> =>
    answerCallback(settings, request, context);
  const handler = async (request: Request, context?: CallbackRequestContext | object): Promise<Response> => {
    const { status, body, headers } = await answer(request, context);
    return new Response(JSON.stringify(body), { status, headers });
  };
  return Object.assign(handler, { answer });
}

/**
 * The callback receiver: a Fetch-style function `(Request) => Promise<Response>` that runs as
 * it is in Hono, Bun, Deno, Workers and Next.js route handlers (and in Node through
 * `createNodeCallbackListener`). It answers 2xx only once the callback is safely handled, and
 * handles each callback once however often ThingSpace sends it.
 */
import type { ParsedCallback } from "./callback-types.js";
import { resolveHandlerOptions, type CallbackErrorDetails, type CallbackHandlerOptions, type HandlerSettings } from "./callback-handler-options.js";
import { callbackDedupeKey } from "./dedupe-key.js";
import { handleOnce } from "./handle-once.js";
import { jsonResponse, type JsonAnswer } from "./json-response.js";
import { parseCallback } from "./parse-callback.js";
import { parseJsonBody } from "./parse-json-body.js";
import { readBodyWithLimit } from "./read-body-with-limit.js";
import { redactCredentials } from "./redact-credentials.js";
import { remoteAddressOf, type CallbackRequestContext } from "./source-allowlist.js";
import { withTimeBudget } from "./time-budget.js";

/**
 * A Fetch-style callback receiver. The second argument is `{ remoteAddress }`, or whatever the
 * host passes there (Deno's connection info is understood; Bun's server, Workers' env and
 * Next.js's route context are ignored): hence `| object`, so that `Deno.serve(handler)`,
 * `export default { fetch: handler }` and `export const POST = handler` type-check.
 */
export type CallbackRequestHandler = (request: Request, context?: CallbackRequestContext | object) => Promise<Response>;

/**
 * The handler's core, which answers with plain {@link JsonAnswer}s: the node adapter writes
 * those directly instead of building and reading back a `Response`.
 */
export const answeringCore = Symbol("thingspace-m2m/callback-answering-core");

/** A handler made by {@link createCallbackHandler}, with its core under {@link answeringCore}. */
type HandlerWithCore = CallbackRequestHandler & {
  readonly [answeringCore]: (request: Request, context?: CallbackRequestContext | object) => Promise<JsonAnswer>;
};

const problem = (status: number, error: string, message: string, extra: object = {}, headers?: Record<string, string>): JsonAnswer =>
  headers ? { status, body: { error, message, ...extra }, headers } : { status, body: { error, message, ...extra } };

function isJsonMediaType(contentType: string | null): boolean {
  const type = (contentType ?? "").split(";")[0]!.trim().toLowerCase();
  return type === "application/json" || (type.startsWith("application/") && type.endsWith("+json"));
}

function identity(callback: ParsedCallback): Omit<CallbackErrorDetails, "stage"> {
  return { kind: callback.kind, requestId: callback.requestId, deviceKey: callback.deviceKey };
}

/** Runs the kind's handler, then `onCallback`; undefined when neither exists. */
function handlersOf(settings: HandlerSettings, callback: ParsedCallback): (() => Promise<void>) | undefined {
  const own = settings.handlers[callback.kind] as ((callback: ParsedCallback) => unknown) | undefined;
  const all = settings.onCallback;
  if (!own && !all) return undefined;
  return async () => {
    if (own) await own(callback);
    if (all) await all(callback);
  };
}

/**
 * Creates the receiver. Checks, in order: source address (403), method (405), content type
 * (415), size (413), JSON (400), credentials (401), schema (400 with violations); then runs the
 * handlers once per callback: 200 when handled or already handled, 500 when a handler throws,
 * 503 when the time budget runs out or another copy is in progress elsewhere.
 */
export function createCallbackHandler(options: CallbackHandlerOptions): CallbackRequestHandler {
  const settings = resolveHandlerOptions(options);

  const report = (error: unknown, details: CallbackErrorDetails): void => {
    try {
      settings.onError?.(error, details);
    } catch {
      // A failing error hook must not turn the answer into a crash; the answer already says it failed.
    }
  };

  const rejectInvalid = async (status: number, error: string, message: string, event: Parameters<NonNullable<HandlerSettings["onInvalid"]>>[0]) => {
    try {
      await settings.onInvalid?.(event);
    } catch (hookError) {
      report(hookError, { stage: "hook" });
    }
    return problem(status, error, message, { violations: event.violations });
  };

  async function receive(request: Request, remoteAddress: string | undefined): Promise<JsonAnswer> {
    if (request.bodyUsed) {
      report(new Error("the request body was already read: mount the callback handler before any body parser"), { stage: "internal" });
      return problem(500, "internal_error", "the callback could not be handled; send it again later");
    }
    const body = await readBodyWithLimit(request, settings.maxBodyBytes);
    if (!body.ok) {
      return body.reason === "too-large"
        ? problem(413, "payload_too_large", `the body is larger than ${settings.maxBodyBytes} bytes`)
        : problem(400, "unreadable_body", "the body could not be read to its end");
    }
    const json = parseJsonBody(body.bytes);
    if (!json.ok) return rejectInvalid(400, "invalid_json", json.violation.message, { reason: "json", violations: [json.violation], remoteAddress });
    if (settings.checkCredentials && !(await settings.checkCredentials(json.value))) {
      return problem(401, "unauthorized", "username and password do not match the pair registered for this callback URL");
    }
    const parsed = parseCallback(json.value, { service: settings.service });
    if (!parsed.ok) {
      const message = `the body is not a valid ${settings.service ?? "ThingSpace"} callback`;
      return rejectInvalid(400, "invalid_callback", message, { reason: "schema", violations: parsed.violations, body: redactCredentials(json.value), remoteAddress });
    }
    const callback = parsed.callback;
    const run = handlersOf(settings, callback);
    if (!run) {
      report(new Error(`no handler for ${callback.kind} callbacks: add handlers.${callback.kind} or onCallback`), { stage: "handler", ...identity(callback) });
      return problem(500, "unhandled_kind", `this receiver has no handler for ${callback.kind} callbacks`);
    }
    try {
      const result = await handleOnce(settings.store, callbackDedupeKey(callback), run, (error) => report(error, { stage: "store", ...identity(callback) }));
      if (result === "busy") return problem(503, "in_progress", "another copy of this callback is being handled; send it again later");
      return { status: 200, body: { status: result, kind: callback.kind, requestId: callback.requestId } };
    } catch (error) {
      report(error, { stage: "handler", ...identity(callback) });
      return problem(500, "handler_failed", "the callback's handler failed; it will be handled when ThingSpace sends it again");
    }
  }

  const answer = async (request: Request, context?: CallbackRequestContext | object): Promise<JsonAnswer> => {
    try {
      const remoteAddress = remoteAddressOf(context);
      if (settings.allowSource && !settings.allowSource(remoteAddress)) {
        return problem(403, "forbidden", "callbacks are not accepted from this address");
      }
      if (request.method !== "POST") return problem(405, "method_not_allowed", "callbacks are sent with POST", {}, { allow: "POST" });
      if (!isJsonMediaType(request.headers.get("content-type"))) {
        return problem(415, "unsupported_media_type", "callbacks are JSON: Content-Type must be application/json", {}, { "accept-post": "application/json" });
      }
      const budgeted = await withTimeBudget(receive(request, remoteAddress), settings.timeBudgetMs, settings.clock);
      if (!budgeted.timedOut) return budgeted.value;
      report(new Error(`the callback was not handled within ${settings.timeBudgetMs} ms; answered 503 so that ThingSpace sends it again`), { stage: "timeout" });
      return problem(503, "timeout", `the callback was not handled within ${settings.timeBudgetMs} ms; send it again later`);
    } catch (error) {
      report(error, { stage: "internal" });
      return problem(500, "internal_error", "the callback could not be handled; send it again later");
    }
  };
  const handler = async (request: Request, context?: CallbackRequestContext | object): Promise<Response> => jsonResponse(await answer(request, context));
  return Object.defineProperty(handler, answeringCore, { value: answer }) as HandlerWithCore;
}

/** The answering core of a handler made by {@link createCallbackHandler}, if it is one. */
export function answeringCoreOf(handler: CallbackRequestHandler): HandlerWithCore[typeof answeringCore] | undefined {
  return (handler as Partial<HandlerWithCore>)[answeringCore];
}

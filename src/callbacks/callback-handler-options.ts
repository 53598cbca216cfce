/**
 * The options of `createCallbackHandler`, checked once at creation so that a misconfigured
 * receiver fails at start-up rather than on ThingSpace's first callback.
 */
import type { Violation } from "../validation/violations.js";
import type { CallbackKind, CallbackOfKind, CallbackService, ParsedCallback } from "./callback-types.js";
import { systemClock, type Clock } from "../client/clock.js";
import { createCredentialsCheck, type CallbackCredentials } from "./credentials-check.js";
import type { DedupeStore } from "./dedupe-store.js";
import { createMemoryDedupeStore } from "./memory-dedupe-store.js";
import { createSourceAllowlist } from "./source-allowlist.js";

/** One handler per callback kind; each runs before the answer, and a throw means 500. */
export type CallbackHandlers = {
  readonly [K in CallbackKind]?: (callback: CallbackOfKind<K>) => unknown;
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

interface CommonOptions {
  /** The service this URL is registered for; it tells a `faultResponse`'s operation (see `parseCallback`). */
  readonly service?: CallbackService;
  /** Handlers per kind. A kind with neither its handler nor `onCallback` is answered 500. */
  readonly handlers?: CallbackHandlers;
  /**
   * Runs for every callback, after its kind's handler (e.g. `(cb) => tracker.record(cb)`). The
   * two are one unit: if either throws, both run again when the callback is sent again.
   */
  readonly onCallback?: (callback: ParsedCallback) => unknown;
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
  /** Remembers handled callbacks. Default: `createMemoryDedupeStore()` (one process). */
  readonly dedupeStore?: DedupeStore;
  /** Timers for the time budget. */
  readonly clock?: Clock;
}

/** Options of `createCallbackHandler`: the registered credentials, or the explicit opt-out. */
export type CallbackHandlerOptions = CommonOptions &
  (
    | { readonly credentials: CallbackCredentials; readonly dangerouslyAcceptUnauthenticatedCallbacks?: false }
    | { readonly credentials?: undefined; readonly dangerouslyAcceptUnauthenticatedCallbacks: true }
  );

/** The checked options with defaults applied. */
export interface HandlerSettings {
  readonly service?: CallbackService;
  readonly handlers: CallbackHandlers;
  readonly onCallback?: (callback: ParsedCallback) => unknown;
  readonly onInvalid?: (event: InvalidCallbackEvent) => unknown;
  readonly onError?: (error: unknown, details: CallbackErrorDetails) => void;
  readonly maxBodyBytes: number;
  readonly timeBudgetMs: number;
  readonly allowSource?: (address: string | undefined) => boolean;
  readonly checkCredentials?: (body: unknown) => Promise<boolean>;
  readonly store: DedupeStore;
  readonly clock: Clock;
}

function positive(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value <= 0) throw new RangeError(`${name} must be a positive number`);
  return value;
}

/** Checks `options` and applies the defaults. */
export function resolveHandlerOptions(options: CallbackHandlerOptions): HandlerSettings {
  const unauthenticated = options.dangerouslyAcceptUnauthenticatedCallbacks === true;
  if (unauthenticated && options.credentials !== undefined) {
    throw new TypeError("pass either credentials or dangerouslyAcceptUnauthenticatedCallbacks: true, not both");
  }
  if (!options.handlers && !options.onCallback) {
    throw new TypeError("createCallbackHandler needs handlers (per callback kind) or onCallback: otherwise every callback would be lost");
  }
  if (options.service !== undefined && !["CarrierService", "NiddService", "StateService"].includes(options.service)) {
    throw new TypeError("service must be CarrierService, NiddService or StateService");
  }
  return {
    service: options.service,
    handlers: options.handlers ?? {},
    onCallback: options.onCallback,
    onInvalid: options.onInvalid,
    onError: options.onError,
    maxBodyBytes: positive("maxBodyBytes", options.maxBodyBytes, 64 * 1024),
    timeBudgetMs: positive("timeBudgetMs", options.timeBudgetMs, 8_000),
    allowSource: options.allowedSources ? createSourceAllowlist(options.allowedSources) : undefined,
    // Without the opt-out, missing credentials are a TypeError from createCredentialsCheck.
    checkCredentials: unauthenticated ? undefined : createCredentialsCheck(options.credentials as CallbackCredentials),
    store: options.dedupeStore ?? createMemoryDedupeStore(),
    clock: options.clock ?? systemClock,
  };
}

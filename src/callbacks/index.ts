/**
 * `thingspace-m2m/callbacks`: parse and trust ThingSpace's callbacks, receive them once each,
 * and correlate them with the requests that caused them.
 */
export { parseCallback, type ParseCallbackOptions } from "./parse-callback.js";
export type {
  CallbackKind,
  CallbackOfKind,
  CallbackService,
  ParseCallbackResult,
  ParsedActivateFailed,
  ParsedActivateSucceeded,
  ParsedCallback,
  ParsedDeviceFailed,
  ParsedGoToStateFailed,
  ParsedGoToStateSucceeded,
  ParsedNiddConfigCreated,
  ParsedNiddConfigFailed,
  ReportedDeviceId,
} from "./callback-types.js";
export { createCallbackHandler, type CallbackRequestHandler } from "./callback-handler.js";
export type { CallbackErrorDetails, CallbackHandlerOptions, CallbackHandlers, InvalidCallbackEvent } from "./callback-handler-options.js";
export type { CallbackCredentials } from "./credentials-check.js";
export type { CallbackRequestContext } from "./source-allowlist.js";
export { createNodeCallbackListener, type NodeCallbackListener, type NodeCallbackListenerOptions } from "./node-listener.js";
export type { DedupeClaim, DedupeSettlement, DedupeStore } from "./dedupe-store.js";
export { createMemoryDedupeStore, type MemoryDedupeStoreOptions } from "./memory-dedupe-store.js";
export { callbackDedupeKey } from "./dedupe-key.js";
export {
  createCallbackTracker,
  type CallbackTracker,
  type CallbackTrackerOptions,
  type RequestReport,
  type TrackerReport,
} from "./callback-tracker.js";
export type { DeviceOutcome, ExpectedDevice, RecordResult } from "./request-expectation.js";
export type { Clock } from "../client/clock.js";
export type { Violation } from "../validation/violations.js";

/**
 * `thingspace-m2m/callbacks`: parse and trust ThingSpace's callbacks, receive them once each,
 * and correlate them with the requests that caused them.
 */
export { parseCallback, type ParseCallbackOptions } from "./parse.js";
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
} from "./types.js";
export {
  createCallbackHandler,
  type CallbackCredentials,
  type CallbackErrorDetails,
  type CallbackContext,
  type CallbackHandlerOptions,
  type CallbackHandlers,
  type CallbackRequestContext,
  type CallbackAnswer,
  type CallbackRequestHandler,
  type InvalidCallbackEvent,
} from "./receiver.js";
export { createNodeCallbackListener, type NodeCallbackListener, type NodeCallbackListenerOptions } from "./node.js";
export {
  callbackDedupeKey,
  createMemoryDedupeStore,
  DedupeLeaseLostError,
  type AnyDedupeStore,
  type DedupeClaim,
  type DedupeSettlement,
  type DedupeStore,
  type MemoryDedupeStoreOptions,
  type OnceResult,
  type TransactionalDedupeStore,
} from "./dedupe.js";
export {
  createCallbackTracker,
  type CallbackOutcome,
  type CallbackTracker,
  type CallbackTrackerOptions,
  type DeviceOutcome,
  type RecordResult,
  type RequestReport,
  type TrackerReport,
  type WaitOptions,
} from "./tracker.js";
export type {
  DeviceLookup,
  ExpectedDevice,
  ExpectOptions,
  LookupFailure,
  ReconciledOutcome,
  ReconcileReport,
} from "./reconcile.js";
export type { LookupFinding } from "../shared/lookup-finding.js";
export type { Clock } from "../shared/clock.js";
export type { Violation } from "../shared/violations.js";

/**
 * The typed result of parsing a callback: one variant per kind of message ThingSpace sends.
 * Payload types index into the generated spec types; nothing here re-declares a field.
 */
import type { Schemas } from "../shared/spec.js";
import type { Violation } from "../shared/violations.js";

/** The callback service a listener URL is registered for. */
export type CallbackService = Schemas["CallbackServiceName"];

/** One device identifier as reported; after parsing, `kind` is always lower case. */
export type ReportedDeviceId = Schemas["ReportedDeviceId"];

interface ParsedCallbackBase<
  K extends string,
  S extends CallbackService | undefined,
  P,
  O extends "succeeded" | "failed",
> {
  /** Which message this is; narrow on it. */
  readonly kind: K;
  /** The service that sent it; `undefined` only for a fault whose service was not given. */
  readonly service: S;
  /** Whether the operation succeeded for this device. */
  readonly outcome: O;
  /** The body exactly as received (kinds in their original case). */
  readonly payload: P;
  /** The `requestId` of the request this message reports on. */
  readonly requestId: string;
  /**
   * The identifiers the message is about (`deviceIds`, or `niddConfigResponse.deviceIds` for
   * NIDD), kinds in lower case.
   */
  readonly deviceIds: readonly ReportedDeviceId[];
  /**
   * Every identifier reported for the device, including those inside the response (MDN, ICCID
   * …), kinds in lower case, without repeats. The tracker matches devices on these.
   */
  readonly allDeviceIds: readonly ReportedDeviceId[];
  /** `deviceKey(deviceIds)` (or of `allDeviceIds` when `deviceIds` is empty): the device's identity. */
  readonly deviceKey: string;
}

/** CarrierService: the device was activated. */
export type ParsedActivateSucceeded = ParsedCallbackBase<
  "activateSucceeded",
  "CarrierService",
  Schemas["ActivateSucceededCallback"],
  "succeeded"
>;
/** CarrierService: activation failed for the device (`faultResponse`). */
export type ParsedActivateFailed = ParsedCallbackBase<
  "activateFailed",
  "CarrierService",
  Schemas["DeviceFailedCallback"],
  "failed"
>;
/** NiddService: NIDD was configured. */
export type ParsedNiddConfigCreated = ParsedCallbackBase<
  "niddConfigCreated",
  "NiddService",
  Schemas["NiddConfigCreatedCallback"],
  "succeeded"
>;
/** NiddService: NIDD could not be configured (see `niddConfigResponse.reason`). */
export type ParsedNiddConfigFailed = ParsedCallbackBase<
  "niddConfigFailed",
  "NiddService",
  Schemas["NiddConfigFailedCallback"],
  "failed"
>;
/** StateService: the device reached the requested service and state. */
export type ParsedGoToStateSucceeded = ParsedCallbackBase<
  "goToStateSucceeded",
  "StateService",
  Schemas["GoToStateSucceededCallback"],
  "succeeded"
>;
/** StateService: goToState failed for the device (`faultResponse`). */
export type ParsedGoToStateFailed = ParsedCallbackBase<
  "goToStateFailed",
  "StateService",
  Schemas["DeviceFailedCallback"],
  "failed"
>;
/**
 * A `faultResponse` parsed without a `service` hint: the body does not say whether activate
 * (CarrierService) or goToState (StateService) failed.
 */
export type ParsedDeviceFailed = ParsedCallbackBase<
  "deviceFailed",
  undefined,
  Schemas["DeviceFailedCallback"],
  "failed"
>;

/** Every callback `parseCallback` can return; discriminated by `kind`. */
export type ParsedCallback =
  | ParsedActivateSucceeded
  | ParsedActivateFailed
  | ParsedNiddConfigCreated
  | ParsedNiddConfigFailed
  | ParsedGoToStateSucceeded
  | ParsedGoToStateFailed
  | ParsedDeviceFailed;

/** The `kind` of a parsed callback. */
export type CallbackKind = ParsedCallback["kind"];

/** The variant of `ParsedCallback` with the given kind. */
export type CallbackOfKind<K extends CallbackKind> = Extract<ParsedCallback, { kind: K }>;

/** What `parseCallback` returns: the callback, or why it is not one (never a throw). */
export type ParseCallbackResult =
  | { readonly ok: true; readonly callback: ParsedCallback }
  | { readonly ok: false; readonly violations: readonly Violation[] };

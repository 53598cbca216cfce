/**
 * What the package takes from the spec at run time, in one place: the generated types, and the
 * most devices one request may carry (`maxItems`), so that neither the batching helpers nor the
 * simulator restate a limit the spec owns. The numbers ride on the generated validators
 * (`arrayLimits`) rather than being read from the bundled spec, which would add some 57 KB to
 * every application that imports the client.
 */
import {
  validateActivateDevicesRequest,
  validateAddDevicesRequest,
  validateGoToStateRequest,
  validateListDevicesRequest,
} from "../../generated/validators.js";
import type { components } from "../../generated/openapi-types.js";
export { deviceIdKinds } from "../../generated/validators.js";

export type { components, paths, webhooks, operations } from "../../generated/openapi-types.js";

/** The spec's schemas, by name. */
export type Schemas = components["schemas"];

/** Devices per activate request (ThingSpace answers `INPUT_INVALID.MaxRequestsExceeded` above it). */
export const maxActivateDevices: number = validateActivateDevicesRequest.arrayLimits.devices.maxItems;

/** Devices per goToState request. */
export const maxGoToStateDevices: number = validateGoToStateRequest.arrayLimits.devices.maxItems;

/** Devices per add request (ThingSpace answers `INPUT_INVALID.NumberofDevices` above it). */
export const maxAddDevices: number = validateAddDevicesRequest.arrayLimits.devicesToAdd.maxItems;

/** Devices per listDevices page at most (`maxNumberOfDevices`; *unconfirmed*, see "Paging" in the spec). */
export const maxDevicesPerListPage: number = validateListDevicesRequest.numberLimits.maxNumberOfDevices.maximum;

/**
 * The fields a device of each batch operation may carry besides `deviceIds` (activate: its
 * `ipAddress`), from the spec's device schemas: what a tool reading devices from a file may
 * take as per-device columns.
 */
export const batchDeviceFields: {
  readonly addDevices: readonly string[];
  readonly activateDevices: readonly string[];
  readonly goToState: readonly string[];
} = {
  addDevices: validateAddDevicesRequest.itemFields.devicesToAdd.filter((field) => field !== "deviceIds"),
  activateDevices: validateActivateDevicesRequest.itemFields.devices.filter((field) => field !== "deviceIds"),
  goToState: validateGoToStateRequest.itemFields.devices.filter((field) => field !== "deviceIds"),
};

/**
 * The listed device's extended attribute that holds ThingSpace's numeric device id, which the
 * next page's `largestDeviceIdSeen` repeats. This name and {@link nextListCursor} are the one
 * place the SDK and the simulator hold the *unconfirmed* paging rule ("Paging" in the spec's
 * `listDevices`), so they change together when ThingSpace's behaviour is known.
 */
export const listCursorAttribute = "DeviceId";

/**
 * The `largestDeviceIdSeen` of the page after `page`: the {@link listCursorAttribute} of its last
 * device, or undefined when it has none (or not a whole number).
 */
export function nextListCursor(page: Schemas["ListDevicesResponse"]): number | undefined {
  const last = page.devices[page.devices.length - 1];
  const value = last?.extendedAttributes?.find((attribute) => attribute.key === listCursorAttribute)?.value;
  if (value === undefined || !/^\d+$/.test(value)) return undefined;
  return Number(value);
}

/**
 * A numeric option checked once, where options are resolved: `fallback` when absent, a
 * `RangeError` naming the option and its unit when not a positive number.
 */
export function positiveOption(name: string, value: number | undefined, fallback: number, unit?: string): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value <= 0)
    throw new RangeError(`${name} must be a positive number${unit ? ` of ${unit}` : ""}`);
  return value;
}

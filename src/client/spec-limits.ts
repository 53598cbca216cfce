/**
 * The most devices one request may carry, as the spec says (`maxItems`), so the batching
 * helpers never restate a limit the spec owns: 10,000 for activate and goToState, 200 for add.
 * The numbers ride on the generated validators (`arrayLimits`) rather than being read from the
 * bundled spec, which would add some 57 KB to every application that imports the client.
 */
import { validateActivateDevicesRequest, validateAddDevicesRequest, validateGoToStateRequest } from "../../generated/validators.js";

/** Devices per activate request (ThingSpace answers `INPUT_INVALID.MaxRequestsExceeded` above it). */
export const maxActivateDevices: number = validateActivateDevicesRequest.arrayLimits.devices.maxItems;

/** Devices per goToState request. */
export const maxGoToStateDevices: number = validateGoToStateRequest.arrayLimits.devices.maxItems;

/** Devices per add request (ThingSpace answers `INPUT_INVALID.NumberofDevices` above it). */
export const maxAddDevices: number = validateAddDevicesRequest.arrayLimits.devicesToAdd.maxItems;

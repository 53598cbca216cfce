/**
 * The most devices one request may carry, read from the bundled spec (`maxItems`) so the
 * batching helpers never restate a limit the spec owns: 10,000 for activate and goToState,
 * 200 for add.
 */
import spec from "../../generated/openapi.json" with { type: "json" };

const schemas = spec.components.schemas;

/** Devices per activate request (ThingSpace answers `INPUT_INVALID.MaxRequestsExceeded` above it). */
export const maxActivateDevices: number = schemas.ActivateDevicesRequest.properties.devices.maxItems;

/** Devices per goToState request. */
export const maxGoToStateDevices: number = schemas.GoToStateRequest.properties.devices.maxItems;

/** Devices per add request (ThingSpace answers `INPUT_INVALID.NumberofDevices` above it). */
export const maxAddDevices: number = schemas.AddDevicesRequest.properties.devicesToAdd.maxItems;

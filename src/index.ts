/**
 * `thingspace-m2m`: the typed ThingSpace M2M client. Callbacks live in
 * `thingspace-m2m/callbacks`, the simulator in `thingspace-m2m/simulator`.
 */
export * from "./client/index.js";
export type { Violation } from "./validation/violations.js";
export { deviceIdKey, deviceKey } from "./devices/device-key.js";
export { exampleDevice, exampleDevices, exampleDeviceStream } from "./devices/example-devices.js";
export type { components, paths, webhooks, operations } from "../generated/openapi-types.js";

/**
 * `thingspace-m2m`: the typed ThingSpace M2M client. Callbacks live in
 * `thingspace-m2m/callbacks`, the simulator (and its example devices) in `thingspace-m2m/simulator`.
 */
export * from "./client/index.js";
export type { Violation } from "./shared/violations.js";
export { deviceIdKey, deviceKey } from "./shared/device-key.js";
export type { components, paths, webhooks, operations } from "./shared/spec.js";

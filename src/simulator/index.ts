/**
 * `thingspace-m2m/simulator`: a ThingSpace stand-in for demos and tests. A Fetch-style core
 * (`createSimulator`) and a loopback node:http host (`startSimulatorServer`); the msw handlers
 * live in `thingspace-m2m/simulator/msw` so that only their users need msw.
 */
export { createSimulator } from "./create-simulator.js";
export type { Simulator } from "./simulator.js";
export { simulatorDefaults, type SimulatorOptions } from "./simulator-options.js";
export { startSimulatorServer, type SimulatorServer, type SimulatorServerOptions } from "./start-simulator-server.js";
export type { CountedFault, DeviceFaultContext, RequestFault, SimulatorFaults } from "./fault-injector.js";
export type { SimulatorOperation } from "./simulator-operation.js";
export { activeState, preActiveState, type SimulatedDevice } from "./device-store.js";
export type { DeliveryAttempt, FetchLike } from "./callback-delivery.js";
export type { CallbackPayload, CallbackResult, SimulatorCallback } from "./callback-messages.js";
export { simulatorErrorCodes, type SimulatorErrorCode } from "./error-codes.js";
export type { Sleep } from "./sleep.js";

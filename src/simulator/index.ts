/**
 * `thingspace-m2m/simulator`: a ThingSpace stand-in for demos and tests. A Fetch-style core
 * (`createSimulator`) and a loopback node:http host (`startSimulatorServer`), and valid example
 * devices to feed them; the msw handlers live in `thingspace-m2m/simulator/msw` so that only
 * their users need msw.
 */
export { createSimulator, type Simulator } from "./simulator.js";
export { simulatorDefaults, type SimulatorOptions } from "./options.js";
export { startSimulatorServer, type SimulatorServer, type SimulatorServerOptions } from "./server.js";
export type {
  CountedFault,
  DeviceFaultContext,
  DroppedCallbackContext,
  RequestFault,
  SimulatorFaults,
} from "./faults.js";
export type { SimulatorOperation } from "./router.js";
export { activeState, preActiveState, type SimulatedDevice } from "./state.js";
export type { CallbackPayload, CallbackResult, DeliveryAttempt, FetchLike, SimulatorCallback } from "./delivery.js";
export { simulatorErrorCodes, type SimulatorErrorCode } from "./responses.js";
export { exampleDevice, exampleDevices, exampleDeviceStream } from "./example-devices.js";

/**
 * The bodies of the callbacks the simulator sends, built to the spec's callback schemas (one
 * message per device). The envelope's `username`, `password`, `callbackCount` and
 * `maxCallbackThreshold` are added at each delivery attempt.
 */
import type { components } from "../../generated/openapi-types.js";
import type { SimulatedDevice } from "./device-store.js";

type Schemas = components["schemas"];
type DeviceId = Schemas["DeviceId"];
type FaultResponse = Schemas["FaultResponse"];
type CallbackServiceName = Schemas["CallbackServiceName"];
type EnvelopeField = "username" | "password" | "callbackCount" | "maxCallbackThreshold";
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** Any callback body the simulator sends. */
export type SimulatorCallback = Schemas["CarrierServiceCallback"] | Schemas["NiddServiceCallback"] | Schemas["StateServiceCallback"];

/** A callback body before the delivery envelope is added. */
export type CallbackPayload = DistributiveOmit<SimulatorCallback, EnvelopeField>;

/** One device's result, addressed to a callback service of an account. */
export interface CallbackResult {
  service: CallbackServiceName;
  accountName: string;
  payload: CallbackPayload;
}

function copyIds(deviceIds: readonly DeviceId[]): DeviceId[] {
  return deviceIds.map(({ kind, id }) => ({ kind, id }));
}

/** A CarrierService success: the device is active, with every identifier it now has. */
export function activateSucceededPayload(requestId: string, requested: readonly DeviceId[], device: SimulatedDevice): CallbackPayload {
  const activateResponse: Schemas["ActivateResponse"] = {
    deviceIds: copyIds(device.deviceIds),
    state: "Active",
    featureCodes: [],
    ...(device.ipAddress === undefined ? {} : { ipAddress: device.ipAddress }),
    ...(device.servicePlan === undefined ? {} : { servicePlan: device.servicePlan }),
  };
  return { requestId, deviceIds: copyIds(requested), deviceResponse: { activateResponse }, status: "Success" };
}

/** A CarrierService or StateService failure for one device. */
export function deviceFailedPayload(requestId: string, requested: readonly DeviceId[], fault: FaultResponse): CallbackPayload {
  return { requestId, deviceIds: copyIds(requested), faultResponse: { ...fault }, status: "Failed" };
}

/** A StateService success: the device reached the customer-defined service and state. */
export function goToStateSucceededPayload(requestId: string, requested: readonly DeviceId[], device: SimulatedDevice): CallbackPayload {
  const goToStateResponse: Schemas["GoToStateResponse"] = {
    deviceIds: copyIds(device.deviceIds),
    accountName: device.accountName,
    stateName: device.state,
    ...(device.serviceName === undefined ? {} : { serviceName: device.serviceName }),
    ...(device.ipAddress === undefined ? {} : { ipAddress: device.ipAddress }),
    ...(device.servicePlan === undefined ? {} : { servicePlan: device.servicePlan }),
  };
  return { requestId, deviceIds: copyIds(requested), deviceResponse: { goToStateResponse }, status: "Success" };
}

/** A NiddService message: NIDD configured, or not with a `reason`. */
export function niddPayload(requestId: string, device: SimulatedDevice, outcome: "ConfigCreated" | "ConfigFailed"): CallbackPayload {
  const niddConfigResponse: Schemas["NiddConfigResponse"]["niddConfigResponse"] = {
    accountName: device.accountName,
    deviceIds: copyIds(device.deviceIds),
    ...(outcome === "ConfigFailed" ? { reason: "Not CatM or NBIoT Device" } : {}),
  };
  const niddResponse = { niddConfigResponse };
  return outcome === "ConfigCreated" ? { requestId, niddResponse, status: outcome } : { requestId, niddResponse, status: outcome };
}

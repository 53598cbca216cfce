/**
 * `PUT /m2m/v1/devices/actions/goToState`: answers a `requestId`, then one StateService callback
 * per device. Devices come from `devices`, `devicesWithServiceAddress` or a `filter`. As
 * ThingSpace documents, every device is assumed to start in the state of the first one: a device
 * in another state, or unknown, gets a fault in its callback instead of moving.
 */
import { validateGoToStateRequest } from "../../generated/validators.js";
import type { components } from "../../generated/openapi-types.js";
import { maxGoToStateDevices } from "../client/spec-limits.js";
import { deviceFailedPayload, goToStateSucceededPayload, type CallbackResult } from "./callback-messages.js";
import type { SimulatedDevice } from "./device-store.js";
import { simulatorErrorCodes } from "./error-codes.js";
import { errorResponse, jsonResponse } from "./error-response.js";
import { countLimit, readJsonBody } from "./read-json-body.js";
import type { RouteHandler } from "./simulator-context.js";

type Schemas = components["schemas"];
type DeviceId = Schemas["DeviceId"];

// Two devices are "in the same state" when both their service and their state agree.
function stateOf(device: SimulatedDevice): string {
  return `${device.serviceName ?? ""}\u0000${device.state}`;
}

function describe(device: SimulatedDevice): string {
  return device.serviceName === undefined ? device.state : `${device.serviceName}/${device.state}`;
}

// Why a device cannot move: unknown, or not in the state of the request's first device.
function faultFor(device: SimulatedDevice | undefined, first: SimulatedDevice | undefined): Schemas["FaultResponse"] | undefined {
  if (device === undefined || first === undefined) {
    return { faultcode: simulatorErrorCodes.deviceNotFound, faultstring: "Device not found." };
  }
  if (stateOf(device) === stateOf(first)) return undefined;
  return {
    faultcode: simulatorErrorCodes.deviceStateMismatch,
    faultstring: `Device is in state ${describe(device)}, not in the state of the request's first device (${describe(first)}).`,
  };
}

/** Moves the request's devices to the customer-defined service and state. */
export const goToState: RouteHandler = async (request, context) => {
  const parsed = await readJsonBody(
    request,
    validateGoToStateRequest,
    countLimit("devices", maxGoToStateDevices, simulatorErrorCodes.maxRequestsExceeded, "goToState"),
    countLimit("devicesWithServiceAddress", maxGoToStateDevices, simulatorErrorCodes.maxRequestsExceeded, "goToState"),
  );
  if (!parsed.ok) return parsed.response;
  const body = parsed.body;

  let targets: { deviceIds: DeviceId[]; ipAddress?: string; device: SimulatedDevice | undefined }[];
  const listed = body.devices ?? body.devicesWithServiceAddress;
  if (listed) {
    targets = listed.map(({ deviceIds, ipAddress }) => ({ deviceIds, ipAddress, device: context.devices.locate(deviceIds) }));
  } else {
    const accountName = body.filter!.accountName ?? context.options.defaultAccountName;
    targets = context.devices.matching(accountName, body.filter!).map((device) => ({ deviceIds: device.deviceIds, device }));
    if (targets.length === 0) {
      return errorResponse(simulatorErrorCodes.deviceNotFound, `No device of account ${accountName} matches the filter.`);
    }
  }

  // The reference state is read before anything moves; an unknown first device has none, so
  // the first device that exists sets it.
  const found = targets.find((target) => target.device)?.device;
  const first = found && structuredClone(found);
  const requestId = context.options.requestId();
  const results: CallbackResult[] = [];
  for (const { deviceIds, ipAddress, device } of targets) {
    const accountName = device?.accountName ?? context.options.defaultAccountName;
    const result = (payload: CallbackResult["payload"]) => results.push({ service: "StateService", accountName, payload });
    const fault = context.faults.deviceFault({ operation: "goToState", accountName, deviceIds }) ?? faultFor(device, first);
    if (fault || !device) {
      result(deviceFailedPayload(requestId, deviceIds, fault!));
      continue;
    }
    device.serviceName = body.serviceName;
    device.state = body.stateName;
    device.servicePlan = body.servicePlan;
    if (ipAddress !== undefined) device.ipAddress = ipAddress;
    if (body.groupName !== undefined) device.groupName = body.groupName;
    if (body.customFields !== undefined) device.customFields = structuredClone(body.customFields);
    result(goToStateSucceededPayload(requestId, deviceIds, device));
  }
  context.dispatch(results);
  const answer: Schemas["RequestIdResponse"] = { requestId };
  return jsonResponse(answer);
};

/**
 * `POST /m2m/v1/devices/actions/activate`: answers a `requestId`, then one CarrierService
 * callback per device. PRE-ACTIVE and unknown devices become ACTIVE (unknown ones are added to
 * the account, as ThingSpace does); a device already in service gets a
 * `REQUEST_FAILED.DeviceAlreadyActive` fault in its callback. At most 100 requests per account in
 * a rolling minute: the 101st is answered 429 with `Retry-After`.
 */
import { validateActivateDevicesRequest } from "../../generated/validators.js";
import type { components } from "../../generated/openapi-types.js";
import {
  activateSucceededPayload,
  deviceFailedPayload,
  niddPayload,
  type CallbackPayload,
  type CallbackResult,
} from "./callback-messages.js";
import { maxActivateDevices } from "../client/spec-limits.js";
import { activeState, preActiveState } from "./device-store.js";
import { simulatorErrorCodes } from "./error-codes.js";
import { errorResponse, jsonResponse } from "./error-response.js";
import { countLimit, readJsonBody } from "./read-json-body.js";
import type { RouteHandler } from "./simulator-context.js";

type Schemas = components["schemas"];
type DeviceId = Schemas["DeviceId"];

/** Activates the request's devices (or its group's) and queues their callbacks. */
export const activateDevices: RouteHandler = async (request, context) => {
  const parsed = await readJsonBody(
    request,
    validateActivateDevicesRequest,
    countLimit("devices", maxActivateDevices, simulatorErrorCodes.maxRequestsExceeded, "activate"),
  );
  if (!parsed.ok) return parsed.response;
  const body = parsed.body;
  const accountName = body.accountName ?? context.options.defaultAccountName;

  const decision = context.activateLimiter.admit(accountName);
  if (!decision.admitted) {
    const limit = context.options.activateRequestsPerMinute;
    return errorResponse(
      simulatorErrorCodes.rateLimitExceeded,
      `More than ${limit} activate requests in a minute for account ${accountName}; retry after ${decision.retryAfterSeconds} s.`,
      429,
      { "retry-after": String(decision.retryAfterSeconds) },
    );
  }

  const targets: { deviceIds: DeviceId[]; ipAddress?: string }[] =
    body.devices ?? context.devices.inGroup(accountName, body.groupName!).map(({ deviceIds }) => ({ deviceIds }));
  if (targets.length === 0) {
    return errorResponse(simulatorErrorCodes.deviceNotFound, `Device group ${body.groupName} of account ${accountName} has no device.`);
  }

  const requestId = context.options.requestId();
  const results: CallbackResult[] = [];
  const carrier = (payload: CallbackPayload) => results.push({ service: "CarrierService", accountName, payload });
  for (const { deviceIds, ipAddress } of targets) {
    const fault = context.faults.deviceFault({ operation: "activateDevices", accountName, deviceIds });
    if (fault) {
      carrier(deviceFailedPayload(requestId, deviceIds, fault));
      continue;
    }
    const known = context.devices.find(accountName, deviceIds);
    if (known && known.state !== preActiveState) {
      carrier(
        deviceFailedPayload(requestId, deviceIds, {
          faultcode: simulatorErrorCodes.deviceAlreadyActive,
          faultstring: `Device is already active (state ${known.state}).`,
        }),
      );
      continue;
    }
    const device = context.devices.upsert(accountName, deviceIds, preActiveState);
    device.state = activeState;
    device.servicePlan = body.servicePlan;
    device.ipAddress = ipAddress ?? device.ipAddress ?? context.assignIpAddress();
    if (body.devices && body.groupName !== undefined) device.groupName = body.groupName;
    if (body.customFields !== undefined) device.customFields = structuredClone(body.customFields);
    if (!device.deviceIds.some(({ kind }) => kind === "mdn")) context.devices.addId(device, { kind: "mdn", id: context.assignMdn() });
    carrier(activateSucceededPayload(requestId, deviceIds, device));
    const nidd = context.options.nidd?.({ accountName, deviceIds: device.deviceIds });
    if (nidd) results.push({ service: "NiddService", accountName, payload: niddPayload(requestId, device, nidd) });
  }
  context.dispatch(results);
  const answer: Schemas["RequestIdResponse"] = { requestId };
  return jsonResponse(answer);
};

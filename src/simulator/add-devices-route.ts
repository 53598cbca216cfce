/**
 * `POST /m2m/v1/devices/actions/add`: puts up to 200 devices in the account in the PRE-ACTIVE
 * state and answers one result per device, synchronously (add sends no callback).
 */
import { validateAddDevicesRequest } from "../../generated/validators.js";
import type { components } from "../../generated/openapi-types.js";
import { maxAddDevices } from "../client/spec-limits.js";
import { simulatorErrorCodes } from "./error-codes.js";
import { jsonResponse } from "./error-response.js";
import { preActiveState } from "./device-store.js";
import { countLimit, readJsonBody } from "./read-json-body.js";
import type { RouteHandler } from "./simulator-context.js";

type AddDevicesResponse = components["schemas"]["AddDevicesResponse"];

/** Adds devices; a device already in service is reported, not changed; re-adding a PRE-ACTIVE one succeeds. */
export const addDevices: RouteHandler = async (request, context) => {
  const parsed = await readJsonBody(
    request,
    validateAddDevicesRequest,
    countLimit("devicesToAdd", maxAddDevices, simulatorErrorCodes.numberOfDevices, "add"),
  );
  if (!parsed.ok) return parsed.response;
  const { devicesToAdd, groupName, customFields } = parsed.body;
  const accountName = parsed.body.accountName ?? context.options.defaultAccountName;
  const results: AddDevicesResponse = devicesToAdd.map(({ deviceIds }) => {
    const known = context.devices.find(accountName, deviceIds);
    if (known && known.state !== preActiveState) {
      return { deviceIds, response: `Device is already in account ${accountName} in state ${known.state}.` };
    }
    const device = context.devices.upsert(accountName, deviceIds, preActiveState);
    if (groupName !== undefined) device.groupName = groupName;
    if (customFields !== undefined) device.customFields = structuredClone(customFields);
    return { deviceIds, response: "Success" };
  });
  return jsonResponse(results);
};

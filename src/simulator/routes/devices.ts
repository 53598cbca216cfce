/**
 * The device actions: add (synchronous, no callback), activate and goToState (a `requestId`
 * now, one callback per device later), and the two lookups that say what became of them: the
 * device list (paged) and a request's status. Device counts are checked against the spec's
 * limits before the schema, so a request over them gets ThingSpace's own code.
 */
import {
  validateActivateDevicesRequest,
  validateAddDevicesRequest,
  validateGoToStateRequest,
  validateListDevicesRequest,
} from "../../../generated/validators.js";
import {
  listCursorAttribute,
  maxActivateDevices,
  maxAddDevices,
  maxDevicesPerListPage,
  maxGoToStateDevices,
  type Schemas,
} from "../../shared/spec.js";
import {
  activateSucceededPayload,
  deviceFailedPayload,
  goToStateSucceededPayload,
  niddPayload,
  type CallbackPayload,
  type CallbackResult,
} from "../delivery.js";
import { countLimit, errorResponse, jsonResponse, readJsonBody, simulatorErrorCodes } from "../responses.js";
import type { BacklogTask } from "../backlog.js";
import type { RouteHandler, SimulatorContext } from "../router.js";
import { activeState, listedState, preActiveState, type NumberedDevice, type SimulatedDevice } from "../state.js";

type DeviceId = Schemas["DeviceId"];

/**
 * `POST /m2m/v1/devices/actions/add`: puts up to 200 devices in the account in the PRE-ACTIVE
 * state and answers one result per device. A device already in service is reported, not
 * changed; re-adding a PRE-ACTIVE one succeeds.
 */
export const addDevices: RouteHandler = async (request, context) => {
  const parsed = await readJsonBody(
    request,
    validateAddDevicesRequest,
    countLimit("devicesToAdd", maxAddDevices, simulatorErrorCodes.numberOfDevices, "add"),
  );
  if (!parsed.ok) return parsed.response;
  const { devicesToAdd, groupName, customFields } = parsed.body;
  const accountName = parsed.body.accountName ?? context.options.defaultAccountName;
  const results: Schemas["AddDevicesResponse"] = devicesToAdd.map(({ deviceIds }) => {
    const known = context.devices.find(accountName, deviceIds);
    if (known && known.state !== preActiveState) {
      return { deviceIds, response: `Device is already in account ${accountName} in state ${known.state}.` };
    }
    const device = context.devices.upsert(accountName, deviceIds, preActiveState, known);
    if (groupName !== undefined) device.groupName = groupName;
    if (customFields !== undefined) device.customFields = structuredClone(customFields);
    return { deviceIds, response: "Success" };
  });
  return jsonResponse(results);
};

/**
 * `POST /m2m/v1/devices/actions/activate`: answers a `requestId` once the request is checked (its
 * body, the rate limit), then carries it out after the requests accepted before it (backlog.ts),
 * one CarrierService callback per device. PRE-ACTIVE and unknown devices become ACTIVE (unknown
 * ones are added to the account, as ThingSpace does); a device already in service gets a
 * `REQUEST_FAILED.DeviceAlreadyActive` fault in its callback. At most 100 requests per account in
 * a rolling minute: the 101st is answered 429 with `Retry-After`.
 */
export const activateDevices: RouteHandler = async (request, context) => {
  const parsed = await readJsonBody(
    request,
    validateActivateDevicesRequest,
    countLimit("devices", maxActivateDevices, simulatorErrorCodes.maxRequestsExceeded, "activate"),
  );
  if (!parsed.ok) return parsed.response;
  const body = parsed.body;
  const accountName = body.accountName ?? context.options.defaultAccountName;

  const decision = context.admitActivate(accountName);
  if (!decision.admitted) {
    const limit = context.options.activateRequestsPerMinute;
    return errorResponse(
      simulatorErrorCodes.rateLimitExceeded,
      `More than ${limit} activate requests in a minute for account ${accountName}; retry after ${decision.retryAfterSeconds} s.`,
      429,
      { "retry-after": String(decision.retryAfterSeconds) },
    );
  }

  let targets: ActivateTarget[] | undefined;
  if (body.devices === undefined) {
    // The group as the requests answered before this one left it.
    context.backlog.drain();
    targets = context.devices.inGroup(accountName, body.groupName!).map(({ deviceIds }) => ({ deviceIds }));
    if (targets.length === 0) {
      return errorResponse(
        simulatorErrorCodes.deviceNotFound,
        `Device group ${body.groupName} of account ${accountName} has no device.`,
      );
    }
  }

  const requestId = context.options.requestId();
  context.backlog.push(
    activation(context, { text: parsed.text, accountName, targets, requestId, arrivedAt: context.options.clock.now() }),
  );
  const answer: Schemas["RequestIdResponse"] = { requestId };
  return jsonResponse(answer);
};

const hasMdn = (deviceIds: readonly DeviceId[]): boolean => deviceIds.some(({ kind }) => kind === "mdn");

type ActivateTarget = { deviceIds: DeviceId[]; ipAddress?: string };

/** An activate request as it was accepted. */
interface AcceptedActivation {
  /**
   * The body as it came, parsed again when it is carried out. Kept parsed (~5 objects a device)
   * through a burst of 10,000-device requests, every body would survive the young generation's
   * collections, be copied and promoted, and fill the old generation whose full collections then
   * stalled the simulator for up to seconds while it answered the burst. The text is one object a
   * request; the second parse happens in the idle time after the burst (backlog.ts).
   */
  text: string;
  accountName: string;
  /** The group's devices, found when it was answered, when the body names a group instead of devices. */
  targets: readonly ActivateTarget[] | undefined;
  requestId: string;
  /** When it was accepted (clock ms): its callbacks and its devices' dates count from then. */
  arrivedAt: number;
}

/** The carrying out of an accepted activate request: its devices in order, then its status and callbacks. */
function activation(context: SimulatorContext, accepted: AcceptedActivation): BacklogTask {
  const { accountName, requestId } = accepted;
  let request: { body: Schemas["ActivateDevicesRequest"]; targets: readonly ActivateTarget[] } | undefined;
  // Until its callbacks are due the request is Pending, and the devices it activates are listed
  // as `pending activation`.
  const settlesAt = accepted.arrivedAt + context.options.callbackDelayMs;
  const results: CallbackResult[] = [];
  const carrier = (payload: CallbackPayload) => results.push({ service: "CarrierService", accountName, payload });
  function activate({ deviceIds, ipAddress }: ActivateTarget, body: Schemas["ActivateDevicesRequest"]): void {
    const fault = context.faults.deviceFault("activateDevices", accountName, deviceIds);
    if (fault) {
      carrier(deviceFailedPayload(requestId, deviceIds, fault));
      return;
    }
    const known = context.devices.find(accountName, deviceIds);
    if (known && known.state !== preActiveState) {
      carrier(
        deviceFailedPayload(requestId, deviceIds, {
          faultcode: simulatorErrorCodes.deviceAlreadyActive,
          faultstring: `Device is already active (state ${known.state}).`,
        }),
      );
      return;
    }
    let device: NumberedDevice;
    if (known) {
      device = context.devices.upsert(accountName, deviceIds, preActiveState, known);
      if (!hasMdn(device.deviceIds)) context.devices.addId(device, { kind: "mdn", id: context.assignMdn() });
    } else {
      // A new device is created with its MDN: its list of identifiers is then made once.
      const ids = hasMdn(deviceIds) ? deviceIds : [...deviceIds, { kind: "mdn" as const, id: context.assignMdn() }];
      device = context.devices.create(accountName, ids, preActiveState, accepted.arrivedAt);
    }
    device.state = activeState;
    device.servicePlan = body.servicePlan;
    device.ipAddress = ipAddress ?? device.ipAddress ?? context.assignIpAddress();
    if (body.devices && body.groupName !== undefined) device.groupName = body.groupName;
    if (body.customFields !== undefined) device.customFields = structuredClone(body.customFields);
    context.devices.markPending(device, settlesAt);
    carrier(activateSucceededPayload(requestId, deviceIds, device));
    const nidd = context.options.nidd?.({ accountName, deviceIds: device.deviceIds });
    if (nidd) results.push({ service: "NiddService", accountName, payload: niddPayload(requestId, device, nidd) });
  }
  let next = 0;
  return {
    carryOut(limit) {
      if (request === undefined) {
        // Checked against the spec when it was answered: the same text parses to the same body.
        const body = JSON.parse(accepted.text) as Schemas["ActivateDevicesRequest"];
        request = { body, targets: accepted.targets ?? body.devices! };
      }
      const { body, targets } = request;
      const end = Math.min(targets.length, next + limit);
      while (next < end) activate(targets[next++]!, body);
      if (next < targets.length) return targets.length - next;
      context.requests.record(requestId, { accountName, settlesAt, failed: results.some(failedResult) });
      context.delivery.dispatch(results, settlesAt);
      return 0;
    },
  };
}

const failedResult = ({ payload }: CallbackResult): boolean => payload.status === "Failed";

// Two devices are "in the same state" when both their service and their state agree.
function stateOf(device: SimulatedDevice): string {
  return `${device.serviceName ?? ""}\u0000${device.state}`;
}

function describe(device: SimulatedDevice): string {
  return device.serviceName === undefined ? device.state : `${device.serviceName}/${device.state}`;
}

// Why a device cannot move: unknown, or not in the state of the request's first device.
function faultFor(
  device: SimulatedDevice | undefined,
  first: SimulatedDevice | undefined,
): Schemas["FaultResponse"] | undefined {
  if (device === undefined || first === undefined) {
    return { faultcode: simulatorErrorCodes.deviceNotFound, faultstring: "Device not found." };
  }
  if (stateOf(device) === stateOf(first)) return undefined;
  return {
    faultcode: simulatorErrorCodes.deviceStateMismatch,
    faultstring: `Device is in state ${describe(device)}, not in the state of the request's first device (${describe(first)}).`,
  };
}

/**
 * `PUT /m2m/v1/devices/actions/goToState`: answers a `requestId`, then one StateService callback
 * per device. Devices come from `devices`, `devicesWithServiceAddress` or a `filter`. As
 * ThingSpace documents, every device is assumed to start in the state of the first one: a device
 * in another state, or unknown, gets a fault in its callback instead of moving.
 */
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
    targets = listed.map(({ deviceIds, ipAddress }) => ({
      deviceIds,
      ipAddress,
      device: context.devices.locate(deviceIds),
    }));
  } else {
    const accountName = body.filter!.accountName ?? context.options.defaultAccountName;
    targets = context.devices
      .matching(accountName, body.filter!)
      .map((device) => ({ deviceIds: device.deviceIds, device }));
    if (targets.length === 0) {
      return errorResponse(
        simulatorErrorCodes.deviceNotFound,
        `No device of account ${accountName} matches the filter.`,
      );
    }
  }

  // The reference state is read before anything moves; an unknown first device has none, so
  // the first device that exists sets it.
  const found = targets.find((target) => target.device)?.device;
  const first = found && structuredClone(found);
  const requestId = context.options.requestId();
  const requestAccount = body.filter?.accountName ?? found?.accountName ?? context.options.defaultAccountName;
  const results: CallbackResult[] = [];
  for (const { deviceIds, ipAddress, device } of targets) {
    const accountName = device?.accountName ?? context.options.defaultAccountName;
    const result = (payload: CallbackPayload) => results.push({ service: "StateService", accountName, payload });
    const fault = context.faults.deviceFault("goToState", accountName, deviceIds) ?? faultFor(device, first);
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
  const settlesAt = context.options.clock.now() + context.options.callbackDelayMs;
  context.requests.record(requestId, { accountName: requestAccount, settlesAt, failed: results.some(failedResult) });
  context.delivery.dispatch(results, settlesAt);
  const answer: Schemas["RequestIdResponse"] = { requestId };
  return jsonResponse(answer);
};

/** A device as ThingSpace's list shows it, its numeric id in the extended attribute that pages the list. */
function listedDevice(device: NumberedDevice, now: number): Schemas["ListedDevice"] {
  const carrier: Schemas["CarrierInformation"] = { carrierName: "Verizon Wireless", state: listedState(device, now) };
  if (device.servicePlan !== undefined) carrier.servicePlan = device.servicePlan;
  return {
    accountName: device.accountName,
    deviceIds: device.deviceIds.map(({ kind, id }) => ({ kind, id })),
    carrierInformations: [carrier],
    connected: false,
    createdAt: new Date(device.addedAt).toISOString(),
    ...(device.ipAddress === undefined ? {} : { ipAddress: device.ipAddress }),
    groupNames: device.groupName === undefined ? [] : [device.groupName],
    ...(device.customFields === undefined ? {} : { customFields: device.customFields.map((field) => ({ ...field })) }),
    extendedAttributes: [{ key: listCursorAttribute, value: String(device.number) }],
  };
}

/**
 * `POST /m2m/v1/devices/actions/list`: the devices that match every criterion, oldest first, a
 * page at a time: `maxNumberOfDevices` of them (the spec's most when 0 or left out) whose
 * numeric id is above `largestDeviceIdSeen`; HTTP 202 with `hasMoreData` when more follow, 200
 * on the last page ("Paging" in the spec). Without `accountName`, every account's devices.
 */
export const listDevices: RouteHandler = async (request, context) => {
  const parsed = await readJsonBody(request, validateListDevicesRequest);
  if (!parsed.ok) return parsed.response;
  const { maxNumberOfDevices, largestDeviceIdSeen, ...criteria } = parsed.body;
  const pageSize = maxNumberOfDevices || maxDevicesPerListPage;
  const matching = context.devices.query(criteria, largestDeviceIdSeen ?? 0);
  const now = context.options.clock.now();
  const hasMoreData = matching.length > pageSize;
  const answer: Schemas["ListDevicesResponse"] = {
    hasMoreData,
    devices: matching.slice(0, pageSize).map((entry) => listedDevice(entry, now)),
  };
  return jsonResponse(answer, hasMoreData ? 202 : 200);
};

/**
 * `GET /m2m/v1/accounts/{accountName}/requests/{requestId}/status`: `Pending` until the
 * request's callbacks are due, then `Success`, or `Failure` when any of its devices failed.
 */
export const getRequestStatus: RouteHandler = async (_request, context, { accountName, requestId }) => {
  const status = context.requests.status(accountName!, requestId!);
  if (status === undefined) {
    return errorResponse(
      simulatorErrorCodes.requestNotFound,
      `Account ${accountName} has no asynchronous request ${requestId}.`,
    );
  }
  const answer: Schemas["RequestStatusResponse"] = { requestId: requestId!, status };
  return jsonResponse(answer);
};

/**
 * Looking devices up in ThingSpace, to learn what a request did when its answer or its callbacks
 * never came: many devices found with few `listDevices` queries, each device's listed state read
 * against what the request aimed for, and `checkOutcome` for an {@link OutcomeUnknownError}.
 *
 * Batching: the list call takes one device (`deviceId`) or identifier patterns (`filter`), not a
 * list of devices. Devices whose first identifier shares all but its last two digits (its last
 * hexadecimal digit for a MEID) are looked up with one `startswith` query, which can match at
 * most 100 identifiers of that length (one page of 100), and matched here by any identifier; a
 * device that shares its prefix with no other gets a `deviceId` query. Fleets are provisioned in
 * runs of consecutive identifiers, so a run of 100 missing devices costs one query instead of 100,
 * while scattered devices never cost more than one query each. Queries go one at a time.
 */
import { comparableKind, deviceIdKey } from "../shared/device-key.js";
import { comparableState } from "../shared/device-state.js";
import type { LookupFinding } from "../shared/lookup-finding.js";
import { maxDevicesPerListPage, type Schemas } from "../shared/spec.js";
import type { IdentifiedDevice } from "./batching.js";
import { OutcomeUnknownError, ThingSpaceError, type CallTarget } from "./errors.js";

/** A device as ThingSpace lists it. */
export type ListedDevice = Schemas["ListedDevice"];

/** One device looked up. */
export interface DeviceLookupResult<Device extends IdentifiedDevice = IdentifiedDevice> {
  /** The device as it was given. */
  readonly device: Device;
  readonly found: LookupFinding;
  /** The state ThingSpace lists (`active`, `pre-active`, a customer-defined state …), when found. */
  readonly state?: string;
  /** The device as ThingSpace lists it (all its identifiers, the MDN included), when found. */
  readonly listed?: ListedDevice;
}

/**
 * What a request aimed for, as `lookUpDevices`' options say it: the device exists (`exists`, an
 * add), is in `expectedState` (a goToState), or, with neither, is in service (an activation).
 */
export interface LookupAim {
  readonly exists?: boolean | undefined;
  readonly expectedState?: string | undefined;
}

/** Runs one list query to its last page: `client.listDevices`. */
export type ListAllPages = (query: Schemas["ListDevicesRequest"]) => AsyncIterable<Schemas["ListDevicesResponse"]>;

// An activation has not happened while the device is still pre-active, or no longer in service.
const notInService = new Set(["preactive", "deactive", "deactivated"]);

/** What a listed state says about the aim. */
export function findingFor(state: string | undefined, aim: LookupAim): LookupFinding {
  if (aim.exists) return "in-state";
  const current = comparableState(state ?? "");
  if (current.startsWith("pending")) return "pending";
  if (aim.expectedState !== undefined) {
    return current === comparableState(aim.expectedState) ? "in-state" : "other-state";
  }
  return current === "" || notInService.has(current) ? "other-state" : "in-state";
}

/** The state a listed device is in: its first carrier's. */
function stateOf(device: ListedDevice): string | undefined {
  return device.carrierInformations?.find((carrier) => carrier.state !== undefined)?.state;
}

// All but the last two digits (the last hexadecimal digit of a MEID): at most 100 (or 16)
// identifiers of the same length share such a prefix, one page at most.
function prefixOf({ kind, id }: { kind: string; id: string }): string | undefined {
  const cut = comparableKind(kind) === "meid" ? 1 : 2;
  return id.length > cut + 3 ? id.slice(0, id.length - cut) : undefined;
}

/** One list query and the devices it looks for. */
interface LookupQuery<Device> {
  query: Schemas["ListDevicesRequest"];
  devices: Device[];
}

/** The fewest queries that find `devices`: one per shared identifier prefix, one per lone device. */
export function lookupQueries<Device extends IdentifiedDevice>(
  devices: readonly Device[],
  accountName: string | undefined,
): LookupQuery<Device>[] {
  const account = accountName === undefined ? {} : { accountName };
  const byPrefix = new Map<string, { kind: Schemas["DeviceIdKind"]; prefix: string; devices: Device[] }>();
  const lone: Device[] = [];
  for (const device of devices) {
    const first = device.deviceIds[0];
    if (!first) throw new TypeError("each device to look up needs deviceIds: [{ kind, id }, ...]");
    const kind = comparableKind(first.kind) as Schemas["DeviceIdKind"];
    const prefix = prefixOf(first);
    if (prefix === undefined) {
      lone.push(device);
      continue;
    }
    const key = `${kind}:${prefix}`;
    const group = byPrefix.get(key);
    if (group) group.devices.push(device);
    else byPrefix.set(key, { kind, prefix, devices: [device] });
  }
  const queries: LookupQuery<Device>[] = [];
  for (const { kind, prefix, devices: group } of byPrefix.values()) {
    if (group.length === 1) {
      lone.push(group[0]!);
      continue;
    }
    // `contains` too: Verizon's models make it optional, but every example sends it.
    const filter = { deviceIdentifierFilters: [{ kind, contains: prefix, startswith: prefix }] };
    queries.push({ query: { ...account, filter, maxNumberOfDevices: maxDevicesPerListPage }, devices: group });
  }
  for (const device of lone) {
    const { kind, id } = device.deviceIds[0]!;
    const deviceId = { kind: comparableKind(kind), id } as Schemas["DeviceId"];
    queries.push({ query: { ...account, deviceId }, devices: [device] });
  }
  return queries;
}

/**
 * Looks `devices` up with as few list queries as their identifiers allow, and says for each
 * what ThingSpace lists against `aim`, in the order given. A query that fails rejects the whole
 * lookup (nothing is guessed).
 */
export async function lookUpDevices<Device extends IdentifiedDevice>(
  listAllPages: ListAllPages,
  devices: readonly Device[],
  aim: LookupAim,
  accountName: string | undefined,
): Promise<DeviceLookupResult<Device>[]> {
  const found = new Map<Device, ListedDevice>();
  for (const { query, devices: wanted } of lookupQueries(devices, accountName)) {
    const byId = new Map<string, Device>();
    for (const device of wanted) for (const id of device.deviceIds) byId.set(deviceIdKey(id), device);
    for await (const page of listAllPages(query)) {
      for (const listed of page.devices) {
        for (const id of listed.deviceIds ?? []) {
          const device = byId.get(deviceIdKey(id));
          if (device !== undefined && !found.has(device)) found.set(device, listed);
        }
      }
    }
  }
  return devices.map((device) => {
    const listed = found.get(device);
    if (listed === undefined) return { device, found: "not-found" };
    const state = stateOf(listed);
    return { device, found: findingFor(state, aim), ...(state === undefined ? {} : { state }), listed };
  });
}

/** Whether one device of a call shows the call's effect. */
export interface DeviceEffect {
  /** The device as the call listed it. */
  readonly device: CallTarget["devices"][number];
  /** `took-effect`: ThingSpace shows what the call asked for; `no-effect`: it does not; `pending`: it is still carrying it out. */
  readonly outcome: "took-effect" | "no-effect" | "pending";
  /** The state ThingSpace lists, when it lists the device. */
  readonly state?: string;
  /** The device as ThingSpace lists it, when it does. */
  readonly listed?: ListedDevice;
}

/** What `client.checkOutcome(error)` found. */
export interface OutcomeCheck {
  /** The call that was checked (`activateDevices`). */
  readonly operationId: string;
  /** `took-effect` for every device, `no-effect` for none, `partly` when some did, `pending` while any is still changing. */
  readonly overall: "took-effect" | "no-effect" | "partly" | "pending";
  /** One entry per device of the call, in its order. */
  readonly devices: readonly DeviceEffect[];
}

/**
 * What each finding says of the call that aimed for it: the one table `checkOutcome` reads,
 * public so that whoever looks a call's devices up with `lookUpDevices` (its aim given as
 * `exists` or `expectedState`) concludes the same. Only after `no-effect` does sending the call
 * again repeat nothing: `pending` is ThingSpace still carrying it out. Frozen, since changing it
 * would change what `checkOutcome` answers.
 */
export const effectOfFinding: Readonly<Record<LookupFinding, DeviceEffect["outcome"]>> = Object.freeze({
  "in-state": "took-effect",
  pending: "pending",
  "other-state": "no-effect",
  "not-found": "no-effect",
});

/**
 * Looks up the devices of a call whose outcome is unknown and says, per device, whether it took
 * effect: an add when the device exists, an activate when it is in service, a goToState when it
 * is in the requested state.
 */
export async function checkOutcome(
  listAllPages: ListAllPages,
  error: OutcomeUnknownError,
  accountName: string | undefined,
): Promise<OutcomeCheck> {
  if (!(error instanceof OutcomeUnknownError)) {
    throw new TypeError("checkOutcome takes an OutcomeUnknownError (or a TimeoutError) thrown by this client");
  }
  const operationId = error.operationId ?? error.operation;
  const target = error.target;
  if (target === undefined) {
    throw new ThingSpaceError(
      `checkOutcome looks up the devices of add, activate and goToState calls; ${error.operation} has none. ${error.howToCheck}`,
      { operationId },
    );
  }
  if (target.devices.length === 0) {
    throw new ThingSpaceError(
      `${error.operation} named no devices one by one (an activate by groupName or a goToState by filter): ` +
        "list the group's or the filter's devices with client.listDevices({ groupName, ... }) and compare their state.",
      { operationId },
    );
  }
  const aim = { exists: operationId === "addDevices", expectedState: target.stateName };
  const results = await lookUpDevices(listAllPages, target.devices, aim, target.accountName ?? accountName);
  // A result holds `state` and `listed` only when ThingSpace lists them: they pass as they are.
  const devices = results.map(({ device, found, ...listing }) => ({
    device,
    outcome: effectOfFinding[found],
    ...listing,
  }));
  const count = (outcome: DeviceEffect["outcome"]) => devices.filter((device) => device.outcome === outcome).length;
  const overall: OutcomeCheck["overall"] =
    count("pending") > 0
      ? "pending"
      : count("took-effect") === devices.length
        ? "took-effect"
        : count("no-effect") === devices.length
          ? "no-effect"
          : "partly";
  return { operationId, overall, devices };
}

/**
 * What the simulator remembers between requests: the access tokens it issued, the M2M sessions
 * and users, the callback listeners, the devices of every account and each account's activate
 * requests of the last minute. Time is the injected clock's, so a test moves it instead of
 * waiting.
 */
import { randomBytes } from "node:crypto";
import type { Clock } from "../shared/clock.js";
import { comparableKind } from "../shared/device-key.js";
import { comparableState } from "../shared/device-state.js";
import { RollingWindow } from "../shared/rolling-window.js";
import { sameSecret } from "../shared/secrets.js";
import type { Schemas } from "../shared/spec.js";
import { simulatorErrorCodes } from "./responses.js";

type DeviceId = Schemas["DeviceId"];
type CustomField = Schemas["CustomField"];

// ---------------------------------------------------------------------------------------------
// Access tokens: valid for a configurable time, revocable, and all expirable at once so a test
// can make a client meet a 401 in the middle of its work.

/** Issued bearer tokens and their expiry. */
export interface AccessTokenStore {
  /** A new token valid `ttlSeconds` from now. */
  issue(): { accessToken: string; expiresIn: number };
  isValid(token: string): boolean;
  revoke(token: string): void;
  /** Every token issued so far stops working. */
  expireAll(): void;
}

/** Creates a store whose tokens live `ttlSeconds` by the clock. */
export function createAccessTokenStore(ttlSeconds: number, clock: Clock): AccessTokenStore {
  const expiries = new Map<string, number>();
  return {
    issue() {
      const accessToken = randomBytes(16).toString("hex");
      expiries.set(accessToken, clock.now() + ttlSeconds * 1000);
      return { accessToken, expiresIn: ttlSeconds };
    },
    isValid(token) {
      const expiry = expiries.get(token);
      if (expiry === undefined) return false;
      if (clock.now() < expiry) return true;
      expiries.delete(token);
      return false;
    },
    revoke(token) {
      expiries.delete(token);
    },
    expireAll() {
      expiries.clear();
    },
  };
}

// ---------------------------------------------------------------------------------------------
// M2M sessions: tokens that expire after a configurable idle time (ThingSpace: 20 minutes
// without use), and the users allowed to log in. With no users configured any username and
// password is accepted, like ThingSpace's sandbox; once users exist, a wrong pair fails, and
// five failures in a row lock the user as ThingSpace does.

// How many failed logins in a row lock a user (ThingSpace's documented rule).
const loginAttemptsBeforeLock = 5;

/** A login's outcome: a session token, or ThingSpace's error code. */
type LoginOutcome = { ok: true; sessionToken: string } | { ok: false; errorCode: string; errorMessage: string };

/** The session and user state. */
export interface SessionStore {
  logIn(username: string, password: string): Promise<LoginOutcome>;
  /** Checks a token and, when valid, counts it as used now (which restarts its idle time). */
  touch(token: string): boolean;
  logOut(token: string): boolean;
  /** Every session ends: the next call with any token fails with `SessionToken.Expired`. */
  expireAll(): void;
  /** Allows this user to log in; from then on only registered users can. */
  registerUser(username: string, password: string): void;
}

/** Creates the store; `users` restricts logins to those pairs. */
export function createSessionStore(options: {
  idleTimeoutMs: number;
  clock: Clock;
  users?: Readonly<Record<string, string>> | undefined;
}): SessionStore {
  const { clock } = options;
  const lastUsed = new Map<string, number>();
  let registered = options.users ? new Map(Object.entries(options.users)) : undefined;
  const failures = new Map<string, number>();

  return {
    async logIn(username, password) {
      if (registered) {
        const expected = registered.get(username);
        // Compared first: what follows runs without a pause, so concurrent logins count their
        // failures one after the other, as they did when the comparison was synchronous.
        const matches = expected !== undefined && (await sameSecret(expected, password));
        if ((failures.get(username) ?? 0) >= loginAttemptsBeforeLock) {
          return {
            ok: false,
            errorCode: simulatorErrorCodes.userLocked,
            errorMessage: `User ${username} is locked after ${loginAttemptsBeforeLock} failed logins in a row; contact support.`,
          };
        }
        if (!matches) {
          failures.set(username, (failures.get(username) ?? 0) + 1);
          return {
            ok: false,
            errorCode: simulatorErrorCodes.loginFailed,
            errorMessage: "Invalid username or password.",
          };
        }
        failures.delete(username);
      }
      const sessionToken = randomBytes(16).toString("hex");
      lastUsed.set(sessionToken, clock.now());
      return { ok: true, sessionToken };
    },
    touch(token) {
      const last = lastUsed.get(token);
      if (last === undefined) return false;
      const now = clock.now();
      if (now - last >= options.idleTimeoutMs) {
        lastUsed.delete(token);
        return false;
      }
      lastUsed.set(token, now);
      return true;
    },
    logOut(token) {
      return lastUsed.delete(token);
    },
    expireAll() {
      lastUsed.clear();
    },
    registerUser(username, password) {
      registered ??= new Map();
      registered.set(username, password);
      failures.delete(username);
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Callback listeners registered per account and service (any service name: ThingSpace has
// more services than the three the simulator sends), as `POST /callbacks/{accountName}` leaves
// them. The credentials are echoed in callback bodies and, as ThingSpace does, in listings.

/** A registration with the credentials that go back in every callback body. */
export interface RegisteredListener {
  url: string;
  username: string;
  password: string;
}

/** Listeners of every account. */
export interface CallbackRegistry {
  /** Registers (or replaces) the account's listener for a service. */
  register(accountName: string, serviceName: string, listener: RegisteredListener): void;
  get(accountName: string, serviceName: string): RegisteredListener | undefined;
  /** True when there was a registration to remove. */
  remove(accountName: string, serviceName: string): boolean;
  /** The account's registrations, credentials included (empty strings when none were given). */
  list(accountName: string): Schemas["CallbackRegistration"][];
}

/** Creates an empty registry. */
export function createCallbackRegistry(): CallbackRegistry {
  const accounts = new Map<string, Map<string, RegisteredListener>>();
  return {
    register(accountName, serviceName, listener) {
      let services = accounts.get(accountName);
      if (!services) accounts.set(accountName, (services = new Map()));
      services.set(serviceName, { ...listener });
    },
    get: (accountName, serviceName) => accounts.get(accountName)?.get(serviceName),
    remove: (accountName, serviceName) => accounts.get(accountName)?.delete(serviceName) ?? false,
    list: (accountName) =>
      [...(accounts.get(accountName) ?? [])].map(([serviceName, { url, username, password }]) => ({
        accountName,
        serviceName,
        url,
        username,
        password,
      })),
  };
}

// ---------------------------------------------------------------------------------------------
// Device state per account. A device is found by any of its identifiers (a request may name it
// by IMEI one day and by ICCID the next), kinds compared case-insensitively.

/** The state `addDevices` puts devices in. */
export const preActiveState = "PRE-ACTIVE";
/** The state `activateDevices` puts devices in. */
export const activeState = "ACTIVE";

/** A device as the simulator holds it. */
export interface SimulatedDevice {
  accountName: string;
  /** Every identifier known for the device, the MDN assigned at activation included. */
  deviceIds: DeviceId[];
  /** `PRE-ACTIVE`, `ACTIVE`, or the customer-defined state set by goToState. */
  state: string;
  /** The customer-defined service set by goToState. */
  serviceName?: string;
  servicePlan?: string;
  groupName?: string;
  ipAddress?: string;
  customFields?: CustomField[];
}

/** Which devices a `listDevices` request asks for (its paging fields aside). */
export type DeviceCriteria = Omit<Schemas["ListDevicesRequest"], "maxNumberOfDevices" | "largestDeviceIdSeen">;

/**
 * A device as the store holds it: the device, with what ThingSpace's list shows besides (its
 * numeric id, the paging cursor, and when it was added). One object per device, not a device and
 * a record beside it: a simulator holding two million devices spends its time in the garbage
 * collector in proportion to the objects it keeps.
 */
export interface NumberedDevice extends SimulatedDevice {
  /** Ascending in the order devices were added, across accounts. */
  readonly number: number;
  /** When the device was added (clock ms). */
  readonly addedAt: number;
  /** Until when (clock ms) an activation is still being carried out: ThingSpace lists it `pending activation`. */
  pendingUntil?: number;
}

/** Devices of every account. */
export interface DeviceStore {
  find(accountName: string, deviceIds: readonly DeviceId[]): NumberedDevice | undefined;
  /** The device in whichever account holds it (a goToState device list names no account). */
  locate(deviceIds: readonly DeviceId[]): NumberedDevice | undefined;
  /**
   * The device, created in `state` when it is unknown; identifiers not yet known are added to it.
   * `known` is what {@link find} returned for these identifiers (callers look first, to judge the
   * device's state: no second look).
   */
  upsert(
    accountName: string,
    deviceIds: readonly DeviceId[],
    state: string,
    known: NumberedDevice | undefined,
  ): NumberedDevice;
  /**
   * A new device in `state`, added at `addedAt` (clock ms: now by default), for identifiers
   * {@link find} knows none of (an activate has just looked them up: no second look).
   */
  create(accountName: string, deviceIds: readonly DeviceId[], state: string, addedAt?: number): NumberedDevice;
  /** Records a new identifier of a device (the MDN assigned at activation). */
  addId(device: NumberedDevice, deviceId: DeviceId): void;
  /** Devices of the account in the group, in the order they were added. */
  inGroup(accountName: string, groupName: string): NumberedDevice[];
  /** Devices every criterion of a goToState filter matches. */
  matching(accountName: string, filter: Schemas["GoToStateFilter"]): NumberedDevice[];
  /** Copies of the devices of one account, or of every account (without the store's own fields). */
  list(accountName?: string): SimulatedDevice[];
  /** Notes that the device's activation is carried out until `until` (clock ms). */
  markPending(device: NumberedDevice, until: number): void;
  /**
   * The devices that match every criterion, oldest first, whose number is above `after`: the
   * live devices (not copies), for the list route to describe.
   */
  query(criteria: DeviceCriteria, after?: number): NumberedDevice[];
}

function hasCustomFields(device: SimulatedDevice, wanted: readonly CustomField[]): boolean {
  return wanted.every((field) =>
    device.customFields?.some((own) => own.key === field.key && own.value === field.value),
  );
}

/** The state ThingSpace's list shows for a device: lower case, `pending activation` while it is being activated. */
export function listedState(entry: NumberedDevice, now: number): string {
  if (entry.pendingUntil !== undefined && now < entry.pendingUntil) return "pending activation";
  const { state } = entry;
  return state === preActiveState || state === activeState ? state.toLowerCase() : state;
}

// One identifier pattern of a list filter: same kind, and every part given found where it says.
function matchesPattern(
  deviceId: DeviceId,
  pattern: Schemas["DeviceListFilter"]["deviceIdentifierFilters"][number],
): boolean {
  return (
    comparableKind(deviceId.kind) === pattern.kind &&
    (pattern.contains === undefined || deviceId.id.includes(pattern.contains)) &&
    (pattern.startswith === undefined || deviceId.id.startsWith(pattern.startswith)) &&
    (pattern.endswith === undefined || deviceId.id.endsWith(pattern.endswith))
  );
}

// A copy of the device as the simulator shows it, without the store's own fields.
function copyOf({ number: _number, addedAt: _addedAt, pendingUntil: _pendingUntil, ...device }: NumberedDevice) {
  return structuredClone(device);
}

/** Creates an empty store; `clock` dates the devices it adds. */
export function createDeviceStore(clock: Clock): DeviceStore {
  // Per account: its devices in the order they were added, and each device by kind (as
  // comparableKind, and so deviceIdKey, compares them) and then by id. Two levels rather than one map keyed by
  // `kind:id`: the ids themselves are the keys, so finding or adding a device builds no string.
  const accounts = new Map<string, { devices: NumberedDevice[]; byKind: Map<string, Map<string, NumberedDevice>> }>();
  let lastNumber = 0;

  function account(name: string) {
    let entry = accounts.get(name);
    if (!entry) accounts.set(name, (entry = { devices: [], byKind: new Map() }));
    return entry;
  }

  const store: DeviceStore = {
    find(accountName, deviceIds) {
      const byKind = accounts.get(accountName)?.byKind;
      if (!byKind) return undefined;
      for (const { kind, id } of deviceIds) {
        const device = byKind.get(comparableKind(kind))?.get(id);
        if (device) return device;
      }
      return undefined;
    },
    locate(deviceIds) {
      for (const name of accounts.keys()) {
        const device = store.find(name, deviceIds);
        if (device) return device;
      }
      return undefined;
    },
    upsert(accountName, deviceIds, state, known) {
      if (!known) return store.create(accountName, deviceIds, state);
      for (const id of deviceIds) store.addId(known, id);
      return known;
    },
    create(accountName, deviceIds, state, addedAt = clock.now()) {
      const device: NumberedDevice = { accountName, deviceIds: [], state, number: ++lastNumber, addedAt };
      account(accountName).devices.push(device);
      for (const id of deviceIds) store.addId(device, id);
      // Grown by push, the list keeps room for 16 more identifiers (V8 grows an array by half and
      // 16): an exact copy, made before anything else holds the list.
      device.deviceIds = device.deviceIds.slice();
      return device;
    },
    addId(device, { kind, id }) {
      const { byKind } = account(device.accountName);
      const lowerKind = comparableKind(kind);
      let byId = byKind.get(lowerKind);
      if (!byId) byKind.set(lowerKind, (byId = new Map()));
      if (byId.get(id) === device) return;
      byId.set(id, device);
      device.deviceIds.push({ kind, id });
    },
    inGroup(accountName, groupName) {
      return account(accountName).devices.filter((device) => device.groupName === groupName);
    },
    matching(accountName, filter) {
      return account(accountName).devices.filter(
        (device) =>
          (filter.groupName === undefined || device.groupName === filter.groupName) &&
          (filter.servicePlan === undefined || device.servicePlan === filter.servicePlan) &&
          (filter.customFields === undefined || hasCustomFields(device, filter.customFields)),
      );
    },
    list(accountName) {
      const names = accountName === undefined ? [...accounts.keys()] : [accountName];
      return names.flatMap((name) => accounts.get(name)?.devices ?? []).map(copyOf);
    },
    markPending(device, until) {
      device.pendingUntil = until;
    },
    query(criteria, after = 0) {
      const names = criteria.accountName === undefined ? [...accounts.keys()] : [criteria.accountName];
      let candidates: NumberedDevice[];
      if (criteria.deviceId !== undefined) {
        candidates = names.flatMap((name) => store.find(name, [criteria.deviceId!]) ?? []);
      } else {
        candidates = names.flatMap((name) => accounts.get(name)?.devices ?? []);
      }
      const earliest = criteria.earliest === undefined ? undefined : Date.parse(criteria.earliest);
      const latest = criteria.latest === undefined ? undefined : Date.parse(criteria.latest);
      const now = clock.now();
      const patterns = criteria.filter?.deviceIdentifierFilters;
      const found = candidates.filter(
        (entry) =>
          entry.number > after &&
          (patterns === undefined ||
            // The simulator's choice (unconfirmed): a device matches when any pattern does.
            patterns.some((pattern) => entry.deviceIds.some((id) => matchesPattern(id, pattern)))) &&
          (criteria.currentState === undefined ||
            comparableState(listedState(entry, now)) === comparableState(criteria.currentState)) &&
          (criteria.groupName === undefined || entry.groupName === criteria.groupName) &&
          (criteria.servicePlan === undefined || entry.servicePlan === criteria.servicePlan) &&
          (criteria.customFields === undefined || hasCustomFields(entry, criteria.customFields)) &&
          (earliest === undefined || entry.addedAt > earliest) &&
          (latest === undefined || entry.addedAt < latest),
      );
      // Oldest first across accounts, as ThingSpace lists them.
      return names.length > 1 ? found.sort((a, b) => a.number - b.number) : found;
    },
  };
  return store;
}

// ---------------------------------------------------------------------------------------------
// Asynchronous requests (activate, goToState) and their outcome, for the request status call:
// `Pending` until their callbacks are due, then `Success`, or `Failure` when any device failed
// (ThingSpace documents no rule for a request of many devices: the simulator's choice).

/** What the simulator remembers of an asynchronous request. */
export interface RequestRecord {
  accountName: string;
  /** When its callbacks are first due (clock ms): the request is `Pending` until then. */
  settlesAt: number;
  /** True when any of its devices failed. */
  failed: boolean;
}

/** The asynchronous requests of every account. */
export interface RequestLog {
  record(requestId: string, request: RequestRecord): void;
  /** The request's status now, or undefined when the account made no such request. */
  status(accountName: string, requestId: string): Schemas["RequestStatus"] | undefined;
}

/** Creates an empty log; `clock` tells pending requests from settled ones. */
export function createRequestLog(clock: Clock): RequestLog {
  const requests = new Map<string, RequestRecord>();
  return {
    record: (requestId, request) => void requests.set(requestId, { ...request }),
    status(accountName, requestId) {
      const request = requests.get(requestId);
      if (request === undefined || request.accountName !== accountName) return undefined;
      if (clock.now() < request.settlesAt) return "Pending";
      return request.failed ? "Failure" : "Success";
    },
  };
}

// ---------------------------------------------------------------------------------------------
// The activate rate limit: ThingSpace allows 100 activate requests a minute per account. Only
// admitted requests count, so a client that backs off for `Retry-After` seconds is admitted when
// it comes back.

/** Admits an account's activate request, or says how long until one is allowed. */
export type ActivateLimit = (
  accountName: string,
) => { admitted: true } | { admitted: false; retryAfterSeconds: number };

/** At most `perMinute` admissions per account in any rolling minute of the clock. */
export function createActivateLimit(perMinute: number, clock: Clock): ActivateLimit {
  const windows = new Map<string, RollingWindow>();
  return (accountName) => {
    let window = windows.get(accountName);
    if (!window) windows.set(accountName, (window = new RollingWindow(perMinute, 60_000, () => clock.now())));
    const waitMs = window.tryTake();
    return waitMs === 0
      ? { admitted: true }
      : { admitted: false, retryAfterSeconds: Math.max(1, Math.ceil(waitMs / 1000)) };
  };
}

/**
 * Device state per account. A device is found by any of its identifiers (a request may name it
 * by IMEI one day and by ICCID the next), kinds compared case-insensitively.
 */
import type { components } from "../../generated/openapi-types.js";
import { deviceIdKey } from "../devices/device-key.js";

type DeviceId = components["schemas"]["DeviceId"];
type CustomField = components["schemas"]["CustomField"];
type GoToStateFilter = components["schemas"]["GoToStateFilter"];

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

/** Devices of every account. */
export interface DeviceStore {
  find(accountName: string, deviceIds: readonly DeviceId[]): SimulatedDevice | undefined;
  /** The device in whichever account holds it (a goToState device list names no account). */
  locate(deviceIds: readonly DeviceId[]): SimulatedDevice | undefined;
  /** The device, created in `state` when it is unknown; identifiers not yet known are added to it. */
  upsert(accountName: string, deviceIds: readonly DeviceId[], state: string): SimulatedDevice;
  /** Records a new identifier of a device (the MDN assigned at activation). */
  addId(device: SimulatedDevice, deviceId: DeviceId): void;
  /** Devices of the account in the group, in the order they were added. */
  inGroup(accountName: string, groupName: string): SimulatedDevice[];
  /** Devices every criterion of a goToState filter matches. */
  matching(accountName: string, filter: GoToStateFilter): SimulatedDevice[];
  /** Copies of the devices of one account, or of every account. */
  list(accountName?: string): SimulatedDevice[];
}

function hasCustomFields(device: SimulatedDevice, wanted: readonly CustomField[]): boolean {
  return wanted.every((field) => device.customFields?.some((own) => own.key === field.key && own.value === field.value));
}

/** Creates an empty store. */
export function createDeviceStore(): DeviceStore {
  const accounts = new Map<string, { devices: SimulatedDevice[]; byId: Map<string, SimulatedDevice> }>();

  function account(name: string) {
    let entry = accounts.get(name);
    if (!entry) accounts.set(name, (entry = { devices: [], byId: new Map() }));
    return entry;
  }

  const store: DeviceStore = {
    find(accountName, deviceIds) {
      const byId = accounts.get(accountName)?.byId;
      if (!byId) return undefined;
      for (const id of deviceIds) {
        const device = byId.get(deviceIdKey(id));
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
    upsert(accountName, deviceIds, state) {
      let device = store.find(accountName, deviceIds);
      if (!device) {
        device = { accountName, deviceIds: [], state };
        account(accountName).devices.push(device);
      }
      for (const id of deviceIds) store.addId(device, id);
      return device;
    },
    addId(device, deviceId) {
      const key = deviceIdKey(deviceId);
      const { byId } = account(device.accountName);
      if (byId.get(key) === device) return;
      byId.set(key, device);
      device.deviceIds.push({ kind: deviceId.kind, id: deviceId.id });
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
      return names.flatMap((name) => accounts.get(name)?.devices ?? []).map((device) => structuredClone(device));
    },
  };
  return store;
}

/**
 * Fault injection: what can go wrong between a client, ThingSpace and a callback listener, on
 * demand. Faults are set at creation (`createSimulator({ faults })`) or at run time
 * (`simulator.setFaults(...)`); counted faults (`first`, `times`) are used up as they fire.
 */
import type { Schemas } from "../shared/spec.js";
import type { SimulatorOperation } from "./router.js";

type DeviceId = Schemas["DeviceId"];
type FaultResponse = Schemas["FaultResponse"];

/** Fires for the first `first` occasions, then with probability `rate` (from the injected random). */
export interface CountedFault {
  first?: number;
  rate?: number;
}

/** Which requests a fault hits: some operations (all by default), `times` times (always by default). */
export interface RequestFault {
  operation?: SimulatorOperation | readonly SimulatorOperation[];
  times?: number;
}

/** A device the simulator is about to report on, for {@link SimulatorFaults.deviceFault}. */
export interface DeviceFaultContext {
  operation: "activateDevices" | "goToState";
  accountName: string;
  deviceIds: readonly DeviceId[];
}

/** A callback about to be delivered, for {@link SimulatorFaults.dropCallbacks}. */
export interface DroppedCallbackContext {
  service: Schemas["CallbackServiceName"];
  accountName: string;
  requestId: string;
  /** The identifiers the callback reports on (none for a NIDD message). */
  deviceIds: readonly { kind: string; id: string }[];
}

/** Everything the simulator can be told to get wrong. */
export interface SimulatorFaults {
  /** Milliseconds of latency before every API answer. */
  latencyMs?: number;
  /** Callback delivery attempts lost on the way (the listener never sees them; redelivery follows). */
  failCallbacks?: CountedFault;
  /**
   * Every delivery attempt of the callbacks it picks is lost, up to `maxCallbackThreshold`: the
   * listener never hears of those devices, as when it was down for ThingSpace's whole redelivery
   * window. The device's state in the simulator is what the request made it.
   */
  dropCallbacks?: (callback: DroppedCallbackContext) => boolean;
  /**
   * Acknowledged callbacks sent once more with the next `callbackCount`, as if the 2xx was lost.
   * Only callbacks below `maxCallbackThreshold` count: the last allowed attempt is never sent again.
   */
  duplicateCallbacks?: CountedFault;
  /** Every session expires after this many more M2M calls (0: on the next call). */
  expireSessionsAfterCalls?: number;
  /** The OAuth token endpoint fails: 401 `invalid_client` (default) or a 5xx. */
  oauthFailure?: { status?: 401 | 500 | 503; times?: number };
  /** The connection is reset instead of answering; with `afterEffect` the request took effect first. */
  resetConnection?: RequestFault & { afterEffect?: boolean };
  /** The request takes effect, then the answer waits `ms` (a client timeout fires after the fact). */
  delayResponse?: RequestFault & { ms: number };
  /**
   * A per-device failure reported in the device's callback (`faultResponse`, status `Failed`).
   * Asked as each device is carried out: for an activate, after its answer (a function that
   * throws gives up the rest of that request's devices; its answer is already sent).
   */
  deviceFault?: (device: DeviceFaultContext) => FaultResponse | undefined;
}

/** The live fault state the simulator consults. */
export interface FaultInjector {
  current(): Readonly<SimulatorFaults>;
  /** Merges `faults` into the current ones; `undefined` values remove a fault. */
  set(faults: SimulatorFaults): void;
  clear(): void;
  latencyMs(): number;
  /** True when this delivery attempt of `callback` is lost. */
  dropCallback(callback: DroppedCallbackContext): boolean;
  duplicateCallback(): boolean;
  /** Counts one M2M call; true when every session must expire now. */
  sessionCallExpires(): boolean;
  oauthFailure(): number | undefined;
  resetConnection(operation: SimulatorOperation, afterEffect: boolean): boolean;
  delayResponse(operation: SimulatorOperation): number;
  /** The injected fault of a device, if any (its context object is built only when a function is set). */
  deviceFault(
    operation: DeviceFaultContext["operation"],
    accountName: string,
    deviceIds: readonly DeviceId[],
  ): FaultResponse | undefined;
}

function hits(fault: RequestFault, operation: SimulatorOperation): boolean {
  if (fault.operation === undefined) return true;
  return typeof fault.operation === "string" ? fault.operation === operation : fault.operation.includes(operation);
}

/** Creates the fault state, with `random` deciding `rate` faults. */
export function createFaultInjector(initial: SimulatorFaults = {}, random: () => number = Math.random): FaultInjector {
  let faults: SimulatorFaults = {};

  function counted(key: "failCallbacks" | "duplicateCallbacks"): boolean {
    const fault = faults[key];
    if (!fault) return false;
    if (fault.first && fault.first > 0) {
      faults[key] = { ...fault, first: fault.first - 1 };
      return true;
    }
    return fault.rate !== undefined && random() < fault.rate;
  }

  // Uses one of `times`; removes the fault when none is left.
  function use<K extends "oauthFailure" | "resetConnection" | "delayResponse">(key: K): void {
    const fault = faults[key];
    if (fault?.times === undefined) return;
    faults =
      fault.times <= 1 ? { ...faults, [key]: undefined } : { ...faults, [key]: { ...fault, times: fault.times - 1 } };
  }

  const injector: FaultInjector = {
    current: () => ({ ...faults }),
    set(next) {
      faults = { ...faults, ...copyFaults(next) };
    },
    clear() {
      faults = {};
    },
    latencyMs: () => faults.latencyMs ?? 0,
    // A callback `dropCallbacks` picks does not use up a counted `failCallbacks`.
    dropCallback: (callback) => faults.dropCallbacks?.(callback) === true || counted("failCallbacks"),
    duplicateCallback: () => counted("duplicateCallbacks"),
    sessionCallExpires() {
      const left = faults.expireSessionsAfterCalls;
      if (left === undefined) return false;
      if (left > 0) {
        faults = { ...faults, expireSessionsAfterCalls: left - 1 };
        return false;
      }
      faults = { ...faults, expireSessionsAfterCalls: undefined };
      return true;
    },
    oauthFailure() {
      const fault = faults.oauthFailure;
      if (!fault) return undefined;
      use("oauthFailure");
      return fault.status ?? 401;
    },
    resetConnection(operation, afterEffect) {
      const fault = faults.resetConnection;
      if (!fault || !hits(fault, operation) || Boolean(fault.afterEffect) !== afterEffect) return false;
      use("resetConnection");
      return true;
    },
    delayResponse(operation) {
      const fault = faults.delayResponse;
      if (!fault || !hits(fault, operation)) return 0;
      use("delayResponse");
      return fault.ms;
    },
    deviceFault: (operation, accountName, deviceIds) => faults.deviceFault?.({ operation, accountName, deviceIds }),
  };
  injector.set(initial);
  return injector;
}

// Copies the plain parts so a caller's object is never mutated by counting; keeps functions.
function copyFaults(faults: SimulatorFaults): SimulatorFaults {
  const copy: SimulatorFaults = {};
  for (const [key, value] of Object.entries(faults) as [keyof SimulatorFaults, unknown][]) {
    (copy as Record<string, unknown>)[key] = value !== null && typeof value === "object" ? { ...value } : value;
  }
  return copy;
}

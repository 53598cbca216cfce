/**
 * Each device's result: by its callback when a listener runs, and by looking the device up
 * (the callback tracker's `reconcile`) for what has not come once the wait is over, or for
 * everything when there is no listener. ThingSpace sends a callback up to 4 times about 5
 * minutes apart, so a wait of 25 minutes covers its redelivery window; a device still missing
 * after it will never be reported by callback.
 *
 * The tracker looks devices up through the client; the lookup here keeps what ThingSpace
 * lists of each device (its MDN and IP address), which the report shows beside the state.
 */
import { deviceIdKey, deviceKey, type DeviceLookupResult, type ListedDevice, type ThingSpaceClient } from "../index.js";
import {
  createCallbackTracker,
  type CallbackTracker,
  type DeviceLookup,
  type DeviceOutcome,
  type ParsedCallback,
} from "../callbacks/index.js";
import type { InputDevice } from "./input.js";
import type { DeviceResult } from "./journal.js";
import { formatDuration, type Progress } from "./progress.js";

/** The identifiers ThingSpace assigned or reported: what the report shows of a device. */
export function assigned(
  deviceIds: readonly { kind: string; id: string }[] | undefined,
  ipAddress: string | undefined,
) {
  const id = (kind: string) => deviceIds?.find((entry) => entry.kind.toLowerCase() === kind)?.id;
  const mdn = id("mdn");
  const msisdn = id("msisdn");
  return {
    ...(mdn ? { mdn } : {}),
    ...(msisdn ? { msisdn } : {}),
    ...(ipAddress ? { ipAddress } : {}),
  };
}

/** A device's result from its callback (the parsed callback's payload is typed by its `kind`). */
function fromCallback(key: string, callback: ParsedCallback): DeviceResult {
  const base = { key, source: "callback" as const, requestId: callback.requestId };
  switch (callback.kind) {
    case "activateSucceeded": {
      const { deviceIds, ipAddress, state } = callback.payload.deviceResponse.activateResponse;
      const ids = [...(deviceIds ?? []), ...callback.allDeviceIds];
      return { ...base, outcome: "succeeded", ...(state ? { state } : {}), ...assigned(ids, ipAddress) };
    }
    case "goToStateSucceeded": {
      const { deviceIds, ipAddress, stateName } = callback.payload.deviceResponse.goToStateResponse;
      const ids = [...(deviceIds ?? []), ...callback.allDeviceIds];
      return { ...base, outcome: "succeeded", ...(stateName ? { state: stateName } : {}), ...assigned(ids, ipAddress) };
    }
    case "activateFailed":
    case "goToStateFailed":
    case "deviceFailed": {
      const { faultcode, faultstring } = callback.payload.faultResponse;
      return {
        ...base,
        outcome: "failed",
        ...(faultcode ? { faultCode: faultcode } : {}),
        ...(faultstring ? { faultText: faultstring } : {}),
      };
    }
    default:
      // NIDD messages: the tracker keeps them beside a device's result, never as the result.
      return { ...base, outcome: callback.outcome };
  }
}

/** Collects the results of the chunks ThingSpace accepted. */
export interface ResultCollector {
  /** Expects a result for each of `devices` under `requestId`. */
  expect(requestId: string, devices: readonly InputDevice[]): void;
  /** Where callbacks go (the listener's `onCallback`). */
  record(callback: ParsedCallback): void;
  /**
   * Waits for the results: with a listener until every device has one or `waitMs` has passed,
   * then reconciles what is missing; without one, reconciles until no device is pending or
   * `waitMs` has passed. `stop` ends the wait early. Returns every device's result.
   */
  collect(options: { listening: boolean; waitMs: number; pollMs: number; stop: AbortSignal }): Promise<DeviceResult[]>;
  close(): void;
}

/** A collector on `client`, whose reconciliation looks for `expectedState` (goToState's `stateName`). */
export function createResultCollector(
  client: ThingSpaceClient,
  progress: Progress,
  options: { expectedState?: string; lookupIntervalMs: number },
): ResultCollector {
  // What ThingSpace listed of each device looked up, by identifier: its MDN and IP address.
  const listedById = new Map<string, ListedDevice>();
  const lookup: DeviceLookup = {
    async lookUpDevices(devices, lookupOptions) {
      const results: DeviceLookupResult[] = await client.lookUpDevices(devices, lookupOptions);
      for (const result of results) {
        if (result.listed) for (const id of result.device.deviceIds) listedById.set(deviceIdKey(id), result.listed);
      }
      return results;
    },
  };
  const tracker: CallbackTracker<InputDevice> = createCallbackTracker<InputDevice>({
    lookup,
    lookupIntervalMs: options.lookupIntervalMs,
  });
  const expectOptions = options.expectedState === undefined ? {} : { expectedState: options.expectedState };
  let expected = 0;
  let reported = 0;
  let waiting: ((count: number) => void) | undefined;

  const resultOf = (outcome: DeviceOutcome<InputDevice>, requestId: string): DeviceResult => {
    const key = deviceKey(outcome.device.deviceIds);
    if (outcome.source === "callback") return fromCallback(key, outcome.callback);
    const listed = outcome.device.deviceIds.map((id) => listedById.get(deviceIdKey(id))).find(Boolean);
    return {
      key,
      outcome: outcome.outcome,
      source: "reconciliation",
      ...(requestId.startsWith("journal:") ? {} : { requestId }),
      ...(outcome.state ? { state: outcome.state } : {}),
      ...assigned(listed?.deviceIds, listed?.ipAddress),
    };
  };
  const requestIds: string[] = [];
  const requestReports = () => requestIds.flatMap((id) => tracker.report(id) ?? []);
  const stillOpen = () => requestReports().some((report) => !report.complete);
  const everyResult = (): DeviceResult[] =>
    requestReports().flatMap((report) => report.reported.map((outcome) => resultOf(outcome, report.requestId)));

  return {
    expect(requestId, devices) {
      if (devices.length === 0) return;
      if (!requestIds.includes(requestId)) requestIds.push(requestId);
      tracker.expect(requestId, devices, expectOptions);
      expected += devices.length;
    },
    record(callback) {
      if (tracker.record(callback) === "matched") {
        reported += 1;
        waiting?.(reported);
      }
    },
    async collect({ listening, waitMs, pollMs, stop }) {
      if (expected === 0) return [];
      const started = performance.now();
      const stopped = new Promise<void>((resolve) => stop.addEventListener("abort", () => resolve(), { once: true }));
      if (listening) {
        const phase = progress.phase("waiting for results", expected);
        waiting = (count) => phase.update(count);
        const all = tracker.waitAll({ timeoutMs: waitMs });
        await Promise.race([all, stopped]);
        waiting = undefined;
        const missing = requestReports().reduce((sum, report) => sum + report.missing.length, 0);
        phase.finish(
          `callbacks  ${expected - missing} of ${expected} devices reported by callback (${formatDuration(performance.now() - started)})`,
        );
      }
      const deadline = started + waitMs;
      let rounds = 0;
      while (!stop.aborted && stillOpen()) {
        const open = requestReports().reduce((sum, report) => sum + report.missing.length, 0);
        const phase = progress.phase("reconciling", open);
        const reconcile = await tracker.reconcile({ signal: stop }).catch((error: unknown) => {
          // Not fatal: the devices stay open, and the next round (or `reconcile` later) tries again.
          phase.finish(`reconcile  failed: ${error instanceof Error ? error.message : String(error)} (tried again)`);
          return undefined;
        });
        if (reconcile) {
          const failures = reconcile.failures.length;
          phase.finish(
            `reconcile  ${reconcile.reconciled.length} devices looked up` +
              (failures > 0 ? `, ${failures} lookups failed (tried again)` : ""),
          );
        }
        rounds += 1;
        if (!stillOpen() || performance.now() + pollMs > deadline) break;
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, pollMs);
          stop.addEventListener("abort", () => (clearTimeout(timer), resolve()), { once: true });
        });
      }
      if (rounds > 1) progress.line(`reconcile  ${rounds} rounds (devices were still pending)`);
      return everyResult();
    },
    close: () => tracker.close(),
  };
}

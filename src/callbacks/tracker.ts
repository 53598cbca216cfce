/**
 * Correlates callbacks with the requests that caused them: register each requestId with its
 * devices (or feed the client's batch chunks), record parsed callbacks as they arrive, and
 * await each request's completion or a timeout with per-device outcomes.
 *
 * What one request expects back is its devices, matched to callbacks by any identifier they
 * share (a request may name a device by IMEI and ICCID while the callback reports only the
 * IMEI), kinds compared in lower case.
 */
import { startTimer, systemClock, type Clock } from "../shared/clock.js";
import { deviceIdKey } from "../shared/device-key.js";
import type { ParsedCallback } from "./types.js";

/** A device as a request lists it: the shape of the client's batch chunks' devices. */
export interface ExpectedDevice {
  readonly deviceIds: readonly { readonly kind: string; readonly id: string }[];
}

/** How one expected device turned out. */
export interface DeviceOutcome<D extends ExpectedDevice = ExpectedDevice> {
  readonly device: D;
  readonly outcome: "succeeded" | "failed";
  /** The callback that reported the device (activate or goToState result, or a fault). */
  readonly callback: ParsedCallback;
  /** NIDD configuration messages for the device, which do not complete it by themselves. */
  readonly nidd: readonly ParsedCallback[];
}

/** What `record` did with a callback. */
export type RecordResult = "matched" | "duplicate" | "unexpected" | "buffered";

// NIDD configuration accompanies an activation; the CarrierService message is what completes it.
const supplementaryKinds = new Set<ParsedCallback["kind"]>(["niddConfigCreated", "niddConfigFailed"]);

/** The devices of one request and the callbacks received for them so far. */
class RequestExpectation<D extends ExpectedDevice> {
  readonly devices: D[] = [];
  readonly unexpected: ParsedCallback[] = [];
  private readonly index = new Map<string, number>();
  private readonly outcomes = new Map<number, ParsedCallback>();
  private readonly niddByDevice = new Map<number, ParsedCallback[]>();

  /** Adds devices to expect (a request may be registered in several parts). */
  add(devices: Iterable<D>): void {
    for (const device of devices) {
      if (!Array.isArray(device?.deviceIds))
        throw new TypeError("each expected device needs deviceIds: [{ kind, id }, ...]");
      const position = this.devices.push(device) - 1;
      for (const id of device.deviceIds) {
        const key = deviceIdKey(id);
        if (!this.index.has(key)) this.index.set(key, position);
      }
    }
  }

  /** Files a callback under the device it reports on. */
  record(callback: ParsedCallback): Exclude<RecordResult, "buffered"> {
    const position = callback.allDeviceIds.map((id) => this.index.get(deviceIdKey(id))).find((p) => p !== undefined);
    if (position === undefined) {
      this.unexpected.push(callback);
      return "unexpected";
    }
    if (supplementaryKinds.has(callback.kind)) {
      const list = this.niddByDevice.get(position) ?? [];
      if (list.some((seen) => seen.kind === callback.kind)) return "duplicate";
      this.niddByDevice.set(position, [...list, callback]);
      return "matched";
    }
    if (this.outcomes.has(position)) return "duplicate";
    this.outcomes.set(position, callback);
    return "matched";
  }

  /** True once every device has its result. */
  get complete(): boolean {
    return this.outcomes.size === this.devices.length;
  }

  /** Outcomes of the devices reported so far, in request order. */
  reported(): DeviceOutcome<D>[] {
    return this.devices.flatMap((device, position) => {
      const callback = this.outcomes.get(position);
      return callback
        ? [{ device, outcome: callback.outcome, callback, nidd: this.niddByDevice.get(position) ?? [] }]
        : [];
    });
  }

  /** Devices with no result yet, in request order. */
  missing(): D[] {
    return this.devices.filter((_, position) => !this.outcomes.has(position));
  }
}

/** Where a request stands: every device reported, or what is still missing. */
export interface RequestReport<D extends ExpectedDevice = ExpectedDevice> {
  readonly requestId: string;
  /** Every expected device has its result. */
  readonly complete: boolean;
  /** `wait` gave up before `complete`. */
  readonly timedOut: boolean;
  readonly reported: readonly DeviceOutcome<D>[];
  readonly missing: readonly D[];
  /** Callbacks with this requestId that matched none of its devices. */
  readonly unexpected: readonly ParsedCallback[];
}

/** All requests at once. */
export interface TrackerReport<D extends ExpectedDevice = ExpectedDevice> {
  readonly complete: boolean;
  readonly requests: readonly RequestReport<D>[];
  readonly reported: readonly DeviceOutcome<D>[];
  readonly missing: readonly D[];
}

/** Options of `createCallbackTracker`. */
export interface CallbackTrackerOptions {
  /** Timers for `wait` timeouts. */
  readonly clock?: Clock;
  /**
   * Callbacks for a requestId not registered yet are kept (a callback may outrun the request's
   * answer) and replayed on registration; at most this many, oldest dropped first. Default 10,000.
   */
  readonly maxBuffered?: number;
}

/** A correlator of requests and their callbacks; see `createCallbackTracker`. */
export interface CallbackTracker<D extends ExpectedDevice = ExpectedDevice> {
  /** Expects a result for each of `devices` under `requestId` (may be called again to add devices). */
  expect(requestId: string, devices: Iterable<D>): void;
  /**
   * `onChunk: (chunk) => tracker.expectChunk(chunk)`: registers a chunk ThingSpace accepted.
   * Returns false (and registers nothing) for a chunk without requestId or not `accepted`.
   */
  expectChunk(chunk: {
    readonly requestId?: string;
    readonly status?: string;
    readonly devices: readonly D[];
  }): boolean;
  /** Records a parsed callback, e.g. from the handler's `onCallback`. */
  record(callback: ParsedCallback): RecordResult;
  /** The request's state now, or undefined when it was never registered. */
  report(requestId: string): RequestReport<D> | undefined;
  /** Resolves when every device of the request is reported, or after `timeoutMs`. */
  wait(requestId: string, options: { readonly timeoutMs: number }): Promise<RequestReport<D>>;
  /** `wait` for every registered request. */
  waitAll(options: { readonly timeoutMs: number }): Promise<TrackerReport<D>>;
  /** Drops a request and its results. */
  forget(requestId: string): void;
}

/** Creates a tracker. Devices are matched by any identifier they share with the callback. */
export function createCallbackTracker<D extends ExpectedDevice = ExpectedDevice>(
  options: CallbackTrackerOptions = {},
): CallbackTracker<D> {
  const clock = options.clock ?? systemClock;
  const maxBuffered = options.maxBuffered ?? 10_000;
  const requests = new Map<string, RequestExpectation<D>>();
  const buffered: ParsedCallback[] = [];
  const waiters = new Map<string, Set<() => void>>();

  function snapshot(requestId: string, expectation: RequestExpectation<D>, timedOut = false): RequestReport<D> {
    const complete = expectation.complete;
    const unexpected = [...expectation.unexpected];
    return {
      requestId,
      complete,
      timedOut: timedOut && !complete,
      reported: expectation.reported(),
      missing: expectation.missing(),
      unexpected,
    };
  }

  function wake(requestId: string): void {
    for (const notify of waiters.get(requestId) ?? []) notify();
  }

  const tracker: CallbackTracker<D> = {
    expect(requestId, devices) {
      const expectation = requests.get(requestId) ?? new RequestExpectation<D>();
      requests.set(requestId, expectation);
      expectation.add(devices);
      for (let i = buffered.length - 1; i >= 0; i--) {
        if (buffered[i]!.requestId === requestId) expectation.record(buffered.splice(i, 1)[0]!);
      }
      if (expectation.complete) wake(requestId);
    },
    expectChunk(chunk) {
      if (chunk.requestId === undefined || (chunk.status !== undefined && chunk.status !== "accepted")) return false;
      tracker.expect(chunk.requestId, chunk.devices);
      return true;
    },
    record(callback) {
      const expectation = requests.get(callback.requestId);
      if (!expectation) {
        if (buffered.push(callback) > maxBuffered) buffered.shift();
        return "buffered";
      }
      const result = expectation.record(callback);
      if (expectation.complete) wake(callback.requestId);
      return result;
    },
    report(requestId) {
      const expectation = requests.get(requestId);
      return expectation && snapshot(requestId, expectation);
    },
    wait(requestId, { timeoutMs }) {
      const expectation = requests.get(requestId);
      if (!expectation)
        return Promise.reject(new Error(`requestId ${requestId} was never registered with expect() or expectChunk()`));
      if (expectation.complete) return Promise.resolve(snapshot(requestId, expectation));
      return new Promise((resolve) => {
        const set = waiters.get(requestId) ?? new Set();
        waiters.set(requestId, set);
        let cancelTimeout = (): void => undefined;
        const finish = (timedOut: boolean) => {
          set.delete(notify);
          cancelTimeout();
          resolve(snapshot(requestId, expectation, timedOut));
        };
        const notify = () => finish(false);
        set.add(notify);
        cancelTimeout = startTimer(clock, timeoutMs, () => finish(true));
      });
    },
    async waitAll({ timeoutMs }) {
      const reports = await Promise.all([...requests.keys()].map((id) => tracker.wait(id, { timeoutMs })));
      return {
        complete: reports.every((r) => r.complete),
        requests: reports,
        reported: reports.flatMap((r) => r.reported),
        missing: reports.flatMap((r) => r.missing),
      };
    },
    forget(requestId) {
      requests.delete(requestId);
      waiters.delete(requestId);
    },
  };
  return tracker;
}

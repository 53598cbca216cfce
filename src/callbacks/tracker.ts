/**
 * Correlates callbacks with the requests that caused them: register each requestId with its
 * devices (or feed the client's batch chunks), record parsed callbacks as they arrive, and
 * await each request's completion or a timeout with per-device outcomes.
 *
 * What one request expects back is its devices, matched to callbacks by any identifier they
 * share (a request may name a device by IMEI and ICCID while the callback reports only the
 * IMEI), kinds compared in lower case.
 *
 * A device whose callback never comes is looked up instead (`reconcile`, in `reconcile.ts`,
 * bound once to this tracker's requests); what a lookup found is filed here beside the
 * callbacks, and a callback that comes afterwards replaces it.
 */
import { systemClock, startTimer, type Clock } from "../shared/clock.js";
import { deviceIdKey } from "../shared/device-key.js";
import {
  createReconciler,
  type ExpectedDevice,
  type ExpectOptions,
  type LookupFailure,
  type ReconcilableRequest,
  type ReconciledOutcome,
  type ReconcileOptions,
  type ReconcileReport,
  type ReconcilerOptions,
} from "./reconcile.js";
import type { ParsedCallback } from "./types.js";

/** How one expected device turned out, as its callback reported it. */
export interface CallbackOutcome<D extends ExpectedDevice = ExpectedDevice> {
  readonly device: D;
  readonly source: "callback";
  readonly outcome: "succeeded" | "failed";
  /** The callback that reported the device (activate or goToState result, or a fault). */
  readonly callback: ParsedCallback;
  /** NIDD configuration messages for the device, which do not complete it by themselves. */
  readonly nidd: readonly ParsedCallback[];
}

/** How one expected device turned out: by its callback, or by reconciliation. */
export type DeviceOutcome<D extends ExpectedDevice = ExpectedDevice> = CallbackOutcome<D> | ReconciledOutcome<D>;

/** What `record` did with a callback. */
export type RecordResult = "matched" | "duplicate" | "unexpected" | "buffered";

// NIDD configuration accompanies an activation; the CarrierService message is what completes it.
const supplementaryKinds = new Set<ParsedCallback["kind"]>(["niddConfigCreated", "niddConfigFailed"]);

/** The devices of one request and the callbacks received for them so far. */
class RequestExpectation<D extends ExpectedDevice> implements ReconcilableRequest<D> {
  readonly devices: D[] = [];
  readonly unexpected: ParsedCallback[] = [];
  options: ExpectOptions = {};
  /** When a callback for the request last came, or it was registered (clock ms). */
  lastHeard = 0;
  private readonly index = new Map<string, number>();
  private readonly outcomes = new Map<number, ParsedCallback>();
  private readonly niddByDevice = new Map<number, ParsedCallback[]>();
  private readonly reconciledOutcomes = new Map<number, ReconciledOutcome<D>>();
  private readonly lookupErrors = new Map<number, unknown>();

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
    // A callback is the device's own report: it replaces what a lookup found.
    this.outcomes.set(position, callback);
    this.reconciledOutcomes.delete(position);
    this.lookupErrors.delete(position);
    return "matched";
  }

  /**
   * Files what a lookup found for the device at `position` and returns it, unless the device's
   * callback came meanwhile (undefined).
   */
  reconciled(
    position: number,
    outcome: Omit<ReconciledOutcome<D>, "device" | "nidd" | "source">,
  ): ReconciledOutcome<D> | undefined {
    if (this.outcomes.has(position)) return undefined;
    this.lookupErrors.delete(position);
    const device = this.devices[position]!;
    const nidd = this.niddByDevice.get(position) ?? [];
    const filed: ReconciledOutcome<D> = { device, source: "reconciliation", ...outcome, nidd };
    this.reconciledOutcomes.set(position, filed);
    return filed;
  }

  /** Notes that the lookup of the device at `position` failed: it stays missing. */
  lookupFailed(position: number, error: unknown): void {
    if (!this.outcomes.has(position) && !this.reconciledOutcomes.has(position)) this.lookupErrors.set(position, error);
  }

  /** True once every device has a final result: its callback, or a lookup that found it settled or absent. */
  get complete(): boolean {
    if (this.outcomes.size === this.devices.length) return true;
    return this.devices.every((_, position) => this.outcomes.has(position) || this.isSettled(position));
  }

  private isSettled(position: number): boolean {
    const reconciled = this.reconciledOutcomes.get(position);
    return reconciled !== undefined && reconciled.outcome !== "pending";
  }

  /** Outcomes of the devices reported so far (by callback or reconciliation, pending ones included), in request order. */
  reported(): DeviceOutcome<D>[] {
    return this.devices.flatMap((device, position): DeviceOutcome<D>[] => {
      const callback = this.outcomes.get(position);
      if (callback) {
        const nidd = this.niddByDevice.get(position) ?? [];
        return [{ device, source: "callback", outcome: callback.outcome, callback, nidd }];
      }
      const reconciled = this.reconciledOutcomes.get(position);
      return reconciled ? [reconciled] : [];
    });
  }

  /** Devices with no result yet, in request order. */
  missing(): D[] {
    return this.devices.filter((_, position) => !this.outcomes.has(position) && !this.reconciledOutcomes.has(position));
  }

  /** Positions of the devices a reconciliation looks up: no result yet, or found pending. */
  toReconcile(): number[] {
    return this.devices.flatMap((_, position) =>
      this.outcomes.has(position) || this.isSettled(position) ? [] : [position],
    );
  }

  /** Missing devices whose last lookup failed, with its error. */
  failedLookups(): LookupFailure<D>[] {
    return [...this.lookupErrors].map(([position, error]) => ({ device: this.devices[position]!, error }));
  }
}

/** Where a request stands: every device reported, or what is still missing. */
export interface RequestReport<D extends ExpectedDevice = ExpectedDevice> {
  readonly requestId: string;
  /** Every expected device has a final result (its callback, or a reconciliation that is not `pending`). */
  readonly complete: boolean;
  /** `wait` gave up before `complete`. */
  readonly timedOut: boolean;
  /** Every device with a result, by callback or by reconciliation (`source`), in request order. */
  readonly reported: readonly DeviceOutcome<D>[];
  /** Devices with no result at all: no callback, and not (successfully) looked up. */
  readonly missing: readonly D[];
  /** The missing devices whose last lookup failed, with its error: `reconcile` retries them. */
  readonly lookupFailures: readonly LookupFailure<D>[];
  /** Callbacks with this requestId that matched none of its devices. */
  readonly unexpected: readonly ParsedCallback[];
}

/** All requests at once. */
export interface TrackerReport<D extends ExpectedDevice = ExpectedDevice> {
  readonly complete: boolean;
  readonly requests: readonly RequestReport<D>[];
  readonly reported: readonly DeviceOutcome<D>[];
  readonly missing: readonly D[];
  readonly lookupFailures: readonly LookupFailure<D>[];
}

/** Options of `wait` and `waitAll`. */
export interface WaitOptions {
  readonly timeoutMs: number;
  /** At the timeout, reconcile the devices still missing before answering (needs the tracker's `lookup`). */
  readonly reconcile?: boolean;
  /** Aborts the reconciliation (the wait itself ends at its timeout). */
  readonly signal?: AbortSignal;
}

/** Options of `createCallbackTracker`. */
/**
 * Options of `createCallbackTracker`; those of reconciliation (`lookup`, `reconcileAfterMs`,
 * `lookupBatchSize`, `lookupIntervalMs`, `onReconcile`) are described in {@link ReconcilerOptions}.
 */
export interface CallbackTrackerOptions<D extends ExpectedDevice = ExpectedDevice> extends ReconcilerOptions<D> {
  /** Timers for `wait` timeouts, automatic reconciliation and the pause between lookups. */
  readonly clock?: Clock;
  /**
   * Callbacks for a requestId not registered yet are kept (a callback may outrun the request's
   * answer) and replayed on registration; at most this many, oldest dropped first. Default 10,000.
   */
  readonly maxBuffered?: number;
}

/** A correlator of requests and their callbacks; see `createCallbackTracker`. */
export interface CallbackTracker<D extends ExpectedDevice = ExpectedDevice> {
  /**
   * Expects a result for each of `devices` under `requestId` (may be called again to add
   * devices); `options` say what success looks like when the devices are reconciled.
   */
  expect(requestId: string, devices: Iterable<D>, options?: ExpectOptions): void;
  /**
   * `onChunk: (chunk) => tracker.expectChunk(chunk)`: registers a chunk ThingSpace accepted.
   * Returns false (and registers nothing) for a chunk without requestId or not `accepted`.
   */
  expectChunk(
    chunk: {
      readonly requestId?: string;
      readonly status?: string;
      readonly devices: readonly D[];
    },
    options?: ExpectOptions,
  ): boolean;
  /** Records a parsed callback, e.g. from the handler's `onCallback`. */
  record(callback: ParsedCallback): RecordResult;
  /** The request's state now, or undefined when it was never registered. */
  report(requestId: string): RequestReport<D> | undefined;
  /**
   * Resolves when every device of the request is reported, or after `timeoutMs` (then, with
   * `reconcile: true`, once the devices still missing were looked up).
   */
  wait(requestId: string, options: WaitOptions): Promise<RequestReport<D>>;
  /** `wait` for every registered request (one reconciliation for all of them). */
  waitAll(options: WaitOptions): Promise<TrackerReport<D>>;
  /**
   * Looks up every device still missing (and every one found pending before), of the given
   * requests or of all, in batches of `lookupBatchSize` a `lookupIntervalMs` apart, and reports
   * each with what ThingSpace lists (a {@link ReconciledOutcome}). A lookup that fails is
   * reported in `failures` and leaves its devices missing: call again to retry. Rejects only
   * when there is no lookup (`options.lookup` or the tracker's) or `signal` aborts.
   */
  reconcile(options?: ReconcileOptions): Promise<ReconcileReport<D>>;
  /** Drops a request and its results. */
  forget(requestId: string): void;
  /** Stops automatic reconciliation (its timers), so that nothing of the tracker keeps the process alive. */
  close(): void;
}

/**
 * Creates a tracker. Devices are matched by any identifier they share with the callback; with a
 * `lookup`, those whose callback never comes can be reconciled (see `reconcile`).
 */
export function createCallbackTracker<D extends ExpectedDevice = ExpectedDevice>(
  options: CallbackTrackerOptions<D> = {},
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
      lookupFailures: expectation.failedLookups(),
      unexpected,
    };
  }

  function wake(requestId: string): void {
    for (const notify of waiters.get(requestId) ?? []) notify();
  }

  const reconciler = createReconciler<D>({ clock, requests, wake }, options);

  const tracker: CallbackTracker<D> = {
    expect(requestId, devices, expectOptions) {
      const expectation = requests.get(requestId) ?? new RequestExpectation<D>();
      requests.set(requestId, expectation);
      expectation.add(devices);
      if (expectOptions !== undefined) expectation.options = { ...expectOptions };
      expectation.lastHeard = clock.now();
      for (let i = buffered.length - 1; i >= 0; i--) {
        if (buffered[i]!.requestId === requestId) expectation.record(buffered.splice(i, 1)[0]!);
      }
      if (expectation.complete) wake(requestId);
      else reconciler.watch(requestId);
    },
    expectChunk(chunk, expectOptions) {
      if (chunk.requestId === undefined || (chunk.status !== undefined && chunk.status !== "accepted")) return false;
      tracker.expect(chunk.requestId, chunk.devices, expectOptions);
      return true;
    },
    record(callback) {
      const expectation = requests.get(callback.requestId);
      if (!expectation) {
        if (buffered.push(callback) > maxBuffered) buffered.shift();
        return "buffered";
      }
      expectation.lastHeard = clock.now();
      const result = expectation.record(callback);
      if (expectation.complete) wake(callback.requestId);
      return result;
    },
    report(requestId) {
      const expectation = requests.get(requestId);
      return expectation && snapshot(requestId, expectation);
    },
    async wait(requestId, waitOptions) {
      const expectation = requests.get(requestId);
      if (!expectation) throw new Error(`requestId ${requestId} was never registered with expect() or expectChunk()`);
      if (expectation.complete) return snapshot(requestId, expectation);
      const timedOut = await new Promise<boolean>((resolve) => {
        const set = waiters.get(requestId) ?? new Set();
        waiters.set(requestId, set);
        let cancelTimeout = (): void => undefined;
        const finish = (timedOut: boolean) => {
          set.delete(notify);
          cancelTimeout();
          resolve(timedOut);
        };
        const notify = () => finish(false);
        set.add(notify);
        cancelTimeout = startTimer(clock, waitOptions.timeoutMs, () => finish(true));
      });
      if (timedOut && waitOptions.reconcile) {
        await tracker.reconcile({
          requestIds: [requestId],
          ...(waitOptions.signal ? { signal: waitOptions.signal } : {}),
        });
      }
      return snapshot(requestId, expectation, timedOut);
    },
    async waitAll(waitOptions) {
      const { reconcile, ...plain } = waitOptions;
      let reports = await Promise.all([...requests.keys()].map((id) => tracker.wait(id, plain)));
      const incomplete = reports.filter((report) => !report.complete).map((report) => report.requestId);
      if (reconcile && incomplete.length > 0) {
        await tracker.reconcile({
          requestIds: incomplete,
          ...(waitOptions.signal ? { signal: waitOptions.signal } : {}),
        });
        reports = reports.map((report) => {
          const expectation = requests.get(report.requestId);
          return expectation ? snapshot(report.requestId, expectation, report.timedOut) : report;
        });
      }
      return {
        complete: reports.every((r) => r.complete),
        requests: reports,
        reported: reports.flatMap((r) => r.reported),
        missing: reports.flatMap((r) => r.missing),
        lookupFailures: reports.flatMap((r) => r.lookupFailures),
      };
    },
    reconcile: reconciler.reconcile,
    forget(requestId) {
      requests.delete(requestId);
      waiters.delete(requestId);
      reconciler.unwatch(requestId);
    },
    close: reconciler.close,
  };
  return tracker;
}

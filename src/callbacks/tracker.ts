/**
 * Correlates callbacks with the requests that caused them: register each requestId with its
 * devices (or feed the client's batch chunks), record parsed callbacks as they arrive, and
 * await each request's completion or a timeout with per-device outcomes.
 *
 * What one request expects back is its devices, matched to callbacks by any identifier they
 * share (a request may name a device by IMEI and ICCID while the callback reports only the
 * IMEI), kinds compared in lower case.
 *
 * ThingSpace stops sending a callback after `maxCallbackThreshold` attempts, so a device whose
 * callback never comes is looked up instead (`reconcile`): through a {@link DeviceLookup} that
 * the ThingSpace client satisfies, so that this module does not depend on the client. A device
 * is then reported with an outcome that says it came from reconciliation, or, when the lookup
 * failed, listed as missing with the lookup's error, to be reconciled again.
 */
import { startTimer, systemClock, type Clock } from "../shared/clock.js";
import { deviceIdKey } from "../shared/device-key.js";
import type { ParsedCallback } from "./types.js";

/** A device as a request lists it: the shape of the client's batch chunks' devices. */
export interface ExpectedDevice {
  readonly deviceIds: readonly { readonly kind: string; readonly id: string }[];
}

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

/**
 * How one expected device turned out, as ThingSpace lists it when its callback never came:
 * - `succeeded`: in the state the request aimed for (in service for an activation);
 * - `failed`: in another state, and the request is no longer pending;
 * - `pending`: ThingSpace is still carrying the request out (the device is `pending activation`,
 *   or the request's status is `Pending`): not final, reconciled again later;
 * - `not-found`: the account does not list the device.
 * A callback that arrives afterwards replaces it.
 */
export interface ReconciledOutcome<D extends ExpectedDevice = ExpectedDevice> {
  readonly device: D;
  readonly source: "reconciliation";
  readonly outcome: "succeeded" | "failed" | "pending" | "not-found";
  /** The state ThingSpace lists for the device (`active`, `pre-active`, a customer-defined state …). */
  readonly state?: string;
  /** The request's status (`Pending`, `Success`, `Failure`), when it was asked for. */
  readonly requestStatus?: string;
  /** When the lookup answered (the tracker's clock, ms since the epoch). */
  readonly reconciledAt: number;
  /** NIDD configuration messages for the device, if any came. */
  readonly nidd: readonly ParsedCallback[];
}

/** How one expected device turned out: by its callback, or by reconciliation. */
export type DeviceOutcome<D extends ExpectedDevice = ExpectedDevice> = CallbackOutcome<D> | ReconciledOutcome<D>;

/** A device whose last lookup failed: still missing, reconciled again by the next `reconcile`. */
export interface LookupFailure<D extends ExpectedDevice = ExpectedDevice> {
  readonly device: D;
  /** Why the lookup failed (a `ThingSpaceError` when the client looked it up). */
  readonly error: unknown;
}

/**
 * How the tracker looks devices up in ThingSpace: the ThingSpace client satisfies it
 * (`createCallbackTracker({ lookup: client })`); any object with the same methods will do.
 */
export interface DeviceLookup {
  /**
   * What ThingSpace lists for each device, in the order given: in the expected state, still
   * `pending`, in another state, or not found. Rejects when the lookup failed.
   */
  lookUpDevices(
    devices: readonly ExpectedDevice[],
    options: { readonly accountName?: string; readonly expectedState?: string; readonly signal?: AbortSignal },
  ): Promise<
    readonly { readonly found: "in-state" | "pending" | "other-state" | "not-found"; readonly state?: string }[]
  >;
  /** Where a request stands (`Pending`, `Success`, `Failure`); optional, it tells a device not yet changed from one that failed. */
  getRequestStatus?(
    requestId: string,
    options: { readonly accountName?: string; readonly signal?: AbortSignal },
  ): Promise<{ readonly status: string }>;
}

/** What a request aimed for, for reconciliation. */
export interface ExpectOptions {
  /** The state that means success: a goToState's `stateName` (default: in service, as an activation leaves it). */
  readonly expectedState?: string;
  /** The account that holds the devices (default: the lookup's, e.g. the client's `accountName`). */
  readonly accountName?: string;
}

/** What one `reconcile` did. */
export interface ReconcileReport<D extends ExpectedDevice = ExpectedDevice> {
  /** The devices looked up, with what ThingSpace lists now. */
  readonly reconciled: readonly ReconciledOutcome<D>[];
  /** Devices whose lookup failed, by request: still missing; `reconcile` again to retry them. */
  readonly failures: readonly (LookupFailure<D> & { readonly requestId: string })[];
}

/** What `record` did with a callback. */
export type RecordResult = "matched" | "duplicate" | "unexpected" | "buffered";

// NIDD configuration accompanies an activation; the CarrierService message is what completes it.
const supplementaryKinds = new Set<ParsedCallback["kind"]>(["niddConfigCreated", "niddConfigFailed"]);

/** The devices of one request and the callbacks received for them so far. */
class RequestExpectation<D extends ExpectedDevice> {
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
export interface CallbackTrackerOptions<D extends ExpectedDevice = ExpectedDevice> {
  /** Timers for `wait` timeouts, automatic reconciliation and the pause between lookups. */
  readonly clock?: Clock;
  /**
   * Callbacks for a requestId not registered yet are kept (a callback may outrun the request's
   * answer) and replayed on registration; at most this many, oldest dropped first. Default 10,000.
   */
  readonly maxBuffered?: number;
  /** Where `reconcile` looks devices up: the ThingSpace client (`{ lookup: client }`). */
  readonly lookup?: DeviceLookup;
  /**
   * Reconciles a request by itself once no callback has come for it for this long: ThingSpace's
   * redelivery window (it sends a callback up to 4 times, about 5 minutes apart: 25 minutes
   * covers it). While devices stay pending or a lookup fails, it tries again after as long.
   * Needs `lookup`; off by default.
   */
  readonly reconcileAfterMs?: number;
  /** Devices per lookup call, at most (default 1,000). */
  readonly lookupBatchSize?: number;
  /** Pause between two lookup calls, ms (default 1,000): reconciling a large fleet does not flood ThingSpace. */
  readonly lookupIntervalMs?: number;
  /** Told what each reconciliation did, the automatic ones included. */
  readonly onReconcile?: (report: ReconcileReport<D>) => void;
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
  reconcile(options?: {
    readonly requestIds?: Iterable<string>;
    readonly lookup?: DeviceLookup;
    readonly signal?: AbortSignal;
  }): Promise<ReconcileReport<D>>;
  /** Drops a request and its results. */
  forget(requestId: string): void;
  /** Stops automatic reconciliation (its timers), so that nothing of the tracker keeps the process alive. */
  close(): void;
}

/** One batch of a reconciliation: devices of one or more requests that share an aim. */
interface LookupItem<D extends ExpectedDevice> {
  requestId: string;
  expectation: RequestExpectation<D>;
  position: number;
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
  const lookupBatchSize = options.lookupBatchSize ?? 1_000;
  const lookupIntervalMs = options.lookupIntervalMs ?? 1_000;
  if (!Number.isInteger(lookupBatchSize) || lookupBatchSize < 1) {
    throw new RangeError(`lookupBatchSize must be a positive integer (got ${String(options.lookupBatchSize)})`);
  }
  const requests = new Map<string, RequestExpectation<D>>();
  const buffered: ParsedCallback[] = [];
  const waiters = new Map<string, Set<() => void>>();
  const autoTimers = new Map<string, () => void>();
  // One reconciliation at a time: an automatic one and one asked for never look a device up twice at once.
  let reconciling: Promise<unknown> = Promise.resolve();
  // Lookups are paced across reconciliations too.
  let lastLookupAt = Number.NEGATIVE_INFINITY;

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

  // Automatic reconciliation: a timer per request, due `reconcileAfterMs` after the last callback
  // heard for it. A callback does not move the timer (that would cost a timer per callback):
  // when it falls due early, it is set again for the rest of the quiet time.
  function armAutoReconcile(requestId: string, delayMs: number): void {
    const afterMs = options.reconcileAfterMs;
    if (afterMs === undefined || options.lookup === undefined || autoTimers.has(requestId)) return;
    autoTimers.set(
      requestId,
      startTimer(clock, delayMs, () => {
        autoTimers.delete(requestId);
        const expectation = requests.get(requestId);
        if (!expectation || expectation.complete) return;
        const quietMs = clock.now() - expectation.lastHeard;
        if (quietMs < afterMs) return armAutoReconcile(requestId, afterMs - quietMs);
        void tracker
          .reconcile({ requestIds: [requestId] })
          .catch(() => undefined)
          .finally(() => {
            if (requests.get(requestId) === expectation && !expectation.complete) armAutoReconcile(requestId, afterMs);
          });
      }),
    );
  }

  async function runReconcile(
    requestIds: readonly string[],
    lookup: DeviceLookup,
    signal: AbortSignal | undefined,
  ): Promise<ReconcileReport<D>> {
    // Devices that share an account and an aim are looked up together, whatever their request.
    const groups = new Map<string, { options: ExpectOptions; items: LookupItem<D>[] }>();
    for (const requestId of requestIds) {
      const expectation = requests.get(requestId);
      if (!expectation) continue;
      const key = JSON.stringify([expectation.options.accountName ?? null, expectation.options.expectedState ?? null]);
      const group = groups.get(key) ?? { options: expectation.options, items: [] };
      groups.set(key, group);
      for (const position of expectation.toReconcile()) group.items.push({ requestId, expectation, position });
    }
    const reconciled: ReconciledOutcome<D>[] = [];
    const failures: (LookupFailure<D> & { requestId: string })[] = [];
    const statuses = new Map<string, Promise<string | undefined>>();
    // The request's status tells a device ThingSpace has not changed yet from one it failed to change.
    const statusOf = (requestId: string, accountName: string | undefined): Promise<string | undefined> => {
      let status = statuses.get(requestId);
      if (!status) {
        const asked = { ...(accountName === undefined ? {} : { accountName }), signal };
        // A status that cannot be had leaves the devices' own states to speak.
        status = Promise.resolve()
          .then(() => lookup.getRequestStatus?.(requestId, asked))
          .then(
            (answer) => answer?.status,
            () => undefined,
          );
        statuses.set(requestId, status);
      }
      return status;
    };
    for (const { options: aim, items } of groups.values()) {
      for (let start = 0; start < items.length; start += lookupBatchSize) {
        const batch = items.slice(start, start + lookupBatchSize);
        const waitMs = lastLookupAt + lookupIntervalMs - clock.now();
        if (waitMs > 0) await clock.sleep(waitMs, signal);
        signal?.throwIfAborted();
        lastLookupAt = clock.now();
        let found: Awaited<ReturnType<DeviceLookup["lookUpDevices"]>>;
        try {
          found = await lookup.lookUpDevices(
            batch.map((item) => item.expectation.devices[item.position]!),
            {
              ...(aim.accountName === undefined ? {} : { accountName: aim.accountName }),
              ...(aim.expectedState === undefined ? {} : { expectedState: aim.expectedState }),
              ...(signal === undefined ? {} : { signal }),
            },
          );
          if (found.length !== batch.length) {
            throw new TypeError(`lookUpDevices answered ${found.length} results for ${batch.length} devices`);
          }
        } catch (error) {
          if (signal?.aborted) throw signal.reason;
          for (const { requestId, expectation, position } of batch) {
            expectation.lookupFailed(position, error);
            failures.push({ requestId, device: expectation.devices[position]!, error });
          }
          continue;
        }
        const reconciledAt = clock.now();
        for (const [index, { requestId, expectation, position }] of batch.entries()) {
          const { found: finding, state } = found[index]!;
          const unchanged = finding === "other-state" || finding === "not-found";
          const requestStatus = unchanged ? await statusOf(requestId, aim.accountName) : undefined;
          const outcome: ReconciledOutcome["outcome"] =
            finding === "in-state"
              ? "succeeded"
              : finding === "pending" || requestStatus === "Pending"
                ? "pending"
                : finding === "not-found"
                  ? "not-found"
                  : "failed";
          const filed = expectation.reconciled(position, {
            outcome,
            ...(state === undefined ? {} : { state }),
            ...(requestStatus === undefined ? {} : { requestStatus }),
            reconciledAt,
          });
          if (filed) reconciled.push(filed);
        }
      }
    }
    for (const requestId of requestIds) if (requests.get(requestId)?.complete) wake(requestId);
    const report = { reconciled, failures };
    options.onReconcile?.(report);
    return report;
  }

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
      else if (options.reconcileAfterMs !== undefined) armAutoReconcile(requestId, options.reconcileAfterMs);
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
    reconcile(reconcileOptions = {}) {
      const lookup = reconcileOptions.lookup ?? options.lookup;
      if (!lookup) {
        return Promise.reject(
          new TypeError(
            "reconcile needs a lookup: createCallbackTracker({ lookup: client }) or tracker.reconcile({ lookup: client })",
          ),
        );
      }
      const requestIds = [...(reconcileOptions.requestIds ?? requests.keys())];
      const run = reconciling.then(() => runReconcile(requestIds, lookup, reconcileOptions.signal));
      reconciling = run.catch(() => undefined);
      return run;
    },
    forget(requestId) {
      requests.delete(requestId);
      waiters.delete(requestId);
      autoTimers.get(requestId)?.();
      autoTimers.delete(requestId);
    },
    close() {
      for (const cancel of autoTimers.values()) cancel();
      autoTimers.clear();
    },
  };
  return tracker;
}

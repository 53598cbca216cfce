/**
 * Reconciliation: looking up what never came. ThingSpace stops sending a callback after
 * `maxCallbackThreshold` attempts, so a device whose callback never comes is looked up instead,
 * through a {@link DeviceLookup} that the ThingSpace client satisfies, so that the callbacks
 * entry does not depend on the client. A device is then reported with an outcome that says it
 * came from reconciliation, or, when the lookup failed, listed as missing with the lookup's
 * error, to be reconciled again.
 *
 * The tracker (`tracker.ts`) owns the requests and their callbacks; it binds them here once
 * ({@link createReconciler}), and this module adds what looking up needs: batches of devices that
 * share an account and an aim, pacing between lookups, the request's status, one reconciliation
 * at a time, and the automatic runs after `reconcileAfterMs` of quiet.
 */
import { startTimer, type Clock } from "../shared/clock.js";
import type { LookupFinding } from "../shared/lookup-finding.js";
import type { ParsedCallback } from "./types.js";

/** A device as a request lists it: the shape of the client's batch chunks' devices. */
export interface ExpectedDevice {
  readonly deviceIds: readonly { readonly kind: string; readonly id: string }[];
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
  ): Promise<readonly { readonly found: LookupFinding; readonly state?: string }[]>;
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

/** What `reconcile` takes: which requests (default: all), which lookup (default: the tracker's), and a signal. */
export interface ReconcileOptions {
  readonly requestIds?: Iterable<string>;
  readonly lookup?: DeviceLookup;
  readonly signal?: AbortSignal;
}

/** What reconciliation needs of one request; the tracker's expectations are these. */
export interface ReconcilableRequest<D extends ExpectedDevice> {
  readonly devices: readonly D[];
  readonly options: ExpectOptions;
  /** When a callback for the request last came, or it was registered (clock ms). */
  readonly lastHeard: number;
  readonly complete: boolean;
  /** Positions of the devices to look up: no result yet, or found pending. */
  toReconcile(): number[];
  /** Files what a lookup found; undefined when the device's callback came meanwhile. */
  reconciled(
    position: number,
    outcome: Omit<ReconciledOutcome<D>, "device" | "nidd" | "source">,
  ): ReconciledOutcome<D> | undefined;
  /** Notes that the device's lookup failed. */
  lookupFailed(position: number, error: unknown): void;
}

/** How a tracker reconciles: the reconciliation part of `createCallbackTracker`'s options. */
export interface ReconcilerOptions<D extends ExpectedDevice = ExpectedDevice> {
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

/** The tracker's state, bound once to its reconciler. */
export interface TrackerState<D extends ExpectedDevice> {
  readonly clock: Clock;
  /** The tracker's requests, by requestId: read here, never added to or removed. */
  readonly requests: ReadonlyMap<string, ReconcilableRequest<D>>;
  /** Wakes whoever waits for a request, once a reconciliation completed it. */
  readonly wake: (requestId: string) => void;
}

/** The reconciliation of one tracker. */
export interface Reconciler<D extends ExpectedDevice> {
  /** The tracker's `reconcile`: runs after any reconciliation still under way. */
  reconcile(options?: ReconcileOptions): Promise<ReconcileReport<D>>;
  /** Reconciles the request by itself after `reconcileAfterMs` of quiet (when set, with a lookup). */
  watch(requestId: string): void;
  /** Stops watching the request. */
  unwatch(requestId: string): void;
  /** Stops watching every request (cancels the timers). */
  close(): void;
}

/** One device of a lookup batch, with the request it belongs to. */
interface LookupItem<D extends ExpectedDevice> {
  requestId: string;
  expectation: ReconcilableRequest<D>;
  position: number;
}

/** Binds reconciliation to a tracker's state and options; throws when `lookupBatchSize` is not a positive integer. */
export function createReconciler<D extends ExpectedDevice>(
  state: TrackerState<D>,
  options: ReconcilerOptions<D>,
): Reconciler<D> {
  const { clock, requests } = state;
  const lookupBatchSize = options.lookupBatchSize ?? 1_000;
  const lookupIntervalMs = options.lookupIntervalMs ?? 1_000;
  if (!Number.isInteger(lookupBatchSize) || lookupBatchSize < 1) {
    throw new RangeError(`lookupBatchSize must be a positive integer (got ${String(options.lookupBatchSize)})`);
  }
  const autoTimers = new Map<string, () => void>();
  // One reconciliation at a time: an automatic one and one asked for never look a device up twice at once.
  let reconciling: Promise<unknown> = Promise.resolve();
  // Lookups are paced across reconciliations too.
  let lastLookupAt = Number.NEGATIVE_INFINITY;

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
        void reconciler
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
    for (const requestId of requestIds) if (requests.get(requestId)?.complete) state.wake(requestId);
    const report = { reconciled, failures };
    options.onReconcile?.(report);
    return report;
  }

  const reconciler: Reconciler<D> = {
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
    watch(requestId) {
      if (options.reconcileAfterMs !== undefined) armAutoReconcile(requestId, options.reconcileAfterMs);
    },
    unwatch(requestId) {
      autoTimers.get(requestId)?.();
      autoTimers.delete(requestId);
    },
    close() {
      for (const cancel of autoTimers.values()) cancel();
      autoTimers.clear();
    },
  };
  return reconciler;
}

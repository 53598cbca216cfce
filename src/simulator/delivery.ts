/**
 * The callbacks the simulator sends, and how it sends them. Bodies are built to the spec's
 * callback schemas, one message per device; the envelope's `username`, `password`,
 * `callbackCount` and `maxCallbackThreshold` are added at each delivery attempt.
 *
 * Delivery works the way ThingSpace's does: one POST per message, sent again until the listener
 * answers 2xx, up to `maxCallbackThreshold` times in all with `callbackCount` counting up. At
 * most `concurrency` deliveries are in flight, so a request of 1,000 devices never opens 1,000
 * sockets at once. Every attempt is logged (without credentials) for inspection. A result whose
 * service has no listener is kept (ThingSpace would drop it) until `deliverPending()`.
 */
import { pause, type Clock } from "../shared/clock.js";
import type { Schemas } from "../shared/spec.js";
import type { FaultInjector } from "./faults.js";
import type { CallbackRegistry, RegisteredListener, SimulatedDevice } from "./state.js";

type DeviceId = Schemas["DeviceId"];
type EnvelopeField = "username" | "password" | "callbackCount" | "maxCallbackThreshold";
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** Any callback body the simulator sends. */
export type SimulatorCallback =
  Schemas["CarrierServiceCallback"] | Schemas["NiddServiceCallback"] | Schemas["StateServiceCallback"];

/** A callback body before the delivery envelope is added. */
export type CallbackPayload = DistributiveOmit<SimulatorCallback, EnvelopeField>;

/** One device's result, addressed to a callback service of an account. */
export interface CallbackResult {
  service: Schemas["CallbackServiceName"];
  accountName: string;
  payload: CallbackPayload;
}

// A copy of the list; the identifiers themselves are shared. Nothing changes an identifier once
// made (the store keeps copies of its own, a request's are read only), and the garbage collector's
// work grows with the objects a simulator holds; what leaves the simulator is a copy
// (`undelivered()`) or JSON.
function copyIds(deviceIds: readonly DeviceId[]): DeviceId[] {
  return deviceIds.slice();
}

/** A CarrierService success: the device is active, with every identifier it now has. */
export function activateSucceededPayload(
  requestId: string,
  requested: readonly DeviceId[],
  device: SimulatedDevice,
): CallbackPayload {
  const activateResponse: Schemas["ActivateResponse"] = {
    deviceIds: copyIds(device.deviceIds),
    state: "Active",
    featureCodes: [],
  };
  if (device.ipAddress !== undefined) activateResponse.ipAddress = device.ipAddress;
  if (device.servicePlan !== undefined) activateResponse.servicePlan = device.servicePlan;
  return { requestId, deviceIds: copyIds(requested), deviceResponse: { activateResponse }, status: "Success" };
}

/** A CarrierService or StateService failure for one device. */
export function deviceFailedPayload(
  requestId: string,
  requested: readonly DeviceId[],
  fault: Schemas["FaultResponse"],
): CallbackPayload {
  return { requestId, deviceIds: copyIds(requested), faultResponse: { ...fault }, status: "Failed" };
}

/** A StateService success: the device reached the customer-defined service and state. */
export function goToStateSucceededPayload(
  requestId: string,
  requested: readonly DeviceId[],
  device: SimulatedDevice,
): CallbackPayload {
  const goToStateResponse: Schemas["GoToStateResponse"] = {
    deviceIds: copyIds(device.deviceIds),
    accountName: device.accountName,
    stateName: device.state,
    ...(device.serviceName === undefined ? {} : { serviceName: device.serviceName }),
    ...(device.ipAddress === undefined ? {} : { ipAddress: device.ipAddress }),
    ...(device.servicePlan === undefined ? {} : { servicePlan: device.servicePlan }),
  };
  return { requestId, deviceIds: copyIds(requested), deviceResponse: { goToStateResponse }, status: "Success" };
}

/** A NiddService message: NIDD configured, or not with a `reason`. */
export function niddPayload(
  requestId: string,
  device: SimulatedDevice,
  outcome: "ConfigCreated" | "ConfigFailed",
): CallbackPayload {
  const niddConfigResponse: Schemas["NiddConfigResponse"]["niddConfigResponse"] = {
    accountName: device.accountName,
    deviceIds: copyIds(device.deviceIds),
    ...(outcome === "ConfigFailed" ? { reason: "Not CatM or NBIoT Device" } : {}),
  };
  const niddResponse = { niddConfigResponse };
  return outcome === "ConfigCreated"
    ? { requestId, niddResponse, status: outcome }
    : { requestId, niddResponse, status: outcome };
}

/**
 * The simulator's waits and callback POSTs, which `close()` cuts short. Each gets its own
 * AbortSignal: one signal shared by thousands of pending redeliveries (or delayed answers) would
 * collect thousands of abort listeners (Node warns of a leak, and undici's fetch keeps its
 * listener until the request is garbage-collected). Aborting a wait also clears its timer, so
 * a closed simulator leaves nothing that keeps the process alive.
 */
export class PendingWork {
  readonly #clock: Clock;
  readonly #scopes = new Set<AbortController>();
  #closed = false;

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  /** True once {@link close} ran. */
  get closed(): boolean {
    return this.#closed;
  }

  /** Runs `task` with a signal that {@link close} aborts (already aborted once closed). */
  run<T>(task: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const scope = new AbortController();
    if (this.#closed) scope.abort();
    else this.#scopes.add(scope);
    return task(scope.signal).finally(() => this.#scopes.delete(scope));
  }

  /** Waits `ms` of clock time, or less when closed meanwhile (it never rejects). */
  wait(ms: number): Promise<void> {
    return this.run((signal) => pause(this.#clock, ms, signal));
  }

  /** Aborts every wait and POST under way, and those started from now on. */
  close(): void {
    this.#closed = true;
    for (const scope of this.#scopes) scope.abort();
    this.#scopes.clear();
  }
}

/** The `fetch` the simulator delivers callbacks with (the global one by default). */
export type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

/** What became of one delivery attempt. */
export interface DeliveryAttempt {
  service: CallbackResult["service"];
  accountName: string;
  requestId: string;
  /** The payload's `status` (`Success`, `Failed`, `ConfigCreated` …). */
  result: string;
  deviceIds?: { kind: string; id: string }[];
  url: string;
  callbackCount: number;
  /** `delivered` (2xx), `rejected` (other status), `failed` (network error), `dropped` (fault injection). */
  outcome: "delivered" | "rejected" | "failed" | "dropped";
  httpStatus?: number;
}

/** The delivery queue. */
export interface CallbackDelivery {
  /**
   * Sends each result to its service's registered listener at `dueAt` (clock ms; at once when that
   * is past), or keeps it when there is none.
   */
  dispatch(results: readonly CallbackResult[], dueAt: number): void;
  /** Sends kept results whose service now has a listener; returns how many were queued. */
  deliverPending(): number;
  /** Copies of the results kept because their service had no listener. */
  undelivered(): CallbackResult[];
  attempts(): DeliveryAttempt[];
  /** Resolves once every queued message is acknowledged or given up. */
  idle(): Promise<void>;
  /** Stops: nothing more is sent (the caller closes the {@link PendingWork}, which aborts what is in flight). */
  close(): void;
}

const parsedResults = (text: string): CallbackResult[] => JSON.parse(text) as CallbackResult[];

interface Job {
  result: CallbackResult;
  listener: RegisteredListener;
  callbackCount: number;
}

/** Creates a delivery queue. */
export function createCallbackDelivery(options: {
  fetch: FetchLike;
  clock: Clock;
  pending: PendingWork;
  registry: CallbackRegistry;
  concurrency: number;
  maxCallbackThreshold: number;
  callbackDelayMs: number;
  redeliveryDelayMs: number;
  faults: FaultInjector;
}): CallbackDelivery {
  const { pending, faults } = options;
  const log: DeliveryAttempt[] = [];
  // Results kept because their service had no listener: each dispatch's as one JSON text, in
  // order. A simulator keeping the results of millions of devices as objects (~7 a device, and
  // the request's identifiers they point to) has the collector mark them all in every full
  // collection, stalling the requests it answers meanwhile; a text is one object that holds no
  // other. What leaves the simulator (`undelivered()`) is parsed from it: a copy.
  const keptResults: string[] = [];
  let ready: Job[] = [];
  let head = 0;
  let inFlight = 0;
  let unfinished = 0;
  const waiters: (() => void)[] = [];

  function finish(): void {
    unfinished -= 1;
    if (unfinished === 0) for (const wake of waiters.splice(0)) wake();
  }

  function queueAfter(delayMs: number, jobs: Job[]): void {
    void pending.wait(delayMs).then(() => {
      if (pending.closed) return;
      ready.push(...jobs);
      startReady();
    });
  }

  function startReady(): void {
    while (inFlight < options.concurrency && head < ready.length) {
      const job = ready[head]!;
      head += 1;
      inFlight += 1;
      void attempt(job).finally(() => {
        inFlight -= 1;
        startReady();
      });
    }
    // Compact now and then: shifting one by one would be quadratic on large batches.
    if (head > 1024 && head * 2 > ready.length) {
      ready = ready.slice(head);
      head = 0;
    }
  }

  async function post(job: Job): Promise<Pick<DeliveryAttempt, "outcome" | "httpStatus">> {
    const { service, accountName, payload } = job.result;
    const deviceIds = "deviceIds" in payload ? payload.deviceIds : [];
    if (faults.dropCallback({ service, accountName, requestId: payload.requestId, deviceIds })) {
      return { outcome: "dropped" };
    }
    const body = {
      username: job.listener.username,
      password: job.listener.password,
      ...job.result.payload,
      callbackCount: job.callbackCount,
      maxCallbackThreshold: options.maxCallbackThreshold,
    };
    try {
      return await pending.run(async (signal) => {
        const response = await options.fetch(job.listener.url, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify(body),
          signal,
        });
        await response.arrayBuffer().catch(() => undefined);
        return { outcome: response.ok ? "delivered" : "rejected", httpStatus: response.status };
      });
    } catch {
      return { outcome: "failed" };
    }
  }

  async function attempt(job: Job): Promise<void> {
    const { outcome, httpStatus } = await post(job);
    if (pending.closed) return;
    const { payload, service, accountName } = job.result;
    log.push({
      service,
      accountName,
      requestId: payload.requestId,
      result: payload.status,
      ...("deviceIds" in payload ? { deviceIds: payload.deviceIds.map(({ kind, id }) => ({ kind, id })) } : {}),
      url: job.listener.url,
      callbackCount: job.callbackCount,
      outcome,
      ...(httpStatus === undefined ? {} : { httpStatus }),
    });
    // A delivered message is sent again only when a lost acknowledgement is simulated. The last
    // allowed attempt is never sent again, so it must not use up a counted duplicate either:
    // `duplicateCallbacks: { first: 3 }` promises three copies, whichever attempts finish first.
    const more = job.callbackCount < options.maxCallbackThreshold;
    const again = more && (outcome !== "delivered" || faults.duplicateCallback());
    if (again) {
      queueAfter(options.redeliveryDelayMs, [{ ...job, callbackCount: job.callbackCount + 1 }]);
    } else {
      finish();
    }
  }

  // Queues the results whose service has a listener, to be sent after `delayMs`, and keeps the
  // others; returns how many were queued.
  function send(results: readonly CallbackResult[], delayMs: number): number {
    const jobs: Job[] = [];
    const unheard: CallbackResult[] = [];
    for (const result of results) {
      const listener = options.registry.get(result.accountName, result.service);
      if (listener) jobs.push({ result, listener, callbackCount: 1 });
      else unheard.push(result);
    }
    if (unheard.length > 0) keptResults.push(JSON.stringify(unheard));
    if (!pending.closed && jobs.length > 0) {
      unfinished += jobs.length;
      queueAfter(delayMs, jobs);
    }
    return jobs.length;
  }

  return {
    dispatch: (results, dueAt) => void send(results, Math.max(0, dueAt - options.clock.now())),
    deliverPending: () => send(keptResults.splice(0).flatMap(parsedResults), options.callbackDelayMs),
    undelivered: () => keptResults.flatMap(parsedResults),
    attempts: () => log.map((entry) => structuredClone(entry)),
    idle: () => (unfinished === 0 ? Promise.resolve() : new Promise<void>((resolve) => waiters.push(resolve))),
    close() {
      unfinished = 0;
      ready = [];
      head = 0;
      for (const wake of waiters.splice(0)) wake();
    },
  };
}

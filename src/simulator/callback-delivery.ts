/**
 * Delivers callbacks the way ThingSpace does: one POST per message, sent again until the
 * listener answers 2xx, up to `maxCallbackThreshold` times in all with `callbackCount` counting
 * up. At most `concurrency` deliveries are in flight, so a request of 1,000 devices never opens
 * 1,000 sockets at once. Every attempt is logged (without credentials) for inspection.
 *
 * Each wait and each POST gets its own AbortSignal, which `close()` aborts: one signal shared
 * by thousands of pending redeliveries would collect thousands of abort listeners (Node warns
 * of a leak, and undici's fetch keeps its listener until the request is garbage-collected).
 */
import type { CallbackResult } from "./callback-messages.js";
import type { RegisteredListener } from "./callback-registry.js";
import type { FaultInjector } from "./fault-injector.js";
import type { Sleep } from "./sleep.js";

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

/** A result with the listener it goes to. */
export interface Addressed {
  result: CallbackResult;
  listener: RegisteredListener;
}

/** The delivery queue. */
export interface CallbackDelivery {
  /** Queues one message per result, first sent after `delayMs`. */
  send(messages: readonly Addressed[], delayMs: number): void;
  attempts(): DeliveryAttempt[];
  /** Resolves once every queued message is acknowledged or given up. */
  idle(): Promise<void>;
  /** Stops: in-flight deliveries are aborted and nothing more is sent. */
  close(): void;
}

interface Job extends Addressed {
  callbackCount: number;
}

/** Creates a delivery queue. */
export function createCallbackDelivery(options: {
  fetch: FetchLike;
  sleep: Sleep;
  concurrency: number;
  maxCallbackThreshold: number;
  redeliveryDelayMs: () => number;
  faults: FaultInjector;
}): CallbackDelivery {
  const log: DeliveryAttempt[] = [];
  let closed = false;
  // The signals of the waits and POSTs under way, so that close() can abort each one.
  const scopes = new Set<AbortController>();
  let ready: Job[] = [];
  let head = 0;
  let inFlight = 0;
  let unfinished = 0;
  let waiters: (() => void)[] = [];

  function finish(): void {
    unfinished -= 1;
    if (unfinished === 0) for (const wake of waiters.splice(0)) wake();
  }

  function scoped<T>(run: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const scope = new AbortController();
    scopes.add(scope);
    return run(scope.signal).finally(() => scopes.delete(scope));
  }

  function later(jobs: Job[], delayMs: number): void {
    void scoped((signal) => options.sleep(delayMs, signal)).then(() => {
      if (closed) return;
      ready.push(...jobs);
      pump();
    });
  }

  function pump(): void {
    while (inFlight < options.concurrency && head < ready.length) {
      const job = ready[head]!;
      head += 1;
      inFlight += 1;
      void attempt(job).finally(() => {
        inFlight -= 1;
        pump();
      });
    }
    // Compact now and then: shifting one by one would be quadratic on large batches.
    if (head > 1024 && head * 2 > ready.length) {
      ready = ready.slice(head);
      head = 0;
    }
  }

  async function post(job: Job): Promise<Pick<DeliveryAttempt, "outcome" | "httpStatus">> {
    if (options.faults.dropCallback()) return { outcome: "dropped" };
    const body = {
      username: job.listener.username,
      password: job.listener.password,
      ...job.result.payload,
      callbackCount: job.callbackCount,
      maxCallbackThreshold: options.maxCallbackThreshold,
    };
    try {
      return await scoped(async (signal) => {
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
    if (closed) return;
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
    const again = more && (outcome !== "delivered" || options.faults.duplicateCallback());
    if (again) {
      later([{ ...job, callbackCount: job.callbackCount + 1 }], options.redeliveryDelayMs());
    } else {
      finish();
    }
  }

  return {
    send(messages, delayMs) {
      if (closed || messages.length === 0) return;
      unfinished += messages.length;
      later(
        messages.map((message) => ({ ...message, callbackCount: 1 })),
        delayMs,
      );
    },
    attempts: () => log.map((entry) => structuredClone(entry)),
    idle: () => (unfinished === 0 ? Promise.resolve() : new Promise<void>((resolve) => waiters.push(resolve))),
    close() {
      closed = true;
      for (const scope of scopes) scope.abort();
      scopes.clear();
      unfinished = 0;
      ready = [];
      head = 0;
      for (const wake of waiters.splice(0)) wake();
    },
  };
}

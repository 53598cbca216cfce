/**
 * Each callback handled once, however often ThingSpace sends it: the store contracts the receiver
 * remembers handled callbacks in, the in-process memory store, `handleOnce` (claim, run,
 * complete or release) and the key that identifies a callback.
 *
 * Two kinds of store: a `DedupeStore` claims a key, and is told when the handler completed or
 * failed (the memory store; `thingspace-m2m/callbacks/redis`; `thingspace-m2m/callbacks/postgres`
 * in its lease mode). A `TransactionalDedupeStore` runs the handler itself, inside a transaction
 * that also records the completion (`thingspace-m2m/callbacks/postgres` with `transactional:
 * true`), so that the handler's writes and the completion commit together or not at all.
 */
import type { Clock } from "../shared/clock.js";
import { positiveOption } from "../shared/spec.js";
import type { ParsedCallback } from "./types.js";

/** What `claim` found for a key. */
export type DedupeClaim =
  /** The key is now held by the caller, who must `complete` or `release` it. */
  | "acquired"
  /** The callback was handled already: acknowledge it. */
  | "completed"
  /** Someone else holds the key right now: do not acknowledge before it is settled. */
  | "in-progress";

/** How a held key was settled. */
export type DedupeSettlement = "completed" | "released";

/**
 * The contract a claim/complete deduplication store fulfils. Every method may be asynchronous; a
 * method that rejects (the store cannot be reached) makes the receiver answer 503, so that
 * ThingSpace sends the callback again, except `complete` after the handler ran (see `handleOnce`).
 */
export interface DedupeStore {
  /** Atomically takes `key` unless it is held or completed. */
  claim(key: string): Promise<DedupeClaim>;
  /** Marks a held key as handled: later claims return `"completed"`. */
  complete(key: string): Promise<void>;
  /** Gives a held key back after a failure, so that a redelivery handles it again. */
  release(key: string): Promise<void>;
  /**
   * Optional: resolves once a key held by someone else is completed or released. Without it,
   * the receiver answers a concurrent copy 503 (ThingSpace sends it again later).
   */
  settled?(key: string): Promise<DedupeSettlement>;
}

/**
 * A store that runs the handler itself, inside its own transaction, and records the key's
 * completion in the same transaction: the handler's writes (through `transaction`) and the
 * completion commit together, so a crash at any point leaves either both or neither, and the
 * redelivery handles the callback once (exactly-once effect).
 */
export interface TransactionalDedupeStore<Transaction> {
  /**
   * Runs `work` once for `key`: `handled` when it ran and committed, `duplicate` when the key was
   * completed already, `busy` when another holder did not settle in time, `unavailable` when
   * the store failed (reported to `report`; nothing was acknowledged). Rethrows what `work`
   * throws, after rolling its writes back.
   */
  handleOnce(
    key: string,
    work: (transaction: Transaction) => Promise<void>,
    report: (error: unknown) => void,
  ): Promise<OnceResult>;
}

/**
 * Thrown by a shared store's `complete` when the caller's claim lapsed and another copy took the
 * callback over: both copies ran the handler. (`handleOnce` reports it; the answer stays 200.)
 */
export class DedupeLeaseLostError extends Error {
  constructor() {
    super(
      "the claim on this callback lapsed before the handler finished, and another copy took it over: it may be " +
        "handled twice; raise leaseMs above the handler's longest run",
    );
    this.name = "DedupeLeaseLostError";
  }
}

/** Either kind of store; `Transaction` is what the handlers receive as `context.transaction`. */
export type AnyDedupeStore<Transaction = undefined> = DedupeStore | TransactionalDedupeStore<Transaction>;

// ---------------------------------------------------------------------------------------------
// The in-process deduplication store: entries expire after a TTL and the handled keys never
// exceed `maxEntries`, so a long-running receiver keeps bounded memory. One process only:
// several processes behind a load balancer need a shared `DedupeStore`.

/** Options of `createMemoryDedupeStore`. */
export interface MemoryDedupeStoreOptions {
  /** How long a handled callback is remembered. Default 24 hours (redeliveries span ~20 minutes). */
  readonly ttlMs?: number;
  /**
   * How long a claim may stay held before it lapses, so that a handler that never settles does
   * not block the callback forever. Default 15 minutes.
   */
  readonly leaseMs?: number;
  /**
   * The most keys kept; the oldest handled ones are forgotten first. Default 50,000. A key being
   * handled is never dropped (a copy would then run the handler at the same time), so while more
   * callbacks than this are in progress at once, the store holds that many.
   */
  readonly maxEntries?: number;
  /** Time source; `Date.now` by default. */
  readonly clock?: Pick<Clock, "now">;
}

interface Entry {
  state: "held" | "completed";
  expiresAt: number;
  waiters: ((settlement: DedupeSettlement) => void)[];
}

/** An in-memory `DedupeStore` with TTL expiry and a bounded size. */
export function createMemoryDedupeStore(
  options: MemoryDedupeStoreOptions = {},
): DedupeStore & { readonly size: number } {
  const ttlMs = positiveOption("ttlMs", options.ttlMs, 24 * 60 * 60 * 1000, "milliseconds");
  const leaseMs = positiveOption("leaseMs", options.leaseMs, 15 * 60 * 1000, "milliseconds");
  const maxEntries = positiveOption("maxEntries", options.maxEntries, 50_000, "entries");
  const clock = options.clock ?? { now: () => Date.now() };
  const entries = new Map<string, Entry>();

  function settle(key: string, entry: Entry, settlement: DedupeSettlement): void {
    if (settlement === "released") entries.delete(key);
    for (const wake of entry.waiters.splice(0)) wake(settlement);
  }

  function live(key: string): Entry | undefined {
    const entry = entries.get(key);
    if (entry && entry.expiresAt <= clock.now()) settle(key, entry, "released");
    return entries.get(key);
  }

  function makeRoom(): void {
    // Map order is insertion order, and a completed entry is re-inserted: the first completed
    // entry is the oldest. A held entry goes only once its lease lapsed: dropping a live claim
    // would wake its waiting copies with "released", and they would handle the callback again
    // while its first copy is still being handled.
    for (const [key, entry] of entries) {
      if (entries.size < maxEntries) return;
      if (entry.state === "completed" || entry.expiresAt <= clock.now()) settle(key, entry, "released");
    }
  }

  return {
    get size() {
      return entries.size;
    },
    async claim(key): Promise<DedupeClaim> {
      const entry = live(key);
      if (entry) return entry.state === "held" ? "in-progress" : "completed";
      makeRoom();
      entries.set(key, { state: "held", expiresAt: clock.now() + leaseMs, waiters: [] });
      return "acquired";
    },
    async complete(key) {
      const entry = entries.get(key) ?? { state: "held", expiresAt: 0, waiters: [] };
      entries.delete(key);
      if (entries.size >= maxEntries) makeRoom();
      entries.set(key, { state: "completed", expiresAt: clock.now() + ttlMs, waiters: [] });
      settle(key, entry, "completed");
    },
    async release(key) {
      const entry = entries.get(key);
      if (entry?.state === "held") settle(key, entry, "released");
    },
    settled(key) {
      const entry = live(key);
      if (!entry) return Promise.resolve("released");
      if (entry.state === "completed") return Promise.resolve("completed");
      return new Promise((resolve) => entry.waiters.push(resolve));
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Runs a callback's handler at most once per key, however many copies arrive and however they
// overlap: a copy never acknowledges before the copy being handled has settled, because if it
// did and that handling then failed, the result would be lost.

/**
 * `handled`: this copy ran the handler. `duplicate`: another copy was handled (acknowledge).
 * `busy`: another copy is being handled and the store cannot say when it settles (answer
 * non-2xx so ThingSpace sends it again later). `unavailable`: the store failed before the
 * handler ran (answer non-2xx: nothing was handled).
 */
export type OnceResult = "handled" | "duplicate" | "busy" | "unavailable";

// After a copy that was being handled fails, the waiting copy takes over; a store that keeps
// answering "in-progress" and "released" must not spin forever.
const maxRounds = 3;

/**
 * Claims `key`, runs `work` and completes the key; releases it when `work` throws (and
 * rethrows). A copy that finds the key held waits for it to settle: completed means
 * `duplicate`; released (the other copy failed) means this copy handles it itself. A
 * `TransactionalDedupeStore` does all of this itself, in one transaction.
 *
 * `report` receives the store's failures. Before `work` ran, a failure means `unavailable`.
 * After `work` ran, a failure to complete is reported and the result is still `handled`: the
 * effect exists, and answering non-2xx would make ThingSpace send the callback again, to be
 * handled a second time once the claim lapses.
 */
export async function handleOnce<Transaction>(
  store: AnyDedupeStore<Transaction>,
  key: string,
  work: (transaction: Transaction) => Promise<void>,
  report: (error: unknown) => void,
): Promise<OnceResult> {
  if ("handleOnce" in store) return store.handleOnce(key, work, report);
  // A claim/complete store has no transaction to give.
  const run = work as (transaction: undefined) => Promise<void>;
  for (let round = 0; round < maxRounds; round++) {
    let claim: DedupeClaim;
    try {
      claim = await store.claim(key);
      if (claim === "in-progress" && store.settled && (await store.settled(key)) === "completed") return "duplicate";
    } catch (error) {
      report(error);
      return "unavailable";
    }
    if (claim === "completed") return "duplicate";
    if (claim === "in-progress") {
      if (!store.settled) return "busy";
      continue;
    }
    try {
      await run(undefined);
    } catch (error) {
      await store.release(key).catch(report);
      throw error;
    }
    // The work is done: a store failure now must not make ThingSpace resend it.
    await store.complete(key).catch(report);
    return "handled";
  }
  return "busy";
}

// ---------------------------------------------------------------------------------------------
// The identity of a callback for deduplication: the request, the device and the outcome. One
// activate request yields a CarrierService and a NiddService message for the same device, so
// the kind is part of the key.

/**
 * `requestId`, `deviceKey` and `kind`, joined by newlines. A message that names no device at all
 * is keyed by its content instead (less `callbackCount` and the credentials), so that two such
 * messages are never mistaken for copies of each other. Never throws, whatever the payload's depth.
 */
export function callbackDedupeKey(
  callback: Pick<ParsedCallback, "requestId" | "deviceKey" | "kind"> & { readonly payload?: unknown },
): string {
  let device = callback.deviceKey;
  if (device === "" && callback.payload !== undefined) {
    const content = {
      ...(callback.payload as object),
      callbackCount: undefined,
      username: undefined,
      password: undefined,
    };
    device = `content:${stackSafeJson(content)}`;
  }
  return `${callback.requestId}\n${device}\n${callback.kind}`;
}

// ---------------------------------------------------------------------------------------------
// JSON text of a value of any depth. `JSON.stringify` recurses, so a valid callback carrying a
// deeply nested unknown field (a few thousand `[` fit in the 64 KiB body limit) makes it throw
// `RangeError`; this walks an explicit stack instead and never throws.

type Work = string | { readonly value: unknown } | { readonly leave: object };

// What JSON.stringify writes for a value that is not an object; undefined when it omits it.
function scalar(value: unknown): string | undefined {
  if (value === null) return "null";
  switch (typeof value) {
    case "string":
      return JSON.stringify(value);
    case "number":
      return Number.isFinite(value) ? String(value) : "null";
    case "boolean":
      return String(value);
    case "bigint":
      return JSON.stringify(String(value));
    default:
      return undefined; // undefined, functions and symbols
  }
}

const omitted = (value: unknown): boolean => value !== null && typeof value !== "object" && scalar(value) === undefined;

/**
 * The same text as `JSON.stringify(value)` for JSON values (own enumerable keys in order,
 * `undefined` members left out, `null` in arrays), at any nesting depth. A cycle is written as
 * `"[cycle]"` and a bigint as its decimal string, where `JSON.stringify` would throw.
 */
export function stackSafeJson(value: unknown): string {
  const parts: string[] = [];
  const work: Work[] = [{ value }];
  const open = new Set<object>(); // the containers being written, to tell a cycle from a shared value
  while (work.length > 0) {
    const item = work.pop()!;
    if (typeof item === "string") {
      parts.push(item);
    } else if ("leave" in item) {
      open.delete(item.leave);
    } else if (typeof item.value !== "object" || item.value === null) {
      parts.push(scalar(item.value) ?? "null");
    } else if (open.has(item.value)) {
      parts.push('"[cycle]"');
    } else {
      const container = item.value;
      open.add(container);
      const array = Array.isArray(container);
      const members: [string | undefined, unknown][] = array
        ? container.map((member) => [undefined, omitted(member) ? null : member])
        : Object.entries(container).filter(([, member]) => !omitted(member));
      const next: Work[] = [array ? "[" : "{"];
      members.forEach(([key, member], index) => {
        if (index > 0) next.push(",");
        if (key !== undefined) next.push(`${JSON.stringify(key)}:`);
        next.push({ value: member });
      });
      next.push(array ? "]" : "}", { leave: container });
      for (let i = next.length - 1; i >= 0; i--) work.push(next[i]!);
    }
  }
  return parts.join("");
}

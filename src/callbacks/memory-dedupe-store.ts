/**
 * The in-process deduplication store: entries expire after a TTL and the handled keys never
 * exceed `maxEntries`, so a long-running receiver keeps bounded memory. One process only:
 * several processes behind a load balancer need a shared `DedupeStore`.
 */
import type { Clock } from "../client/clock.js";
import type { DedupeClaim, DedupeSettlement, DedupeStore } from "./dedupe-store.js";

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

function positive(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value <= 0) throw new RangeError(`${name} must be a positive number of ${name === "maxEntries" ? "entries" : "milliseconds"}`);
  return value;
}

/** An in-memory `DedupeStore` with TTL expiry and a bounded size. */
export function createMemoryDedupeStore(options: MemoryDedupeStoreOptions = {}): DedupeStore & { readonly size: number } {
  const ttlMs = positive("ttlMs", options.ttlMs, 24 * 60 * 60 * 1000);
  const leaseMs = positive("leaseMs", options.leaseMs, 15 * 60 * 1000);
  const maxEntries = positive("maxEntries", options.maxEntries, 50_000);
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

/**
 * Where the receiver remembers which callbacks it has handled, so that a redelivery is
 * acknowledged without running the handler again. Implement it over Redis, a database … to
 * share it between processes; `createMemoryDedupeStore` is the in-process default.
 */

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

/** The contract a deduplication store fulfils. Every method may be asynchronous. */
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

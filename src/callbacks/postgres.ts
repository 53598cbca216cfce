/**
 * `thingspace-m2m/callbacks/postgres`: deduplication stores on PostgreSQL, over a `pg` pool, in
 * the table `thingspace_callback_dedupe` (created by `postgres-dedupe.sql`, shipped with the
 * package: run it with your migrations, or `await store.migrate()`).
 *
 * - **Lease mode** (default), a `DedupeStore` like the Redis one: a claim is `INSERT … ON
 *   CONFLICT` of a `held` row with an owner token and a lease (the database's clock, so the
 *   replicas' clocks do not matter); complete and release act only for that owner; a copy that
 *   finds the key held waits for `NOTIFY thingspace_callback_dedupe` (sent only for keys a copy
 *   waits on), re-reading the row at least every `fallbackPollMs` and when the lease ends.
 * - **Transactional mode** (`transactional: true`), a `TransactionalDedupeStore`: the claim is
 *   the first statement of a transaction, the handler runs in that transaction (it receives the
 *   client as `context.transaction`), and the commit records the handler's writes and the
 *   completion together. A crash before the commit leaves neither (the database rolls back a
 *   dead connection's transaction), and the redelivery handles the callback once: exactly-once
 *   effect for what the handler writes to this database. A copy that arrives meanwhile waits on
 *   the row's lock (at most `waitMs`), and is answered as a duplicate once the first commits.
 *
 * Completed rows are forgotten after `ttlMs`: `deleteExpired()` deletes them, and the store calls
 * it every `sweepIntervalMs` while it is open.
 */
import { createHash, randomUUID } from "node:crypto";
import { readFile } from "node:fs/promises";
import { positiveOption } from "../shared/spec.js";
import {
  DedupeLeaseLostError,
  type DedupeClaim,
  type DedupeSettlement,
  type DedupeStore,
  type OnceResult,
  type TransactionalDedupeStore,
} from "./dedupe.js";

/** What the store reads of a query's result (a `pg` `QueryResult`). */
export interface PostgresQueryResult {
  readonly rows: any[];
  readonly rowCount: number | null;
  readonly command: string;
}

/** A `pg` client checked out of a pool (`PoolClient`): what the store uses of it. */
export interface PostgresPoolClient {
  query(text: string, values?: any[]): Promise<PostgresQueryResult>;
  release(error?: Error | boolean): void;
  on(event: "notification", listener: (message: { channel: string; payload?: string }) => void): unknown;
  on(event: "error", listener: (error: Error) => void): unknown;
  removeListener(event: "error", listener: (error: Error) => void): unknown;
}

/** A `pg` `Pool`: what the store uses of it. */
export interface PostgresPool<Client extends PostgresPoolClient = PostgresPoolClient> {
  connect(): Promise<Client>;
  query(text: string, values?: any[]): Promise<PostgresQueryResult>;
}

interface CommonOptions {
  /** How long a handled callback is remembered. Default 24 hours (redeliveries span ~20 minutes). */
  readonly ttlMs?: number;
  /** How often the store deletes rows past their time (`deleteExpired`); 0 turns it off. Default 10 minutes. */
  readonly sweepIntervalMs?: number;
  /** Told of failures outside a request: the periodic sweep, the LISTEN connection. */
  readonly onError?: (error: unknown) => void;
}

/** Options of `createPostgresDedupeStore` in lease mode. */
export interface PostgresLeaseStoreOptions extends CommonOptions {
  readonly pool: PostgresPool;
  readonly transactional?: false;
  /**
   * How long a claim holds before it lapses: keep it above your handler's longest run. A copy
   * of a callback whose holder crashed is handled again once this has passed. Default 60 s.
   */
  readonly leaseMs?: number;
  /** Longest wait between two reads of a row a copy waits for, should a notification be lost. Default 1 s. */
  readonly fallbackPollMs?: number;
}

/** Options of `createPostgresDedupeStore` in transactional mode. */
export interface PostgresTransactionalStoreOptions<Pool extends PostgresPool = PostgresPool> extends CommonOptions {
  readonly pool: Pool;
  readonly transactional: true;
  /**
   * How long a copy waits for another copy's transaction on the same callback before it is
   * answered 503 (and sent again later). It is the transaction's `lock_timeout`, so the
   * handler's own statements wait for locks at most this long too. Default 5 s (under the
   * receiver's 8 s time budget).
   */
  readonly waitMs?: number;
}

/** What both modes offer beside deduplication. */
export interface PostgresDedupeStoreControls {
  /** Creates the table and its index if missing (`postgres-dedupe.sql`); safe to run from several processes at once. */
  migrate(): Promise<void>;
  /** Deletes up to `limit` rows past their time (completed beyond `ttlMs`, leases long lapsed); returns how many. */
  deleteExpired(limit?: number): Promise<number>;
  /** Stops the sweep and gives back the LISTEN connection; the pool stays yours to end. */
  close(): Promise<void>;
}

/** The lease-mode store. */
export type PostgresLeaseDedupeStore = DedupeStore & {
  settled(key: string): Promise<DedupeSettlement>;
} & PostgresDedupeStoreControls;

/**
 * The client a pool's `connect()` gives: `PoolClient` for a `pg.Pool`. (Inferring it through
 * `ReturnType` would read pg's last overload, `connect(callback): void`.)
 */
export type PoolClientOf<Pool> = Pool extends { connect(): Promise<infer Client>; connect(callback: never): void }
  ? Client
  : Pool extends { connect(): Promise<infer Client> }
    ? Client
    : never;

/** The transactional store: handlers receive `Client` (inside `BEGIN`) as `context.transaction`. */
export type PostgresTransactionalDedupeStore<Client> = TransactionalDedupeStore<Client> & PostgresDedupeStoreControls;

/** The migration's file, beside this module in the package (and in src/ when run from source). */
export const postgresMigrationUrl = new URL("./postgres-dedupe.sql", import.meta.url);

const table = "thingspace_callback_dedupe";
const channel = "thingspace_callback_dedupe";
// Serialises concurrent migrations (CREATE … IF NOT EXISTS can still collide on the catalog).
const migrationLock = 7_380_224_761;

const digestOf = (key: string) => createHash("sha256").update(key).digest("base64url");

// A claim in one statement: a new row is ours; an existing one is taken over only when its time
// has passed (a lapsed lease, a forgotten completion), and otherwise returned as it is. It locks
// the row, so a claim also waits for a transaction that is inserting the same key.
const claimSql = `
INSERT INTO ${table} AS d (key_digest, state, owner, expires_at)
VALUES ($1, $2, $3, now() + $4 * interval '1 millisecond')
ON CONFLICT (key_digest) DO UPDATE SET
  state = CASE WHEN d.expires_at <= now() THEN excluded.state ELSE d.state END,
  owner = CASE WHEN d.expires_at <= now() THEN excluded.owner ELSE d.owner END,
  expires_at = CASE WHEN d.expires_at <= now() THEN excluded.expires_at ELSE d.expires_at END,
  waited = CASE WHEN d.expires_at <= now() THEN false ELSE d.waited END
RETURNING state, owner = $3 AS mine`;

// The owner marks it completed; a copy waiting for it is told.
const completeSql = `
WITH done AS (
  UPDATE ${table} SET state = 'completed', owner = NULL,
    expires_at = now() + $3 * interval '1 millisecond'
  WHERE key_digest = $1 AND state = 'held' AND owner = $2
  RETURNING waited
), told AS (SELECT pg_notify('${channel}', $1) FROM done WHERE waited)
SELECT (SELECT count(*) FROM done) AS completed, (SELECT count(*) FROM told) AS told`;

const releaseSql = `
WITH gone AS (DELETE FROM ${table} WHERE key_digest = $1 AND state = 'held' AND owner = $2 RETURNING waited)
SELECT pg_notify('${channel}', $1) FROM gone WHERE waited`;

// A waiting copy marks the row (so that settling it notifies) and learns how long its lease has left.
const waitSql = `
UPDATE ${table} SET waited = true
WHERE key_digest = $1 AND state = 'held' AND expires_at > now()
RETURNING ceil(extract(epoch FROM expires_at - now()) * 1000)::float8 AS left_ms`;

const stateSql = `SELECT state FROM ${table} WHERE key_digest = $1 AND expires_at > now()`;

const deleteExpiredSql = `
DELETE FROM ${table} WHERE key_digest IN (
  SELECT key_digest FROM ${table} WHERE expires_at < now() - interval '1 minute' LIMIT $1
)`;

/** Creates a PostgreSQL deduplication store over a `pg` pool: lease mode, or `transactional: true`. */
export function createPostgresDedupeStore<Pool extends PostgresPool>(
  options: PostgresTransactionalStoreOptions<Pool>,
): PostgresTransactionalDedupeStore<PoolClientOf<Pool>>;
export function createPostgresDedupeStore(options: PostgresLeaseStoreOptions): PostgresLeaseDedupeStore;
export function createPostgresDedupeStore(
  options: PostgresLeaseStoreOptions | PostgresTransactionalStoreOptions,
): PostgresLeaseDedupeStore | PostgresTransactionalDedupeStore<any> {
  const { pool } = options;
  if (typeof pool?.connect !== "function" || typeof pool.query !== "function") {
    throw new TypeError("pool must be a pg Pool: `new pg.Pool({ connectionString })`");
  }
  const ttlMs = Math.round(positiveOption("ttlMs", options.ttlMs, 24 * 60 * 60 * 1000, "milliseconds"));
  const sweepIntervalMs = options.sweepIntervalMs ?? 10 * 60 * 1000;
  if (sweepIntervalMs !== 0) positiveOption("sweepIntervalMs", sweepIntervalMs, 0, "milliseconds");
  const onError = options.onError ?? (() => undefined);

  async function deleteExpired(limit = 10_000): Promise<number> {
    const { rowCount } = await pool.query(deleteExpiredSql, [positiveOption("limit", limit, 10_000, "rows")]);
    return rowCount ?? 0;
  }
  const sweep = sweepIntervalMs === 0 ? undefined : setInterval(() => deleteExpired().catch(onError), sweepIntervalMs);
  sweep?.unref?.();

  const controls = {
    async migrate() {
      const sql = await readFile(postgresMigrationUrl, "utf8");
      await pool.query(`BEGIN; SELECT pg_advisory_xact_lock(${migrationLock}); ${sql}; COMMIT;`);
    },
    deleteExpired,
  };

  if (options.transactional === true) {
    const waitMs = Math.round(positiveOption("waitMs", options.waitMs, 5_000, "milliseconds"));
    return {
      ...controls,
      handleOnce: transactionalHandleOnce(options.pool, ttlMs, waitMs),
      close: async () => clearInterval(sweep),
    };
  }
  if (options.transactional !== undefined && options.transactional !== false) {
    throw new TypeError("transactional must be true or false");
  }
  const lease = createLeaseStore(options, ttlMs, onError);
  return {
    ...controls,
    ...lease,
    async close() {
      clearInterval(sweep);
      await lease.close();
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Lease mode.

function createLeaseStore(options: PostgresLeaseStoreOptions, ttlMs: number, onError: (error: unknown) => void) {
  const { pool } = options;
  const leaseMs = Math.round(positiveOption("leaseMs", options.leaseMs, 60_000, "milliseconds"));
  const fallbackPollMs = positiveOption("fallbackPollMs", options.fallbackPollMs, 1_000, "milliseconds");
  // The token of each claim this process holds: complete and release act only with it.
  const tokens = new Map<string, string>();
  // The copies waiting in this process, by key digest: a notification wakes them to re-read.
  const waiting = new Map<string, Set<() => void>>();

  // One pooled connection LISTENs for every waiting copy of this process, checked out on first need.
  let listener: Promise<PostgresPoolClient | undefined> | undefined;
  function listening(): Promise<PostgresPoolClient | undefined> {
    listener ??= (async () => {
      const client = await pool.connect();
      const drop = (error: Error) => {
        onError(error);
        listener = undefined; // the next waiting copy checks out a new one; this one polls
        client.release(error);
      };
      client.on("error", drop);
      client.on("notification", ({ payload }) => {
        for (const wake of waiting.get(payload ?? "") ?? []) wake();
      });
      try {
        await client.query(`LISTEN ${channel}`);
      } catch (error) {
        drop(error as Error);
        return undefined;
      }
      return client;
    })().catch((error: unknown) => {
      onError(error);
      listener = undefined;
      return undefined;
    });
    return listener;
  }

  async function settled(key: string): Promise<DedupeSettlement> {
    const digest = digestOf(key);
    let wake: () => void = () => undefined;
    const onNotify = () => wake();
    const wakers = waiting.get(digest) ?? new Set();
    waiting.set(digest, wakers.add(onNotify));
    try {
      await listening(); // listening before the first read: a settlement after it is heard
      for (;;) {
        const { rows } = await pool.query(waitSql, [digest]);
        if (rows.length === 0) {
          const state = await pool.query(stateSql, [digest]);
          return state.rows[0]?.state === "completed" ? "completed" : "released";
        }
        const waitMs = Math.min(fallbackPollMs, Math.max(1, Number(rows[0].left_ms) + 1));
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, waitMs);
          wake = () => (clearTimeout(timer), resolve());
        });
      }
    } finally {
      wakers.delete(onNotify);
      if (wakers.size === 0) waiting.delete(digest);
    }
  }

  return {
    async claim(key: string): Promise<DedupeClaim> {
      const token = randomUUID();
      const { rows } = await pool.query(claimSql, [digestOf(key), "held", token, leaseMs]);
      const row = rows[0] as { state: string; mine: boolean };
      if (row.mine) {
        tokens.set(key, token);
        return "acquired";
      }
      return row.state === "completed" ? "completed" : "in-progress";
    },
    async complete(key: string): Promise<void> {
      const token = tokens.get(key);
      tokens.delete(key);
      const { rows } = await pool.query(completeSql, [digestOf(key), token ?? null, ttlMs]);
      if (Number(rows[0].completed) === 1) return;
      throw new DedupeLeaseLostError();
    },
    async release(key: string): Promise<void> {
      const token = tokens.get(key);
      tokens.delete(key);
      if (token !== undefined) await pool.query(releaseSql, [digestOf(key), token]);
    },
    settled,
    async close() {
      const client = await listener;
      listener = undefined;
      if (client) {
        await client.query(`UNLISTEN ${channel}`).catch(onError);
        client.release();
      }
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Transactional mode: claim, handler and completion in one transaction.

// Thrown by work: kept apart from the store's own failures, which answer 503 rather than 500.
class WorkFailure {
  constructor(readonly error: unknown) {}
}

function transactionalHandleOnce<Client extends PostgresPoolClient>(
  pool: PostgresPool<Client>,
  ttlMs: number,
  waitMs: number,
) {
  return async (
    key: string,
    work: (transaction: Client) => Promise<void>,
    report: (error: unknown) => void,
  ): Promise<OnceResult> => {
    let client: Client;
    try {
      client = await pool.connect();
    } catch (error) {
      report(error);
      return "unavailable";
    }
    let broken: Error | undefined;
    let open = false;
    // A connection that dies while checked out emits "error" on its client (and an unheard
    // "error" would end the process); the query in flight rejects too, and is answered there.
    const onConnectionError = (error: Error) => (broken = error);
    client.on("error", onConnectionError);
    try {
      await client.query(`BEGIN; SET LOCAL lock_timeout = ${waitMs}`);
      open = true;
      // A completed row straight away: until the commit nobody sees it, and a copy's claim waits
      // on its lock; a rollback (or a crash) removes it with the handler's writes.
      const { rows } = await client.query(claimSql, [digestOf(key), "completed", randomUUID(), ttlMs]);
      const row = rows[0] as { state: string; mine: boolean };
      if (!row.mine) {
        await client.query("ROLLBACK");
        open = false;
        // Completed by a committed copy; or held by a lease-mode store sharing the table.
        return row.state === "completed" ? "duplicate" : "busy";
      }
      try {
        await work(client);
      } catch (error) {
        throw new WorkFailure(error);
      }
      const commit = await client.query("COMMIT");
      open = false;
      // COMMIT of a transaction a failed statement aborted answers ROLLBACK, without an error.
      if (commit.command === "ROLLBACK") {
        throw new WorkFailure(
          new Error(
            "the handler's transaction was rolled back: one of its statements failed (its error was caught); nothing was recorded",
          ),
        );
      }
      return "handled";
    } catch (error) {
      if (open) {
        await client.query("ROLLBACK").catch((rollbackError: Error) => (broken = rollbackError));
      }
      if (error instanceof WorkFailure) throw error.error;
      // 55P03 lock_not_available: another copy's transaction held the key longer than waitMs.
      if ((error as { code?: string })?.code === "55P03") return "busy";
      broken = error as Error;
      report(error);
      return "unavailable";
    } finally {
      client.removeListener("error", onConnectionError);
      client.release(broken);
    }
  };
}

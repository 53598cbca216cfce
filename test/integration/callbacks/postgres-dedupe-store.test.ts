// createPostgresDedupeStore against the real PostgreSQL server (DATABASE_URL, default
// 127.0.0.1:5432/test). Two pools stand for two processes sharing the store; the table lives in
// this run's own schema (the pools' search_path), dropped at the end.
import { createHash } from "node:crypto";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, expectTypeOf, it, vi } from "vitest";
import {
  createPostgresDedupeStore,
  type PostgresLeaseDedupeStore,
  type PostgresTransactionalDedupeStore,
} from "../../../src/callbacks/postgres.js";
import { createCallbackHandler } from "../../../src/callbacks/receiver.js";
import { closedPort } from "../../support/closed-port.js";
import { describeSharedStoreContract, freshKey } from "./shared-store-contract.js";
import { createRunSchema, dropRunData, runName, schemaPool } from "../../support/services.js";
import { specExample } from "../../support/spec-document.js";
import { credentials } from "../../unit/callbacks/signed-callback.js";

const schema = runName();
let first: pg.Pool;
let second: pg.Pool;
const stores: { close(): Promise<void> }[] = [];

beforeAll(async () => {
  await createRunSchema(schema);
  [first, second] = [schemaPool(schema), schemaPool(schema)];
  // Three processes starting at once each run the migration.
  await Promise.all([first, second, first].map((pool) => createPostgresDedupeStore({ pool }).migrate()));
  await first.query("CREATE TABLE effects (device text NOT NULL)");
});
afterAll(async () => {
  await Promise.all(stores.map((store) => store.close()));
  await Promise.all([first.end(), second.end()]);
  await dropRunData({ schema });
});

describeSharedStoreContract("createPostgresDedupeStore in lease mode", (process, options) =>
  leaseStore(process === "a" ? first : second, options),
);

function leaseStore(pool: pg.Pool, options: { leaseMs?: number; fallbackPollMs?: number; ttlMs?: number } = {}) {
  const store = createPostgresDedupeStore({ pool, sweepIntervalMs: 0, ...options });
  stores.push(store);
  return store;
}

function transactionalStore(pool: pg.Pool, waitMs?: number) {
  const store = createPostgresDedupeStore({ pool, transactional: true, sweepIntervalMs: 0, waitMs });
  stores.push(store);
  return store;
}

const rowCount = async (sql: string, values: unknown[] = []) => (await first.query(sql, values)).rowCount;

describe("createPostgresDedupeStore, lease mode", () => {
  it("migrates: the table and its index, in the connection's schema", async () => {
    const { rows } = await first.query(
      "SELECT tablename, indexname FROM pg_indexes WHERE schemaname = $1 AND tablename = 'thingspace_callback_dedupe' ORDER BY indexname",
      [schema],
    );
    expect(rows).toEqual([
      { tablename: "thingspace_callback_dedupe", indexname: "thingspace_callback_dedupe_expires_at" },
      { tablename: "thingspace_callback_dedupe", indexname: "thingspace_callback_dedupe_pkey" },
    ]);
  });

  it("remembers a completed key for ttlMs, under the key's SHA-256", async () => {
    const store = leaseStore(first, { ttlMs: 600_000 });
    const key = freshKey();
    expect(await store.claim(key)).toBe("acquired");
    await store.complete(key);
    const { rows } = await first.query(
      "SELECT state, owner, extract(epoch FROM expires_at - now()) AS left FROM thingspace_callback_dedupe WHERE key_digest = $1",
      [createHash("sha256").update(key).digest("base64url")],
    );
    expect(rows).toHaveLength(1);
    expect([rows[0].state, rows[0].owner]).toEqual(["completed", null]);
    expect(Number(rows[0].left)).toBeGreaterThan(590);
    expect(Number(rows[0].left)).toBeLessThanOrEqual(600);
  });

  it("deletes the rows past their time, and only those", async () => {
    const store = leaseStore(first, { ttlMs: 1 });
    await first.query("DELETE FROM thingspace_callback_dedupe");
    const [old, fresh] = [freshKey(), freshKey()];
    await store.claim(old);
    await store.complete(old);
    await first.query("UPDATE thingspace_callback_dedupe SET expires_at = now() - interval '2 minutes'");
    await leaseStore(first).claim(fresh);
    expect(await store.deleteExpired()).toBe(1);
    expect(await rowCount("SELECT 1 FROM thingspace_callback_dedupe")).toBe(1);
    expect(await store.deleteExpired()).toBe(0);
  });

  it("checks its options", async () => {
    expect(() => createPostgresDedupeStore({ pool: {} as never })).toThrow(
      "pool must be a pg Pool: `new pg.Pool({ connectionString })`",
    );
    expect(() => createPostgresDedupeStore({ pool: first, leaseMs: -1 })).toThrow(
      "leaseMs must be a positive number of milliseconds",
    );
    expect(() => createPostgresDedupeStore({ pool: first, transactional: true, waitMs: 0 })).toThrow(
      "waitMs must be a positive number of milliseconds",
    );
  });
});

// ---------------------------------------------------------------------------------------------

const body = (n: number) =>
  JSON.stringify({
    ...specExample<Record<string, unknown>>("CarrierServiceActivateSucceeded"),
    requestId: `${schema}-${n}`,
    ...credentials,
  });
const post = (n: number) =>
  new Request("http://127.0.0.1/", { method: "POST", headers: { "content-type": "application/json" }, body: body(n) });
const effects = async (n: number) =>
  Number((await first.query("SELECT count(*) FROM effects WHERE device = $1", [`${schema}-${n}`])).rows[0].count);
let callbacks = 0;

describe("createPostgresDedupeStore, transactional mode", () => {
  /** A receiver whose handler writes its effect through the store's transaction. */
  function receiver(
    store: PostgresTransactionalDedupeStore<pg.PoolClient>,
    afterWrite: (client: pg.PoolClient) => Promise<void> = async () => undefined,
  ) {
    const onError = vi.fn();
    const handler = createCallbackHandler({
      credentials,
      dedupeStore: store,
      handlers: {
        activateSucceeded: async (callback, { transaction }) => {
          await transaction.query("INSERT INTO effects (device) VALUES ($1)", [callback.requestId]);
          await afterWrite(transaction);
        },
      },
      onError,
    });
    return { handler, onError };
  }
  const statusOf = async (response: Response) => [response.status, ((await response.json()) as any).status];

  it("hands the handler a pg client typed as the pool's", () => {
    const store = transactionalStore(first);
    createCallbackHandler({
      credentials,
      dedupeStore: store,
      onCallback: (_callback, context) => expectTypeOf(context.transaction).toEqualTypeOf<pg.PoolClient>(),
    });
    expectTypeOf(createPostgresDedupeStore({ pool: first })).toEqualTypeOf<PostgresLeaseDedupeStore>();
  });

  it("commits the handler's write with the completion: a redelivery to another process is a duplicate", async () => {
    const n = ++callbacks;
    const [one, two] = [receiver(transactionalStore(first)), receiver(transactionalStore(second))];
    expect(await statusOf(await one.handler(post(n)))).toEqual([200, "handled"]);
    expect(await statusOf(await two.handler(post(n)))).toEqual([200, "duplicate"]);
    expect(await effects(n)).toBe(1);
  });

  it("rolls the write back when the handler throws; the redelivery handles it once", async () => {
    const n = ++callbacks;
    let fail = true;
    const store = transactionalStore(first);
    const { handler } = receiver(store, async () => {
      if (fail) throw new Error("downstream failed");
    });
    expect((await handler(post(n))).status).toBe(500);
    expect(await effects(n)).toBe(0);
    fail = false;
    expect(await statusOf(await handler(post(n)))).toEqual([200, "handled"]);
    expect(await effects(n)).toBe(1);
  });

  it("leaves neither write nor completion when the connection dies between the write and the commit", async () => {
    const n = ++callbacks;
    let crash = true;
    const { handler, onError } = receiver(transactionalStore(first), async (client) => {
      if (!crash) return;
      crash = false;
      const { rows } = await client.query("SELECT pg_backend_pid() AS pid");
      await second.query("SELECT pg_terminate_backend($1)", [rows[0].pid]);
    });
    const crashed = await handler(post(n));
    expect([crashed.status, ((await crashed.json()) as any).error]).toEqual([503, "store_unavailable"]);
    expect(onError.mock.calls[0]![1].stage).toBe("store");
    expect(await effects(n)).toBe(0);
    expect(await statusOf(await handler(post(n)))).toEqual([200, "handled"]);
    expect(await effects(n)).toBe(1);
  });

  /** A handler step that stops after the write until `open()`, and says when it got there. */
  function pausedAfterWrite() {
    let open!: () => void;
    let reached!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    const wrote = new Promise<void>((resolve) => (reached = resolve));
    return { open, wrote, step: () => (reached(), gate) };
  }
  const lockWaits = () =>
    rowCount("SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'");

  it("makes a concurrent copy wait for the first's commit, then answers it as a duplicate", async () => {
    const n = ++callbacks;
    const paused = pausedAfterWrite();
    const [one, two] = [receiver(transactionalStore(first), paused.step), receiver(transactionalStore(second))];
    const firstAnswer = one.handler(post(n));
    await paused.wrote;
    expect(await effects(n)).toBe(0); // not visible before the commit
    const secondAnswer = two.handler(post(n));
    await vi.waitFor(async () => expect(await lockWaits()).toBe(1), { timeout: 5_000 });
    paused.open();
    expect(await statusOf(await firstAnswer)).toEqual([200, "handled"]);
    expect(await statusOf(await secondAnswer)).toEqual([200, "duplicate"]);
    expect(await effects(n)).toBe(1);
  });

  it("answers a copy 503 in_progress when the first holds the callback longer than waitMs", async () => {
    const n = ++callbacks;
    const paused = pausedAfterWrite();
    const [one, two] = [receiver(transactionalStore(first), paused.step), receiver(transactionalStore(second, 100))];
    const firstAnswer = one.handler(post(n));
    await paused.wrote;
    const busy = await two.handler(post(n));
    expect([busy.status, ((await busy.json()) as any).error]).toEqual([503, "in_progress"]);
    paused.open();
    expect(await statusOf(await firstAnswer)).toEqual([200, "handled"]);
    expect(await effects(n)).toBe(1);
  });

  it("answers 500 and records nothing when the handler swallowed a failed statement (COMMIT rolls back)", async () => {
    const n = ++callbacks;
    const { handler, onError } = receiver(transactionalStore(first), async (client) => {
      await client.query("SELECT 1 / 0").catch(() => undefined);
    });
    expect((await handler(post(n))).status).toBe(500);
    expect(String(onError.mock.calls[0]![0])).toBe(
      "Error: the handler's transaction was rolled back: one of its statements failed (its error was caught); nothing was recorded",
    );
    expect(await effects(n)).toBe(0);
  });

  it("answers 503 store_unavailable and reports it when PostgreSQL cannot be reached", async () => {
    const unreachable = new pg.Pool({ host: "127.0.0.1", port: await closedPort(), user: "postgres" });
    const { handler, onError } = receiver(transactionalStore(unreachable));
    const response = await handler(post(++callbacks));
    expect([response.status, ((await response.json()) as any).error]).toEqual([503, "store_unavailable"]);
    expect(onError.mock.calls[0]![1].stage).toBe("store");
    expect(String(onError.mock.calls[0]![0])).toMatch(/ECONNREFUSED/);
    await unreachable.end();
  });
});

/**
 * One replica of a callback listener, run as its own process by the replica rig
 * (`node --import tsx replica-receiver.ts`): the receiver behind the node adapter on 127.0.0.1,
 * with the dedupe store named by STORE, and a handler whose effect is a row in the table
 * `effects` of PostgreSQL (schema RUN): one row per time the handler ran, with the replica's
 * incarnation, so the rig counts what was handled twice or never.
 *
 * Environment: STORE (memory | redis | postgres | postgres-transactional), RUN (key prefix and
 * schema), PORT (0: any), INCARNATION (a label written with each effect), CALLBACK_USERNAME and
 * CALLBACK_PASSWORD (the registered pair), LEASE_MS (claims of the
 * shared stores), REDIS_URL, DATABASE_URL, and KILL_AFTER_EFFECT: when set to n, the process
 * SIGKILLs itself right after its n-th effect was written, before the handler returns (so before
 * the completion is recorded and before the answer). Prints the port, then serves until killed
 * or until stdin closes.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import pg from "pg";
import { createClient } from "redis";
import {
  createCallbackHandler,
  createMemoryDedupeStore,
  createNodeCallbackListener,
  type AnyDedupeStore,
} from "../../../src/callbacks/index.js";
import { createPostgresDedupeStore } from "../../../src/callbacks/postgres.js";
import { createRedisDedupeStore } from "../../../src/callbacks/redis.js";

const env = (name: string): string => {
  const value = process.env[name];
  if (value === undefined) throw new Error(`replica-receiver needs ${name}`);
  return value;
};
const run = env("RUN");
const incarnation = env("INCARNATION");
const leaseMs = Number(process.env.LEASE_MS ?? 2_000);
const killAfterEffect = Number(process.env.KILL_AFTER_EFFECT ?? 0);

const pool = new pg.Pool({
  connectionString: env("DATABASE_URL"),
  max: 8,
  options: `-c search_path=${run} -c synchronous_commit=off`,
});
const closers: (() => Promise<unknown>)[] = [() => pool.end()];

async function storeNamed(name: string): Promise<AnyDedupeStore<pg.PoolClient | undefined>> {
  switch (name) {
    case "memory":
      return createMemoryDedupeStore();
    case "redis": {
      const client = await createClient({ url: env("REDIS_URL") }).connect();
      const store = createRedisDedupeStore({ client, keyPrefix: `${run}:`, leaseMs });
      closers.push(
        () => store.close(),
        () => client.close(),
      );
      return store;
    }
    case "postgres": {
      const store = createPostgresDedupeStore({ pool, leaseMs, sweepIntervalMs: 0 });
      closers.unshift(() => store.close());
      return store;
    }
    case "postgres-transactional":
      return createPostgresDedupeStore({ pool, transactional: true, sweepIntervalMs: 0 });
    default:
      throw new Error(`unknown STORE ${name}`);
  }
}

let effects = 0;
const handler = createCallbackHandler({
  service: "CarrierService",
  credentials: { username: env("CALLBACK_USERNAME"), password: env("CALLBACK_PASSWORD") },
  dedupeStore: await storeNamed(env("STORE")),
  handlers: {
    // The effect: through the store's transaction where it has one, else straight to the table.
    activateSucceeded: async (callback, { transaction }) => {
      await (transaction ?? pool).query("INSERT INTO effects (callback, incarnation) VALUES ($1, $2)", [
        callback.deviceKey,
        incarnation,
      ]);
      effects += 1;
      if (effects === killAfterEffect) process.kill(process.pid, "SIGKILL");
    },
  },
});

const server = createServer({ keepAliveTimeout: 30_000 }, createNodeCallbackListener(handler));
server.listen(Number(process.env.PORT ?? 0), "127.0.0.1", () => {
  console.log((server.address() as AddressInfo).port);
});
process.stdin.on("close", () => {
  server.close();
  server.closeAllConnections();
  void Promise.all(closers.map((close) => close())).finally(() => process.exit(0));
});
process.stdin.resume();

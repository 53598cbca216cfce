/**
 * #8: the callback receiver with each shared dedupe store (issue #14) beside the same receiver
 * with the in-process memory store, over loopback HTTP under autocannon, as #5 measures it.
 *
 * Setup as #5: each receiver in its own child process (bench/callback-receiver-server.ts), the
 * load generator in the runner, loaded one after the other, memory store first, for `rounds`
 * rounds; figures are medians. Redis and PostgreSQL run on this machine too (REDIS_URL,
 * DATABASE_URL), so their work competes for the same two cores as the receivers'. Every request is
 * a new callback: each costs a claim and a completion in the store (the handler does nothing).
 * The run's keys and schema are its own and deleted at the end.
 */
import type { BenchCase } from "../case.js";
import { loadInTurns } from "./callback-receiver-load.js";
import { createPostgresDedupeStore } from "../../src/callbacks/postgres.js";
import { createRunSchema, dropRunData, runName, schemaPool } from "../../test/support/services.js";

const seconds = 3;
const rounds = 3;
const stores = {
  memory: "receiver",
  redis: "receiver-redis",
  postgres: "receiver-postgres",
  "postgres transactional": "receiver-postgres-transactional",
} as const;
type Store = keyof typeof stores;

export const callbackReceiverStores: BenchCase = {
  id: 8,
  async run() {
    const run = runName();
    await createRunSchema(run);
    const pool = schemaPool(run, 1);
    await createPostgresDedupeStore({ pool, sweepIntervalMs: 0 }).migrate();
    await pool.end();
    const modes = Object.values(stores);
    let loads: Awaited<ReturnType<typeof loadInTurns<(typeof modes)[number]>>>;
    try {
      loads = await loadInTurns(modes, { rounds, durationSeconds: seconds, env: { RUN: run } });
    } finally {
      await dropRunData({ prefix: `${run}:`, schema: run });
    }
    const redisRatio = loads.ratio(stores.redis);
    const line = (name: Store) =>
      `${name}: ${loads.ratio(stores[name]).toFixed(2)}× the memory store's throughput (${loads.rps(stores[name]).toFixed(0)} requests/s), p99 ${loads.p99(stores[name])} ms`;
    return {
      id: 8,
      what: "the callback receiver with each shared dedupe store (Redis; PostgreSQL lease and transactional), over loopback HTTP under autocannon",
      baseline: "the same receiver with the in-process memory store",
      target: "Redis ≥ 0.7× the throughput; p99 reported",
      figures: [
        line("redis"),
        line("postgres"),
        line("postgres transactional"),
        `memory store: ${loads.rps(stores.memory).toFixed(0)} requests/s, p99 ${loads.p99(stores.memory)} ms`,
        `50 connections, ${rounds} alternating rounds of ${seconds} s each; receivers in child processes, Redis 7 and PostgreSQL 15 on the same machine`,
      ],
      met: redisRatio >= 0.7,
      note:
        "Each callback costs the Redis store two round trips (the claim, a native SET NX PX, and the completion, one Lua script; node-redis pipelines the commands of concurrent requests on its one connection), and the PostgreSQL stores a claim and a completion statement (lease mode) or BEGIN, the claim and COMMIT on one pooled connection (transactional mode), each commit waiting for the write-ahead log to reach the disk (3-6 ms here). " +
        "What bounds Redis: it runs on the same two cores as the receiver and autocannon, so its own work is part of the figure; in the receiver, a CPU profile puts node-redis at about 5% of the time, a third of it the AbortSignal.timeout that node-redis 6 creates for every command (its default 5 s command timeout, which the store leaves as the user configured it). On a machine of its own Redis costs the receiver only the round trips.",
    };
  },
};

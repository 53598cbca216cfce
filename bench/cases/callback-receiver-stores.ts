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
import { median } from "../harness.js";
import { bodyMaker, load, startServer, stopServer, type Load } from "./callback-receiver-load.js";
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
    const names = Object.keys(stores) as Store[];
    const results = Object.fromEntries(names.map((name) => [name, [] as Load[]])) as Record<Store, Load[]>;
    const nextBody = bodyMaker();
    try {
      const servers = await Promise.all(names.map((name) => startServer(stores[name], { RUN: run })));
      try {
        for (const server of servers) await load(server.url, 1, nextBody);
        for (let round = 0; round < rounds; round++) {
          for (const [i, name] of names.entries()) results[name].push(await load(servers[i]!.url, seconds, nextBody));
        }
      } finally {
        await Promise.all(servers.map(stopServer));
      }
    } finally {
      await dropRunData({ prefix: `${run}:`, schema: run });
    }
    const ratioTo = (name: Store) =>
      median(results[name].map((r, i) => r.requestsPerSecond / results.memory[i]!.requestsPerSecond));
    const pick = (name: Store) => ({
      rps: median(results[name].map((r) => r.requestsPerSecond)),
      p99: median(results[name].map((r) => r.p99)),
    });
    const memory = pick("memory");
    const redisRatio = ratioTo("redis");
    const line = (name: Store) => {
      const { rps, p99 } = pick(name);
      return `${name}: ${ratioTo(name).toFixed(2)}× the memory store's throughput (${rps.toFixed(0)} requests/s), p99 ${p99} ms`;
    };
    return {
      id: 8,
      what: "the callback receiver with each shared dedupe store (Redis; PostgreSQL lease and transactional), over loopback HTTP under autocannon",
      baseline: "the same receiver with the in-process memory store",
      target: "Redis ≥ 0.7× the throughput; p99 reported",
      figures: [
        line("redis"),
        line("postgres"),
        line("postgres transactional"),
        `memory store: ${memory.rps.toFixed(0)} requests/s, p99 ${memory.p99} ms`,
        `50 connections, ${rounds} alternating rounds of ${seconds} s each; receivers in child processes, Redis 7 and PostgreSQL 15 on the same machine`,
      ],
      met: redisRatio >= 0.7,
      note:
        "Each callback costs the Redis store two round trips (a claim and a completion, each one Lua script; node-redis pipelines the commands of concurrent requests on its one connection), and the PostgreSQL stores a claim and a completion statement (lease mode) or BEGIN, the claim and COMMIT on one pooled connection (transactional mode), each commit waiting for the write-ahead log to reach the disk. " +
        "Redis and PostgreSQL run on the same two cores as the receiver and autocannon, so their own work is part of the figure; on a machine of their own the stores cost the receiver only the round trips.",
    };
  },
};

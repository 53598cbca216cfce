/**
 * The Redis and PostgreSQL servers the tests talk to (`REDIS_URL`, `DATABASE_URL`; by default the
 * ones every machine of the project runs on loopback), and a name of this run's own, so that
 * runs never see each other's keys or tables: every Redis key starts with `runPrefix`, every table
 * lives in the schema `runSchema`. `dropRunData` removes both.
 */
import { randomBytes } from "node:crypto";
import pg from "pg";
import { createClient } from "redis";

export const redisUrl = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
export const databaseUrl = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";

/** A fresh name per test file and run: `t_<pid>_<random>`, valid as a schema name and a key prefix. */
export function runName(): string {
  return `t_${process.pid}_${randomBytes(4).toString("hex")}`;
}

/** A connected node-redis client on `redisUrl`. */
export async function connectRedis() {
  return createClient({ url: redisUrl }).connect();
}

/** Creates `schema` for this run's tables. */
export async function createRunSchema(schema: string): Promise<void> {
  const setup = new pg.Client({ connectionString: databaseUrl });
  await setup.connect();
  try {
    await setup.query(`CREATE SCHEMA ${schema}`);
  } finally {
    await setup.end();
  }
}

/** A pg pool whose connections work in `schema` (its tables found without qualification). */
export function schemaPool(schema: string, max = 10): pg.Pool {
  return new pg.Pool({ connectionString: databaseUrl, max, options: `-c search_path=${schema}` });
}

/** Deletes every Redis key under `prefix` and drops `schema`, whichever the test used. */
export async function dropRunData({ prefix, schema }: { prefix?: string; schema?: string }): Promise<void> {
  if (prefix !== undefined) {
    const redis = await connectRedis();
    try {
      for await (const keys of redis.scanIterator({ MATCH: `${prefix}*`, COUNT: 1000 })) {
        if (keys.length > 0) await redis.del(keys);
      }
    } finally {
      await redis.close();
    }
  }
  if (schema !== undefined) {
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    try {
      await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    } finally {
      await client.end();
    }
  }
}

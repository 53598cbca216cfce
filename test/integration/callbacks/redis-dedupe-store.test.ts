// createRedisDedupeStore against the real Redis server (REDIS_URL, default 127.0.0.1:6379). Two
// store instances over two connections stand for two processes sharing the store; every key of
// this run lives under its own prefix and is deleted at the end.
import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createCallbackHandler } from "../../../src/callbacks/receiver.js";
import { createRedisDedupeStore } from "../../../src/callbacks/redis.js";
import { describeSharedStoreContract, freshKey } from "./shared-store-contract.js";
import { connectRedis, dropRunData, runName } from "../../support/services.js";
import { signedCallback, credentials } from "../../unit/callbacks/signed-callback.js";

type Client = Awaited<ReturnType<typeof connectRedis>>;
const prefix = `${runName()}:`;
let first: Client;
let second: Client;
const stores: { close(): Promise<void> }[] = [];

beforeAll(async () => {
  [first, second] = await Promise.all([connectRedis(), connectRedis()]);
});
afterAll(async () => {
  await Promise.all(stores.map((store) => store.close()));
  await Promise.all([first.close(), second.close()]);
  await dropRunData({ prefix });
});

/** A store as one process sees it: its own connection, this run's prefix. */
function storeOn(client: Client, options: { leaseMs?: number; ttlMs?: number; fallbackPollMs?: number } = {}) {
  const store = createRedisDedupeStore({ client, keyPrefix: prefix, ...options });
  stores.push(store);
  return store;
}

/** The one Redis key a callback key is stored under (the run's prefix, then a SHA-256). */
async function storedKeys(): Promise<string[]> {
  const found: string[] = [];
  for await (const page of first.scanIterator({ MATCH: `${prefix}*` })) found.push(...page);
  return found;
}

describeSharedStoreContract("createRedisDedupeStore", (process, options) =>
  storeOn(process === "a" ? first : second, options),
);

describe("createRedisDedupeStore", () => {
  it("remembers a completed key for ttlMs, as `done` under the prefix and the key's SHA-256", async () => {
    const store = storeOn(first, { ttlMs: 600_000 });
    const key = freshKey();
    expect(await store.claim(key)).toBe("acquired");
    await store.complete(key);
    const stored = prefix + createHash("sha256").update(key).digest("base64url");
    expect(await first.get(stored)).toBe("done");
    const ttl = await first.pTTL(stored);
    expect(ttl).toBeGreaterThan(590_000);
    expect(ttl).toBeLessThanOrEqual(600_000);
  });

  it("stores a bounded key whatever the callback key holds", async () => {
    const store = storeOn(first);
    const before = new Set(await storedKeys());
    const key = `r\ncontent:${"x".repeat(60_000)}\nactivateSucceeded`;
    expect(await store.claim(key)).toBe("acquired");
    const added = (await storedKeys()).filter((k) => !before.has(k));
    expect(added).toHaveLength(1);
    expect(added[0]).toMatch(new RegExp(`^${prefix}[A-Za-z0-9_-]{43}$`));
    expect(await first.get(added[0]!)).toMatch(/^held:[0-9a-f-]{36}$/);
    await store.release(key);
  });

  it("loads its scripts again after the server forgot them (SCRIPT FLUSH)", async () => {
    const store = storeOn(first);
    const key = freshKey();
    expect(await store.claim(key)).toBe("acquired");
    await first.scriptFlush();
    await store.complete(key);
    expect(await store.claim(key)).toBe("completed");
  });

  it("checks its options", () => {
    expect(() => createRedisDedupeStore({ client: {} as never })).toThrow(
      "client must be a connected node-redis client: `await createClient({ url }).connect()`",
    );
    expect(() => createRedisDedupeStore({ client: first, leaseMs: 0 })).toThrow(
      "leaseMs must be a positive number of milliseconds",
    );
  });
});

describe("the receiver over the Redis store", () => {
  it("answers a copy sent to another replica as a duplicate, the handler having run once", async () => {
    const handled = vi.fn();
    const replica = (client: Client) =>
      createCallbackHandler({
        credentials,
        service: "CarrierService",
        dedupeStore: storeOn(client),
        onCallback: handled,
      });
    const [one, two] = [replica(first), replica(second)];
    // The example's requestId is shared with other tests of this run: make it this test's own.
    const body = (await signedCallback("CarrierServiceActivateSucceeded").text()).replace(
      /"requestId":"[^"]+"/,
      `"requestId":"${prefix}replicas"`,
    );
    const post = () =>
      new Request("http://127.0.0.1/", { method: "POST", headers: { "content-type": "application/json" }, body });
    const [a, b] = await Promise.all([one(post()), two(post())]);
    const answers = [await a.json(), await b.json()].map((answer: { status: string }) => answer.status).sort();
    expect([a.status, b.status, answers]).toEqual([200, 200, ["duplicate", "handled"]]);
    expect(handled).toHaveBeenCalledTimes(1);
  });

  it("answers 503 store_unavailable and reports the Redis error when the store cannot be reached", async () => {
    const closed = await connectRedis();
    const store = createRedisDedupeStore({ client: closed, keyPrefix: prefix });
    await closed.close();
    const onError = vi.fn();
    const handled = vi.fn();
    const handler = createCallbackHandler({ credentials, dedupeStore: store, onCallback: handled, onError });
    const response = await handler(signedCallback("CarrierServiceActivateSucceeded"));
    expect([response.status, await response.json()]).toEqual([
      503,
      {
        error: "store_unavailable",
        message: "the callback could not be checked against those handled; send it again later",
      },
    ]);
    expect(handled).not.toHaveBeenCalled();
    expect(onError).toHaveBeenCalledTimes(1);
    expect(onError.mock.calls[0]![1]).toEqual({
      stage: "store",
      kind: "activateSucceeded",
      requestId: expect.any(String),
      deviceKey: expect.any(String),
    });
    expect(String(onError.mock.calls[0]![0])).toBe("Error: The client is closed");
  });
});

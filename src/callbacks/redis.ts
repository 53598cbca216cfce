/**
 * `thingspace-m2m/callbacks/redis`: a `DedupeStore` on Redis, shared by every replica of a
 * callback listener, surviving their restarts and crashes.
 *
 * - A claim is a key set only if absent (`SET … NX PX`, value `held:<owner token>`) with a
 *   lease: whoever set it holds the callback; a holder that crashes stops holding it when the lease lapses, and
 *   the next copy ThingSpace sends takes over.
 * - Completing and releasing are Lua scripts that act only while the caller's token is the one
 *   stored (never read-then-write from here): a holder whose lease lapsed and was taken over
 *   cannot overwrite its successor. A completed key (`done`) is forgotten after `ttlMs`.
 * - A copy that finds the key held waits on a pub/sub channel of its own key (published by
 *   complete and release), and re-reads the key at least every `fallbackPollMs` and when the
 *   lease ends, so a lost message or a lapsed lease never leaves it waiting.
 *
 * Keys and channels are `keyPrefix` + the SHA-256 of the callback's key (base64url), so their
 * size is bounded whatever the callback carries. Works with node-redis (`redis`, v5 and later);
 * the store sends commands through the client you connected and opens one more connection
 * (`client.duplicate()`) for pub/sub, when a copy first has to wait.
 */
import { createHash, randomUUID } from "node:crypto";
import { positiveOption } from "../shared/spec.js";
import { DedupeLeaseLostError, type DedupeClaim, type DedupeSettlement, type DedupeStore } from "./dedupe.js";

/** A subscriber connection: what the store uses of a node-redis client made by `duplicate()`. */
export interface RedisSubscriberConnection {
  connect(): Promise<unknown>;
  subscribe(channel: string, listener: (message: string, channel: string) => void): Promise<unknown>;
  unsubscribe(channel: string, listener: (message: string, channel: string) => void): Promise<unknown>;
  on(event: "error", listener: (error: Error) => void): unknown;
  close(): Promise<unknown>;
}

/** What the store uses of a connected node-redis client (`createClient(...).connect()`). */
export interface RedisDedupeClient {
  sendCommand(args: readonly string[]): Promise<unknown>;
  duplicate(): RedisSubscriberConnection;
}

/** Options of `createRedisDedupeStore`. */
export interface RedisDedupeStoreOptions {
  /** A connected node-redis client (`await createClient({ url }).connect()`); it stays yours to close. */
  readonly client: RedisDedupeClient;
  /** Prefix of every key and channel the store writes. Default `"thingspace-m2m:dedupe:"`. */
  readonly keyPrefix?: string;
  /** How long a handled callback is remembered. Default 24 hours (redeliveries span ~20 minutes). */
  readonly ttlMs?: number;
  /**
   * How long a claim holds before it lapses: keep it above your handler's longest run. A copy
   * of a callback whose holder crashed is handled again once this has passed. Default 60 s.
   */
  readonly leaseMs?: number;
  /** Longest wait between two reads of a key a copy waits for, should a message be lost. Default 1 s. */
  readonly fallbackPollMs?: number;
  /** Told of failures outside a request (the pub/sub connection); waiting copies fall back to polling. */
  readonly onError?: (error: unknown) => void;
}

/** A `DedupeStore` on Redis; `close()` closes the pub/sub connection it opened (not your client). */
export interface RedisDedupeStore extends DedupeStore {
  settled(key: string): Promise<DedupeSettlement>;
  close(): Promise<void>;
}

// ---------------------------------------------------------------------------------------------
// The scripts: each reads and writes one key atomically on the server. KEYS[1] is the key,
// ARGV[1] the owner token, ARGV[2] a duration in ms, ARGV[3] the settlement channel. (A claim is
// the plain `SET … NX PX`: one native command costs the server less than a script, and a claim
// that finds the key, the rare case, reads it with a second command.)

interface Script {
  readonly source: string;
  readonly sha1: string;
}

const script = (source: string): Script => ({ source, sha1: createHash("sha1").update(source).digest("hex") });

// A key whose lease lapsed and was not taken over is completed too: the handler's effect exists.
const completeScript = script(`
local current = redis.call('GET', KEYS[1])
if current == 'done' then return 1 end
if current and current ~= 'held:' .. ARGV[1] then return 0 end
redis.call('SET', KEYS[1], 'done', 'PX', ARGV[2])
redis.call('PUBLISH', ARGV[3], 'completed')
return 1`);

const releaseScript = script(`
if redis.call('GET', KEYS[1]) == 'held:' .. ARGV[1] then
  redis.call('DEL', KEYS[1])
  redis.call('PUBLISH', ARGV[3], 'released')
end
return 1`);

// What a waiting copy reads: the value and the milliseconds its lease has left.
const stateScript = script(`return { redis.call('GET', KEYS[1]) or '', redis.call('PTTL', KEYS[1]) }`);

/** Creates a Redis-backed `DedupeStore` over a connected node-redis client. */
export function createRedisDedupeStore(options: RedisDedupeStoreOptions): RedisDedupeStore {
  const { client } = options;
  if (typeof client?.sendCommand !== "function" || typeof client.duplicate !== "function") {
    throw new TypeError("client must be a connected node-redis client: `await createClient({ url }).connect()`");
  }
  const keyPrefix = options.keyPrefix ?? "thingspace-m2m:dedupe:";
  if (typeof keyPrefix !== "string") throw new TypeError("keyPrefix must be a string");
  const ttlMs = Math.round(positiveOption("ttlMs", options.ttlMs, 24 * 60 * 60 * 1000, "milliseconds"));
  const leaseMs = Math.round(positiveOption("leaseMs", options.leaseMs, 60_000, "milliseconds"));
  const fallbackPollMs = positiveOption("fallbackPollMs", options.fallbackPollMs, 1_000, "milliseconds");
  const onError = options.onError ?? (() => undefined);

  // The token (and stored key) of each claim this process holds: complete and release act only with it.
  const claims = new Map<string, { readonly token: string; readonly storedKey: string }>();
  const redisKey = (key: string) => keyPrefix + createHash("sha256").update(key).digest("base64url");
  const channelOf = (storedKey: string) => `${storedKey}:settled`;

  async function run(source: Script, storedKey: string, ...args: string[]): Promise<unknown> {
    try {
      return await client.sendCommand(["EVALSHA", source.sha1, "1", storedKey, ...args]);
    } catch (error) {
      // The server does not have the script yet (first use, restart, SCRIPT FLUSH): send it whole.
      if (!String((error as Error)?.message).startsWith("NOSCRIPT")) throw error;
      return client.sendCommand(["EVAL", source.source, "1", storedKey, ...args]);
    }
  }

  // ----- pub/sub: one connection for every waiting copy in this process, opened on first need.
  let subscriber: Promise<RedisSubscriberConnection | undefined> | undefined;
  function subscriberConnection(): Promise<RedisSubscriberConnection | undefined> {
    subscriber ??= (async () => {
      const connection = client.duplicate();
      connection.on("error", onError);
      await connection.connect();
      return connection;
    })().catch((error: unknown) => {
      onError(error);
      subscriber = undefined; // try again for the next waiting copy; this one polls
      return undefined;
    });
    return subscriber;
  }

  async function settled(key: string): Promise<DedupeSettlement> {
    const storedKey = redisKey(key);
    const channel = channelOf(storedKey);
    let wake: () => void = () => undefined;
    const listener = () => wake();
    const connection = await subscriberConnection();
    // Subscribed before the first read: a settlement published after that read is heard.
    const subscribed = await connection?.subscribe(channel, listener).then(
      () => true,
      (error: unknown) => (onError(error), false),
    );
    try {
      for (;;) {
        const [value, leftMs] = (await run(stateScript, storedKey)) as [string, number];
        if (value === "done") return "completed";
        if (value === "") return "released"; // released, or its lease lapsed: the caller claims it
        const waitMs = Math.min(fallbackPollMs, Math.max(1, Number(leftMs) + 1));
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, waitMs);
          wake = () => (clearTimeout(timer), resolve());
        });
      }
    } finally {
      if (subscribed) connection!.unsubscribe(channel, listener).catch(onError);
    }
  }

  return {
    async claim(key): Promise<DedupeClaim> {
      const token = randomUUID();
      const storedKey = redisKey(key);
      for (;;) {
        const set = await client.sendCommand(["SET", storedKey, `held:${token}`, "NX", "PX", String(leaseMs)]);
        if (set !== null) {
          claims.set(key, { token, storedKey });
          return "acquired";
        }
        const current = await client.sendCommand(["GET", storedKey]);
        if (current !== null) return current === "done" ? "completed" : "in-progress";
        // It expired between the two commands: claim it again.
      }
    },
    async complete(key) {
      const claim = claims.get(key);
      claims.delete(key);
      const storedKey = claim?.storedKey ?? redisKey(key);
      const done = await run(completeScript, storedKey, claim?.token ?? "", String(ttlMs), channelOf(storedKey));
      if (Number(done) !== 1) throw new DedupeLeaseLostError();
    },
    async release(key) {
      const claim = claims.get(key);
      claims.delete(key);
      if (claim === undefined) return;
      await run(releaseScript, claim.storedKey, claim.token, "0", channelOf(claim.storedKey));
    },
    settled,
    async close() {
      const connection = await subscriber;
      subscriber = undefined;
      await connection?.close();
    },
  };
}

/**
 * The server side of benchmark #5, run in its own process (`node --import tsx` this file,
 * `receiver` or `bare`) so that the load generator does not share its event loop. Prints the
 * port it listens on (127.0.0.1), then serves until stdin closes.
 *
 * - `receiver`: the SDK's callback receiver behind its node adapter, with credentials, a
 *   service hint, the in-memory dedupe store and a handler that does nothing.
 * - `bare`: node:http reading the whole body and answering 200 with a JSON body of the same
 *   shape, which is all a receiver that trusts nothing would do.
 * - `receiver-redis`, `receiver-postgres`, `receiver-postgres-transactional`: the receiver with
 *   that shared dedupe store instead of the memory store (bench #8), on REDIS_URL / DATABASE_URL,
 *   under the key prefix / schema RUN.
 */
import { createServer, type RequestListener, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { getRequestListener } from "@hono/node-server";
import { RESPONSE_ALREADY_SENT } from "@hono/node-server/utils/response";
import pg from "pg";
import { createClient } from "redis";
import { createCallbackHandler, createNodeCallbackListener, type AnyDedupeStore } from "../src/callbacks/index.js";
import { createPostgresDedupeStore } from "../src/callbacks/postgres.js";
import { createRedisDedupeStore } from "../src/callbacks/redis.js";

/** The pair registered with the callback URL; the load generator's bodies carry it. */
export const benchCredentials = { username: "bench-listener", password: "bench-listener-password-1234" };

const bare: RequestListener = (request, response) => {
  const chunks: Buffer[] = [];
  request.on("data", (chunk: Buffer) => chunks.push(chunk));
  request.on("end", () => {
    const body = Buffer.concat(chunks);
    response.writeHead(200, { "content-type": "application/json; charset=utf-8" });
    response.end(JSON.stringify({ status: "handled", kind: "activateSucceeded", bytes: body.byteLength }));
  });
};

// The least a Fetch-style handler behind @hono/node-server does, written the way the receiver's
// node adapter writes: a Request made from the socket, its body read, JSON written back.
const adapterFloor = getRequestListener(
  async (request, env) => {
    const body = await request.arrayBuffer();
    const answer = JSON.stringify({ status: "handled", kind: "activateSucceeded", bytes: body.byteLength });
    const { outgoing } = env as { outgoing: ServerResponse };
    outgoing.writeHead(200, {
      "content-type": "application/json; charset=utf-8",
      "content-length": Buffer.byteLength(answer),
    });
    outgoing.end(answer);
    return RESPONSE_ALREADY_SENT;
  },
  { overrideGlobalObjects: false },
);

/** The receiver with `store` (the memory store when undefined) and a handler that does nothing. */
const receiverWith = (store?: AnyDedupeStore<unknown>) =>
  createNodeCallbackListener(
    createCallbackHandler({
      credentials: benchCredentials,
      service: "CarrierService",
      onCallback: () => undefined,
      ...(store ? { dedupeStore: store } : {}),
    }),
  );

/** The shared stores of bench #8, each on its own connections. */
async function sharedStore(mode: string): Promise<AnyDedupeStore<unknown> | undefined> {
  const run = process.env.RUN ?? "bench";
  if (mode === "receiver-redis") {
    const client = await createClient({ url: process.env.REDIS_URL ?? "redis://127.0.0.1:6379" }).connect();
    return createRedisDedupeStore({ client, keyPrefix: `${run}:` });
  }
  const pool = new pg.Pool({
    connectionString: process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test",
    max: 20,
    options: `-c search_path=${run}`,
  });
  if (mode === "receiver-postgres") return createPostgresDedupeStore({ pool, sweepIntervalMs: 0 });
  if (mode === "receiver-postgres-transactional") {
    return createPostgresDedupeStore({ pool, transactional: true, sweepIntervalMs: 0 });
  }
  return undefined;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const mode = process.argv[2] ?? "";
  const receiver = receiverWith(await sharedStore(mode));
  const listeners: Record<string, RequestListener> = {
    receiver: (request, response) => void receiver(request, response),
    "receiver-redis": (request, response) => void receiver(request, response),
    "receiver-postgres": (request, response) => void receiver(request, response),
    "receiver-postgres-transactional": (request, response) => void receiver(request, response),
    bare,
    "adapter-floor": (request, response) => void adapterFloor(request, response),
  };
  const listener = listeners[mode];
  if (!listener) throw new Error(`usage: callback-receiver-server.ts ${Object.keys(listeners).join("|")}`);
  const server = createServer(listener);
  server.keepAliveTimeout = 60_000;
  server.listen(0, "127.0.0.1", () => console.log((server.address() as AddressInfo).port));
  process.stdin.on("close", () => server.close(() => process.exit(0)));
  process.stdin.resume();
}

// Runs the code blocks of the README's "Callbacks across replicas, restarts and crashes" section
// as written (the package's import specifiers pointed at the sources), against the real Redis
// and PostgreSQL: each block is loaded twice, as two replicas, and a callback posted to both is
// handled by one and acknowledged as a duplicate by the other. The PostgreSQL example works in a
// schema of this run's own (through DATABASE_URL), the Redis example's one key is deleted.
import { createHash } from "node:crypto";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, describe, expect, it, vi } from "vitest";
import { callbackDedupeKey } from "../../../src/callbacks/dedupe.js";
import { parseCallback } from "../../../src/callbacks/parse.js";
import { readmeBlocks, readmeModules } from "../../support/readme-blocks.js";
import {
  connectRedis,
  createRunSchema,
  databaseUrl,
  dropRunData,
  runName,
  schemaPool,
} from "../../support/services.js";
import { specExample } from "../../support/spec-document.js";

const blocks = readmeBlocks("## Callbacks across replicas, restarts and crashes");
const modules = readmeModules(blocks);
const load = (index: number, name: string) => modules.load(index, name);
const run = runName();
afterAll(async () => {
  modules.remove();
  await dropRunData({ schema: run });
});

/** The activate example as ThingSpace sends it to the README's listener, with this run's requestId. */
const callbackBody = JSON.stringify({
  ...specExample<object>("CarrierServiceActivateSucceeded"),
  requestId: `${run}-readme`,
  username: "listener",
  password: "a-long-random-secret",
});
const callbackPost = () =>
  new Request("http://127.0.0.1/thingspace/carrier", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: callbackBody,
  });
const answerOf = async (response: Response) => [
  response.status,
  ((await response.json()) as { status: string }).status,
];

describe("README: Callbacks across replicas, restarts and crashes", () => {
  it("has the two examples this test runs", () => {
    expect(blocks).toHaveLength(2);
  });

  it("Redis: two replicas of the listener handle a callback once", async () => {
    vi.stubEnv("PORT", "0");
    vi.spyOn(console, "log").mockImplementation(() => undefined);
    const replicas = [await load(0, "redis-replica-a"), await load(0, "redis-replica-b")];
    const servers = replicas.map(({ server }) => server as Server);
    try {
      await Promise.all(
        servers.map((server) => (server.listening ? undefined : new Promise((r) => server.once("listening", r)))),
      );
      const urls = servers.map(
        (server) => `http://127.0.0.1:${(server.address() as AddressInfo).port}/thingspace/carrier`,
      );
      const post = (url: string) =>
        fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: callbackBody });
      expect(await answerOf(await post(urls[0]!))).toEqual([200, "handled"]);
      expect(await answerOf(await post(urls[1]!))).toEqual([200, "duplicate"]);
      expect((console.log as any).mock.calls).toEqual([["active:", "imei:352452060026934"]]);
    } finally {
      await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
      vi.unstubAllEnvs();
      vi.restoreAllMocks();
      const parsed = parseCallback(callbackBody, { service: "CarrierService" });
      if (!parsed.ok) throw new Error("the example callback is not valid");
      const redis = await connectRedis();
      const key = `my-listener:dedupe:${createHash("sha256").update(callbackDedupeKey(parsed.callback)).digest("base64url")}`;
      expect(await redis.del(key)).toBe(1);
      await redis.close();
    }
  });

  it("PostgreSQL: the handler's write commits with the completion, once across two replicas", async () => {
    await createRunSchema(run);
    vi.stubEnv("DATABASE_URL", `${databaseUrl}?options=${encodeURIComponent(`-c search_path=${run}`)}`);
    try {
      const [one, two] = [await load(1, "postgres-replica-a"), await load(1, "postgres-replica-b")];
      expect(await answerOf(await one.handler(callbackPost()))).toEqual([200, "handled"]);
      expect(await answerOf(await two.handler(callbackPost()))).toEqual([200, "duplicate"]);
    } finally {
      vi.unstubAllEnvs();
    }
    const pool = schemaPool(run, 1);
    const { rows } = await pool.query("SELECT device, request_id FROM device_activations");
    await pool.end();
    expect(rows).toEqual([{ device: "imei:352452060026934", request_id: `${run}-readme` }]);
  });
});

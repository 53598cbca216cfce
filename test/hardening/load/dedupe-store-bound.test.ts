// Regression: when every key of a full in-memory dedupe store was being handled, a new claim
// evicted a held key and woke its waiting copies with "released", so a copy ran the handler
// while the first one was still running: the same callback handled twice, as soon as more
// callbacks were in progress than `maxEntries`. Held keys are now never dropped; the bound
// applies to handled keys, and the store exceeds it only while more callbacks are in progress.
import { describe, expect, it } from "vitest";
import {
  createCallbackHandler,
  createMemoryDedupeStore,
  type DedupeClaim,
  type DedupeStore,
} from "../../../src/callbacks/index.js";
import { carrierCallbackBody, imeiOf, listenerCredentials } from "./carrier-callback.js";

const post = (n: number, callbackCount = 1) =>
  new Request("http://127.0.0.1/thingspace/carrier", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: carrierCallbackBody(n, "5c0fb2a1-0001-4e6b-9d1e-6f1b0c9e0a01", callbackCount),
  });

describe("a full in-memory dedupe store", () => {
  it("never drops a key being handled: a copy waits for it instead of handling it again", async () => {
    const store = createMemoryDedupeStore({ maxEntries: 2 });
    expect(await store.claim("a")).toBe("acquired");
    expect(await store.claim("b")).toBe("acquired");
    expect(await store.claim("c")).toBe("acquired");
    expect(store.size).toBe(3);
    expect(await store.claim("a")).toBe("in-progress");

    await store.complete("a");
    await store.complete("b");
    await store.complete("c");
    expect(store.size).toBe(2); // back under the bound once handled: the oldest handled key went
    expect(await store.claim("c")).toBe("completed");
  });

  it("the receiver handles each callback once when more are in progress than maxEntries", async () => {
    const handled: string[] = [];
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    // The store, with a way to wait until it has seen a number of claims.
    const store = createMemoryDedupeStore({ maxEntries: 2 });
    const claims: DedupeClaim[] = [];
    const watchers: { count: number; resolve: () => void }[] = [];
    const claimsMade = (count: number) => new Promise<void>((resolve) => watchers.push({ count, resolve }));
    const watched: DedupeStore = {
      claim: async (key) => {
        const claim = await store.claim(key);
        claims.push(claim);
        for (const watcher of watchers) if (claims.length >= watcher.count) watcher.resolve();
        return claim;
      },
      complete: (key) => store.complete(key),
      release: (key) => store.release(key),
      settled: (key) => store.settled!(key),
    };
    const handler = createCallbackHandler({
      service: "CarrierService",
      credentials: listenerCredentials,
      dedupeStore: watched,
      handlers: {
        activateSucceeded: async (callback) => {
          await gate; // three results being stored at once, in a store that keeps two
          handled.push(callback.deviceKey);
        },
      },
    });

    const first = [0, 1, 2].map((n) => handler(post(n)));
    await claimsMade(3);
    const copy = handler(post(0, 2)); // ThingSpace sends device 0 again meanwhile
    await claimsMade(4);
    expect(claims).toEqual(["acquired", "acquired", "acquired", "in-progress"]);
    release();

    const answers = await Promise.all(
      [...first, copy].map(async (pending) => {
        const response = await pending;
        return [response.status, ((await response.json()) as { status: string }).status];
      }),
    );
    expect(answers).toEqual([
      [200, "handled"],
      [200, "handled"],
      [200, "handled"],
      [200, "duplicate"],
    ]);
    expect(handled.sort()).toEqual([0, 1, 2].map((n) => `imei:${imeiOf(n)}`));
  });
});

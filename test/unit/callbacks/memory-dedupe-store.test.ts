import { describe, expect, it } from "vitest";
import { createMemoryDedupeStore } from "../../../src/callbacks/dedupe.js";
import { createFakeClock } from "./fake-clock.js";

describe("createMemoryDedupeStore", () => {
  it("acquires a new key once, reports it in progress, then completed", async () => {
    const store = createMemoryDedupeStore();
    expect(await store.claim("k")).toBe("acquired");
    expect(await store.claim("k")).toBe("in-progress");
    await store.complete("k");
    expect(await store.claim("k")).toBe("completed");
  });

  it("lets a released key be acquired again", async () => {
    const store = createMemoryDedupeStore();
    await store.claim("k");
    await store.release("k");
    expect(await store.claim("k")).toBe("acquired");
  });

  it("tells waiters how a held key settled", async () => {
    const store = createMemoryDedupeStore();
    await store.claim("a");
    await store.claim("b");
    const a = store.settled!("a");
    const b = store.settled!("b");
    await store.complete("a");
    await store.release("b");
    expect(await a).toBe("completed");
    expect(await b).toBe("released");
    expect(await store.settled!("a")).toBe("completed");
    expect(await store.settled!("never-claimed")).toBe("released");
  });

  it("forgets a handled key after the TTL", async () => {
    const clock = createFakeClock();
    const store = createMemoryDedupeStore({ clock, ttlMs: 1_000 });
    await store.claim("k");
    await store.complete("k");
    clock.advance(999);
    expect(await store.claim("k")).toBe("completed");
    clock.advance(1);
    expect(await store.claim("k")).toBe("acquired");
  });

  it("lets a claim lapse after the lease, waking its waiters", async () => {
    const clock = createFakeClock();
    const store = createMemoryDedupeStore({ clock, leaseMs: 500 });
    await store.claim("k");
    const waiting = store.settled!("k");
    clock.advance(500);
    expect(await store.claim("k")).toBe("acquired");
    expect(await waiting).toBe("released");
  });

  it("never holds more than maxEntries, forgetting the oldest handled key first", async () => {
    const store = createMemoryDedupeStore({ maxEntries: 3 });
    await store.claim("held");
    for (const key of ["old", "mid"]) {
      await store.claim(key);
      await store.complete(key);
    }
    await store.claim("new");
    expect(store.size).toBe(3);
    expect(await store.claim("held")).toBe("in-progress");
    expect(await store.claim("mid")).toBe("completed");
    expect(await store.claim("old")).toBe("acquired");
    expect(store.size).toBe(3);
  });

  it("refuses options that are not positive numbers", () => {
    expect(() => createMemoryDedupeStore({ ttlMs: 0 })).toThrow("ttlMs must be a positive number of milliseconds");
    expect(() => createMemoryDedupeStore({ maxEntries: Number.NaN })).toThrow(
      "maxEntries must be a positive number of entries",
    );
  });
});

import { describe, expect, it, vi } from "vitest";
import { handleOnce } from "../../../src/callbacks/dedupe.js";
import type { DedupeStore } from "../../../src/callbacks/dedupe.js";
import { createMemoryDedupeStore } from "../../../src/callbacks/dedupe.js";

function deferred() {
  let resolve!: () => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<void>((yes, no) => ((resolve = yes), (reject = no)));
  return { promise, resolve, reject };
}

describe("handleOnce", () => {
  it("runs the work once and acknowledges later copies as duplicates", async () => {
    const store = createMemoryDedupeStore();
    const work = vi.fn(async () => undefined);
    expect(await handleOnce(store, "k", work, () => undefined)).toBe("handled");
    expect(await handleOnce(store, "k", work, () => undefined)).toBe("duplicate");
    expect(work).toHaveBeenCalledTimes(1);
  });

  it("releases the key when the work throws, so that a redelivery runs it", async () => {
    const store = createMemoryDedupeStore();
    await expect(
      handleOnce(
        store,
        "k",
        async () => {
          throw new Error("db down");
        },
        () => undefined,
      ),
    ).rejects.toThrow("db down");
    expect(
      await handleOnce(
        store,
        "k",
        async () => undefined,
        () => undefined,
      ),
    ).toBe("handled");
  });

  it("makes a concurrent copy wait for the first, which then succeeds", async () => {
    const store = createMemoryDedupeStore();
    const gate = deferred();
    const first = handleOnce(
      store,
      "k",
      () => gate.promise,
      () => undefined,
    );
    let secondSettled = false;
    const second = handleOnce(
      store,
      "k",
      async () => undefined,
      () => undefined,
    ).finally(() => {
      secondSettled = true;
    });
    await new Promise((resolve) => setImmediate(resolve));
    expect(secondSettled).toBe(false);
    gate.resolve();
    expect(await first).toBe("handled");
    expect(await second).toBe("duplicate");
  });

  it("lets a waiting copy handle the callback itself when the first fails", async () => {
    const store = createMemoryDedupeStore();
    const gate = deferred();
    const first = handleOnce(
      store,
      "k",
      () => gate.promise,
      () => undefined,
    );
    const secondWork = vi.fn(async () => undefined);
    const second = handleOnce(store, "k", secondWork, () => undefined);
    gate.reject(new Error("first failed"));
    await expect(first).rejects.toThrow("first failed");
    expect(await second).toBe("handled");
    expect(secondWork).toHaveBeenCalledTimes(1);
  });

  it("answers busy when the store cannot say when another holder settles", async () => {
    const store: DedupeStore = {
      claim: async () => "in-progress",
      complete: async () => undefined,
      release: async () => undefined,
    };
    const work = vi.fn(async () => undefined);
    expect(await handleOnce(store, "k", work, () => undefined)).toBe("busy");
    expect(work).not.toHaveBeenCalled();
  });

  it("gives up with busy after three rounds against a store that keeps releasing", async () => {
    const store: DedupeStore = {
      claim: vi.fn(async () => "in-progress" as const),
      complete: async () => undefined,
      release: async () => undefined,
      settled: async () => "released",
    };
    expect(
      await handleOnce(
        store,
        "k",
        async () => undefined,
        () => undefined,
      ),
    ).toBe("busy");
    expect(store.claim).toHaveBeenCalledTimes(3);
  });

  it("still reports handled when marking it complete fails, and reports that failure", async () => {
    const failure = new Error("store down");
    const store: DedupeStore = {
      claim: async () => "acquired",
      complete: async () => {
        throw failure;
      },
      release: async () => undefined,
    };
    const report = vi.fn();
    expect(await handleOnce(store, "k", async () => undefined, report)).toBe("handled");
    expect(report).toHaveBeenCalledWith(failure);
  });

  it("answers unavailable, without running the work, when the store fails to claim or to wait", async () => {
    const failure = new Error("store down");
    const stores: DedupeStore[] = [
      { claim: async () => Promise.reject(failure), complete: async () => undefined, release: async () => undefined },
      {
        claim: async () => "in-progress",
        complete: async () => undefined,
        release: async () => undefined,
        settled: async () => Promise.reject(failure),
      },
    ];
    for (const store of stores) {
      const work = vi.fn(async () => undefined);
      const report = vi.fn();
      expect(await handleOnce(store, "k", work, report)).toBe("unavailable");
      expect(work).not.toHaveBeenCalled();
      expect(report.mock.calls).toEqual([[failure]]);
    }
  });

  it("lets a transactional store run the work itself, with its transaction", async () => {
    const transaction = { id: "tx-1" };
    const report = () => undefined;
    const store = {
      handleOnce: vi.fn(async (_key: string, work: (tx: typeof transaction) => Promise<void>) => {
        await work(transaction);
        return "handled" as const;
      }),
    };
    const work = vi.fn(async (_tx: typeof transaction) => undefined);
    expect(await handleOnce(store, "k", work, report)).toBe("handled");
    expect(work.mock.calls).toEqual([[transaction]]);
    expect(store.handleOnce).toHaveBeenCalledWith("k", work, report);
  });
});

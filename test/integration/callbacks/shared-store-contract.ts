/**
 * What every shared claim/complete store must do, whatever it runs on: the same tests for the
 * Redis store and the PostgreSQL store in lease mode. `storeIn(process, options)` gives a store
 * as process "a" or "b" sees it (its own connection), over the same shared data.
 */
import { describe, expect, it } from "vitest";
import { DedupeLeaseLostError, type DedupeSettlement, type DedupeStore } from "../../../src/callbacks/dedupe.js";

export interface ContractOptions {
  readonly leaseMs?: number;
  readonly fallbackPollMs?: number;
}

export type SharedStoreIn = (
  process: "a" | "b",
  options?: ContractOptions,
) => DedupeStore & { settled(key: string): Promise<DedupeSettlement> };

let keys = 0;
/** A callback key no other test of the run uses. */
export const freshKey = (): string => `contract-${process.pid}-${++keys}\nimei:35000000000${keys}\nactivateSucceeded`;

export function describeSharedStoreContract(name: string, storeIn: SharedStoreIn): void {
  describe(`${name}: the shared store contract`, () => {
    it("claims a key once across processes; once completed, every process sees it completed", async () => {
      const [a, b] = [storeIn("a"), storeIn("b")];
      const key = freshKey();
      expect(await a.claim(key)).toBe("acquired");
      expect(await b.claim(key)).toBe("in-progress");
      await a.complete(key);
      expect([await b.claim(key), await a.claim(key)]).toEqual(["completed", "completed"]);
    });

    it("lets only the owner complete or release: another process cannot settle a claim it does not hold", async () => {
      const [owner, other] = [storeIn("a"), storeIn("b")];
      const key = freshKey();
      expect(await owner.claim(key)).toBe("acquired");
      await other.release(key); // it holds no token for the key: nothing happens
      expect(await other.claim(key)).toBe("in-progress");
      await expect(other.complete(key)).rejects.toBeInstanceOf(DedupeLeaseLostError);
      expect(await other.claim(key)).toBe("in-progress");
      await owner.release(key);
      expect(await other.claim(key)).toBe("acquired");
      await other.complete(key);
      expect(await owner.claim(key)).toBe("completed");
    });

    it("lets a redelivery take over once a crashed holder's lease lapses; the late holder cannot complete", async () => {
      const [crashed, successor] = [storeIn("a", { leaseMs: 150 }), storeIn("b", { leaseMs: 150 })];
      const key = freshKey();
      expect(await crashed.claim(key)).toBe("acquired");
      expect(await successor.claim(key)).toBe("in-progress");
      await new Promise((resolve) => setTimeout(resolve, 250));
      expect(await successor.claim(key)).toBe("acquired");
      await expect(crashed.complete(key)).rejects.toThrow(
        "the claim on this callback lapsed before the handler finished, and another copy took it over: it may be handled twice; raise leaseMs above the handler's longest run",
      );
      expect(await crashed.claim(key)).toBe("in-progress");
      await successor.complete(key);
      expect(await crashed.claim(key)).toBe("completed");
    });

    it("wakes a waiting copy by a message when the holder completes or releases (fallback polling 60 s)", async () => {
      const [holder, waiter] = [storeIn("a"), storeIn("b", { fallbackPollMs: 60_000 })];
      const [completedKey, releasedKey] = [freshKey(), freshKey()];
      expect(await holder.claim(completedKey)).toBe("acquired");
      expect(await holder.claim(releasedKey)).toBe("acquired");
      const completed = waiter.settled(completedKey);
      const released = waiter.settled(releasedKey);
      await new Promise((resolve) => setTimeout(resolve, 100));
      await holder.complete(completedKey);
      await holder.release(releasedKey);
      expect([await completed, await released]).toEqual(["completed", "released"]);
    });

    it("answers a waiting copy 'released' when the holder's lease lapses, which sends no message", async () => {
      const [holder, waiter] = [storeIn("a", { leaseMs: 200 }), storeIn("b", { fallbackPollMs: 60_000 })];
      const key = freshKey();
      expect(await holder.claim(key)).toBe("acquired");
      expect(await waiter.settled(key)).toBe("released");
      expect(await waiter.claim(key)).toBe("acquired");
    });
  });
}

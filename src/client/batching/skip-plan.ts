import type { BatchResult } from "./batch-types.js";

/** Decides, chunk by chunk, whether a re-run skips it. */
export type SkipPlan = (index: number, fingerprint: string) => "skip" | "send" | "changed";

function isBatchResult(skip: BatchResult | Iterable<number>): skip is BatchResult {
  return typeof skip === "object" && skip !== null && "chunks" in skip && "chunkSize" in skip;
}

/**
 * Builds the plan from the `skip` option. With a previous result, a chunk is skipped when it
 * was accepted (or skipped) then and holds the same devices now; "changed" means it was done
 * but its devices differ, so it is sent. With indexes, exactly those chunks are skipped.
 */
export function skipPlan(skip: BatchResult | Iterable<number> | undefined, chunkSize: number): SkipPlan {
  if (skip === undefined) return () => "send";
  if (!isBatchResult(skip)) {
    const indexes = new Set(skip);
    return (index) => (indexes.has(index) ? "skip" : "send");
  }
  if (skip.chunkSize !== chunkSize) {
    throw new RangeError(
      `skip: the previous run used chunkSize ${skip.chunkSize}, this one ${chunkSize}; use the same chunkSize so that chunks line up`,
    );
  }
  const done = new Map<number, string>();
  for (const chunk of skip.chunks) {
    if (chunk.status !== "failed") done.set(chunk.index, chunk.fingerprint);
  }
  return (index, fingerprint) => {
    const previous = done.get(index);
    if (previous === undefined) return "send";
    return previous === fingerprint ? "skip" : "changed";
  };
}

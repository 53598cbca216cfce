/**
 * A real garbage collection for memory measurements, also when the process was started without
 * `--expose-gc` (vitest workers are): the flag is set at run time and `gc` taken from a fresh
 * V8 context, where it appears once the flag is on.
 */
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

/** Collects garbage, then returns the heap in use, in bytes. */
export function heapUsedAfterGc(): number {
  const exposed = (globalThis as { gc?: () => void }).gc;
  if (exposed) exposed();
  else {
    setFlagsFromString("--expose-gc");
    (runInNewContext("gc") as () => void)();
  }
  return process.memoryUsage().heapUsed;
}

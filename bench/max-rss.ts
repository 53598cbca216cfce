/**
 * Preloaded into the command's process by benchmark #9 (`node --import`): prints the process's
 * peak resident memory and CPU time on stderr when it exits, so the command is measured as it
 * runs, unchanged. With `BENCH_LIVE_HEAP_MS` (and node's --expose-gc) it also collects garbage
 * that often and keeps the largest heap left: what the command keeps alive, not when V8 chose to
 * collect (as benchmark #6 measures the SDK).
 */
import { writeSync } from "node:fs";

let liveHeap = 0;
const every = Number(process.env.BENCH_LIVE_HEAP_MS ?? 0);
const collect = (globalThis as { gc?: () => void }).gc;
if (every > 0 && collect) {
  setInterval(() => {
    collect();
    liveHeap = Math.max(liveHeap, process.memoryUsage().heapUsed);
  }, every).unref();
}

process.on("exit", () => {
  const usage = process.resourceUsage();
  const cpu = Math.round((usage.userCPUTime + usage.systemCPUTime) / 1000);
  writeSync(2, `\nbench: maxRSS ${usage.maxRSS} KiB, cpu ${cpu} ms, live heap ${liveHeap} B\n`);
});

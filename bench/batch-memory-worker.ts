/**
 * One run of benchmark #6 in a fresh process (`node --import tsx` this file, `simulator` or
 * `stub`, the device count, and `timed` or `live`), so that its memory figures are its own.
 * Activates the devices of `exampleDeviceStream(count)` with `activateDevicesInBatches` (default
 * chunks of 10,000, validation on, pacing on a clock whose sleep only moves time forward) and
 * prints one JSON line: wall time, memory before the batch and its peaks during it.
 *
 * Memory is sampled when each request reaches ThingSpace (the chunk and its body are then in
 * memory) and after each chunk. `live` (run with --expose-gc) collects garbage before each
 * sample, so the peaks are what the run keeps alive rather than when V8 chose to collect; its
 * wall time includes those collections, which is what `timed` is for.
 *
 * - `simulator`: the simulator's `handle` as the client's fetch, in-process, no callback URL
 *   registered (so no delivery runs: the simulator keeps the results instead).
 * - `stub`: a fetch that only reads each request's JSON and counts its devices, so what is
 *   measured is the SDK alone.
 */
import path from "node:path";
import { fileURLToPath } from "node:url";
import { createThingSpaceClient } from "../src/client/client.js";
import type { Clock } from "../src/shared/clock.js";
import { exampleDeviceStream } from "../src/simulator/example-devices.js";
import { createSimulator } from "../src/simulator/simulator.js";

/** What one run reports. */
export interface BatchRun {
  target: "simulator" | "stub";
  /** Whether garbage was collected before each sample. */
  live: boolean;
  deviceCount: number;
  requests: number;
  wallMs: number;
  /** Fake time the pacer waited, ms. */
  pacedMs: number;
  before: { heapUsed: number; rss: number };
  peak: { heapUsed: number; rss: number };
}

/** A clock whose sleep advances `now` at once. */
function instantClock(): Clock & { slept: number } {
  let now = Date.UTC(2026, 0, 1);
  const clock = {
    slept: 0,
    now: () => now,
    async sleep(ms: number, signal?: AbortSignal) {
      signal?.throwIfAborted();
      clock.slept += ms;
      now += ms;
    },
  };
  return clock;
}

/** A fetch that reads each activate request, counts its devices and accepts it. */
function countingStub(): { fetch: (request: Request) => Promise<Response>; devices: () => number } {
  let devices = 0;
  let requests = 0;
  return {
    devices: () => devices,
    async fetch(request) {
      if (request.url.endsWith("/oauth2/token"))
        return Response.json({ access_token: "bench-token-0123456789", token_type: "bearer", expires_in: 3600 });
      if (request.url.endsWith("/session/login")) return Response.json({ sessionToken: "bench-session-0123456789" });
      if (request.method === "GET") return Response.json([]); // the callback list the run starts with
      const body = (await request.json()) as { devices: unknown[] };
      devices += body.devices.length;
      return Response.json({ requestId: `bench-request-${++requests}` });
    },
  };
}

async function run(target: "simulator" | "stub", deviceCount: number, live: boolean): Promise<BatchRun> {
  const collect = live ? (globalThis as { gc?: () => void }).gc : undefined;
  if (live && !collect) throw new Error("live sampling needs node --expose-gc");
  const clock = instantClock();
  const stub = countingStub();
  const simulator = target === "simulator" ? createSimulator({ clock }) : undefined;
  const peak = { heapUsed: 0, rss: 0 };
  const sample = (): void => {
    collect?.();
    const { heapUsed, rss } = process.memoryUsage();
    peak.heapUsed = Math.max(peak.heapUsed, heapUsed);
    peak.rss = Math.max(peak.rss, rss);
  };
  const client = createThingSpaceClient({
    baseUrl: "http://127.0.0.1/api",
    clock,
    // Sampled when the request (its body in memory) reaches ThingSpace: the batch's busiest moment.
    fetch: async (request) => {
      const response = await (simulator ? simulator.handle(request) : stub.fetch(request));
      sample();
      return response;
    },
    credentials: {
      clientId: "bench-client",
      clientSecret: "bench-client-secret",
      username: "bench-user",
      password: "bench-password",
    },
    accountName: "0868924207-00001",
  });
  await client.listCallbacks(); // logs in before the measurement
  collect?.();
  const { heapUsed, rss } = process.memoryUsage();
  const started = performance.now();
  const result = await client.activateDevicesInBatches(
    exampleDeviceStream(deviceCount),
    { servicePlan: "m2m4g", mdnZipCode: "98801" },
    { onProgress: sample },
  );
  // The simulator answers an activate before carrying it out (src/simulator/backlog.ts); asking
  // for its devices carries out what is left, so the time and the peak include every activation.
  const activated = simulator?.devices("0868924207-00001").length;
  const wallMs = performance.now() - started;
  sample();
  if (result.acceptedCount !== deviceCount)
    throw new Error(`${result.acceptedCount} of ${deviceCount} devices accepted`);
  if (target === "stub" && stub.devices() !== deviceCount) throw new Error(`the stub saw ${stub.devices()} devices`);
  if (simulator && activated !== deviceCount) throw new Error("the simulator did not activate every device");
  return {
    target,
    live,
    deviceCount,
    requests: result.chunks.length,
    wallMs,
    pacedMs: clock.slept,
    before: { heapUsed, rss },
    peak,
  };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const [target, count, mode] = process.argv.slice(2);
  if (
    (target !== "simulator" && target !== "stub") ||
    !Number.isInteger(Number(count)) ||
    (mode !== "timed" && mode !== "live")
  ) {
    throw new Error("usage: batch-memory-worker.ts simulator|stub <device count> timed|live");
  }
  console.log(JSON.stringify(await run(target, Number(count), mode === "live")));
}

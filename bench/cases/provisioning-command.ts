/**
 * #9: the `thingspace-m2m` command activating 2,000,000 devices from a CSV file (200 requests
 * of 10,000) with its default 100 requests in flight, against a ThingSpace that answers each
 * activate after 2 s, measured against the floor the 100-a-minute pacing sets. Each party runs
 * in a process of its own: the ThingSpace (bench/slow-simulator-worker.ts: the simulator, or a
 * stub that only counts devices, to tell the command's cost from the simulator's), and the
 * command as a user runs it (bin/thingspace-m2m.js, bench/max-rss.ts preloaded to report its
 * peak memory and CPU time). `--no-wait`: the figure is the sending; the results would come by
 * callbacks or reconciliation afterwards, at ThingSpace's pace.
 *
 * Beside it: 2,000,000 and 600,000 devices against the stub with 10 requests in flight and the
 * live heap sampled (what the command keeps grows with what is in flight, not with the file),
 * and 200,000 devices one
 * request at a time (as the SDK's batches sent before `concurrency`), whose time per request
 * gives the sequential figure for 200 requests without waiting 400 s.
 */
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { writeExampleDevices } from "../../scripts/write-example-devices.js";
import { defaultConcurrency } from "../../src/cli/program.js";
import { RollingWindowPacer } from "../../src/client/pacer.js";
import { systemClock } from "../../src/shared/clock.js";
import type { BenchCase } from "../case.js";

const root = fileURLToPath(new URL("../../", import.meta.url));
const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const answerMs = 2000;
// The pacing's window and margin, as the command's client paces by default (100 a minute, one
// second of margin).
const { windowMs } = new RollingWindowPacer({ clock: systemClock });

interface EndpointStats {
  answers: Record<string, number>;
  devices: number;
  activateSpanMs: number;
  cpuMs: number;
}

/** The slow ThingSpace in its own process, with a large heap: the simulator keeps every device. */
async function startEndpoint(target: "simulator" | "stub") {
  const child: ChildProcessWithoutNullStreams = spawn(
    process.execPath,
    ["--max-old-space-size=8192", "--import", "tsx", "bench/slow-simulator-worker.ts", target, String(answerMs)],
    { cwd: root },
  );
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const next = async () => JSON.parse(((await lines.next()).value as string) ?? "null") as unknown;
  const { url } = (await next()) as { url: string };
  return {
    url,
    async stats(): Promise<EndpointStats> {
      child.stdin.write("stats\n");
      return (await next()) as EndpointStats;
    },
    async close() {
      child.stdin.write("exit\n");
      await once(child, "exit");
    },
  };
}

interface CommandRun {
  wallMs: number;
  maxRssMiB: number;
  /** The largest heap left after a collection (live runs only). */
  liveHeapMiB: number;
  cpuMs: number;
  endpoint: EndpointStats;
}

/** Runs `thingspace-m2m activate` on `csv` against a fresh endpoint. */
async function activate(
  csv: string,
  target: "simulator" | "stub",
  concurrency: number,
  live = false,
): Promise<CommandRun> {
  const endpoint = await startEndpoint(target);
  try {
    const env = {
      ...process.env,
      THINGSPACE_BASE_URL: endpoint.url,
      THINGSPACE_CLIENT_ID: "bench",
      THINGSPACE_CLIENT_SECRET: "bench-secret",
      THINGSPACE_USERNAME: "bench",
      THINGSPACE_PASSWORD: "bench-password",
      THINGSPACE_ACCOUNT_NAME: "TestAccount-1",
    };
    const args = ["activate", csv, "--service-plan", "m2m4g", "--zip", "98801", "--no-wait", "--restart"];
    args.push("--concurrency", String(concurrency));
    const flags = live ? ["--expose-gc"] : [];
    const started = performance.now();
    const child = spawn(
      process.execPath,
      [...flags, "--import", "tsx", "--import", "./bench/max-rss.ts", "bin/thingspace-m2m.js", ...args],
      { cwd: root, env: { ...env, ...(live ? { BENCH_LIVE_HEAP_MS: "2000" } : {}) } },
    );
    child.stdin.end();
    let stderr = "";
    child.stdout.resume();
    child.stderr.on("data", (data: Buffer) => (stderr += data.toString()));
    const [code] = (await once(child, "exit")) as [number | null];
    const wallMs = performance.now() - started;
    const usage = /bench: maxRSS (\d+) KiB, cpu (\d+) ms, live heap (\d+) B/.exec(stderr);
    if (code !== 0 || !usage) throw new Error(`the command exited ${code}: ${stderr.slice(-2000)}`);
    const stats = await endpoint.stats();
    const name = `${path.basename(csv)}, ${target}, ${concurrency} in flight`;
    console.log(`  ${name}: ${s(wallMs)}, sending ${s(stats.activateSpanMs)}`);
    const liveHeapMiB = Number(usage[3]) / 2 ** 20;
    return { wallMs, maxRssMiB: Number(usage[1]) / 1024, liveHeapMiB, cpuMs: Number(usage[2]), endpoint: stats };
  } finally {
    await endpoint.close();
  }
}
const refusedOf = (run: CommandRun) =>
  Object.entries(run.endpoint.answers)
    .filter(([key]) => key.startsWith("activate ") && key !== "activate 200")
    .map(([key, count]) => `${count} × ${key.slice("activate ".length)}`);

export const provisioningCommand: BenchCase = {
  id: 9,
  async run() {
    const dir = mkdtempSync(path.join(tmpdir(), "bench-command-"));
    try {
      const files = {
        large: path.join(dir, "2m.csv"),
        medium: path.join(dir, "600k.csv"),
        small: path.join(dir, "200k.csv"),
      };
      await writeExampleDevices(files.large, 2_000_000);
      await writeExampleDevices(files.medium, 600_000);
      await writeExampleDevices(files.small, 200_000);
      // The target's run three times, its median taken: the floor is computed, not run beside it,
      // so a slow minute of a shared machine is not cancelled by a baseline (single runs of the
      // same code differed by more than a second).
      const simulatedRuns: CommandRun[] = [];
      for (let run = 0; run < 3; run++)
        simulatedRuns.push(await activate(files.large, "simulator", defaultConcurrency));
      const bySending = [...simulatedRuns].sort((a, b) => a.endpoint.activateSpanMs - b.endpoint.activateSpanMs);
      const simulated = bySending[1]!;
      const alone = await activate(files.large, "stub", defaultConcurrency);
      // Half as many in flight, for the README's choice of the default.
      const halfInFlight = defaultConcurrency / 2;
      const halved = await activate(files.large, "simulator", halfInFlight);
      // Memory: both files with 10 requests in flight, which both keep for most of their run
      // (600,000 devices at 100 in flight would be sent before most heap samples were taken).
      const largeHeld = await activate(files.large, "stub", 10, true);
      const medium = await activate(files.medium, "stub", 10, true);
      const sequential = await activate(files.small, "simulator", 1);
      // The 101st request may start when the first one's slot is a window (and its margin) old:
      // the floor counts that from the start, 61 s, and the last answer 2 s later.
      const floorMs = windowMs + answerMs;
      const ratio = (run: CommandRun) => run.endpoint.activateSpanMs / floorMs;
      const refused = [...simulatedRuns.flatMap(refusedOf), ...refusedOf(alone), ...refusedOf(halved)];
      const perRequest = sequential.endpoint.activateSpanMs / 20;
      const memoryRatio = largeHeld.liveHeapMiB / medium.liveHeapMiB;
      return {
        id: 9,
        what: `\`thingspace-m2m activate\` on 2,000,000 devices from a CSV file (200 requests of 10,000), each activate answered after 2 s, ${defaultConcurrency} requests in flight (the default), \`--no-wait\``,
        baseline: `the pacing's floor: the second hundred requests cannot start before ${windowMs / 1000} s (the minute and the pacer's margin), the last answered 2 s later: ${s(floorMs)}`,
        target: "sending within 1.1× the floor; memory bounded (as #6)",
        figures: [
          `against the simulator: sending (first activate received to last answered) ${s(simulated.endpoint.activateSpanMs)}: ${ratio(simulated).toFixed(2)}× the floor (the median of 3 runs: ${simulatedRuns.map((run) => s(run.endpoint.activateSpanMs)).join(", ")}); ${simulated.endpoint.devices.toLocaleString("en-US")} devices active; CPU: the command ${s(simulated.cpuMs)}, the simulator ${s(simulated.endpoint.cpuMs)}`,
          `the command alone (a stub ThingSpace that counts devices): sending ${s(alone.endpoint.activateSpanMs)}: ${ratio(alone).toFixed(2)}× the floor; command CPU ${s(alone.cpuMs)}`,
          `${halfInFlight} requests in flight instead: sending ${s(halved.endpoint.activateSpanMs)} against the simulator: ${ratio(halved).toFixed(2)}× the floor (the second ${halfInFlight} of each hundred wait for the first answers; peak RSS ${halved.maxRssMiB.toFixed(0)} MiB)`,
          `activate answers refused: ${refused.length > 0 ? refused.join(", ") : "none"} (${simulated.endpoint.answers["activate 200"]}, ${alone.endpoint.answers["activate 200"]} and ${halved.endpoint.answers["activate 200"]} accepted)`,
          `the whole command, 2,000,000 devices: ${s(simulated.wallMs)} against the simulator, ${s(alone.wallMs)} against the stub (every row checked before the first request, then the sending; the summary of this --no-wait run without --report is counted from the journal's chunks, the file not read again)`,
          `the command's live heap at its peak (garbage collected every 2 s), 10 requests in flight: ${largeHeld.liveHeapMiB.toFixed(0)} MiB for 2,000,000 devices vs ${medium.liveHeapMiB.toFixed(0)} MiB for 600,000: ${memoryRatio.toFixed(2)}×; peak RSS with ${defaultConcurrency} in flight, without forced collections: ${alone.maxRssMiB.toFixed(0)} MiB (${simulated.maxRssMiB.toFixed(0)} MiB against the simulator)`,
          `one request at a time (concurrency 1, as batches sent before): 200,000 devices (20 requests) in ${s(sequential.endpoint.activateSpanMs)}, ${s(perRequest)} a request: 200 requests ≈ ${s(perRequest * 200)} (${((perRequest * 200) / floorMs).toFixed(1)}× the floor; computed from the 20, not run whole)`,
        ],
        met: ratio(simulated) <= 1.1 && memoryRatio < 1.25,
        note:
          "The command, the simulator and the stub run in processes of their own, on this machine's 2 cores. " +
          "With the pacer counting a slot from its answer, the second hundred requests start a window after the first hundred's answers: the sending takes the floor plus however long the first hundred take to be answered, so it is bounded by how fast the command and the endpoint get 100 requests of 10,000 devices through (reading 1,000,000 CSV rows with PapaParse and building each body, the rows checked before the first request and not again; the simulator reading and checking them, as it answers before carrying them out; it keeps each accepted body as its text and the results no listener has taken as JSON text, so that its collector has little to mark while it answers), not by the pacing; the CPU figures say where that time goes. " +
          `The command's memory does not grow with the file: it grows with what is in flight (up to ${defaultConcurrency} chunks of 10,000 devices with the default \`--concurrency\`, held while they wait for a pacing slot); the duplicate check's hashes (8 bytes an identifier, 32 MiB for 2,000,000 devices of two identifiers) live only during the check. ` +
          "The whole command adds the check of every row before the first request: PapaParse reading the file once (its records a file block at a time, their lines counted from the line breaks in their cells), the devices checked 200 to a body with the generated validator (a body with a violation checked again device by device), and 53-bit hashes for duplicates; with `--report`, or results to wait for, the file is read once more for the report.",
      };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};

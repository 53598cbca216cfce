/**
 * `npm run bench`: runs every benchmark of issue #6 and writes BENCHMARKS.md with the machine,
 * the Node version and the command. `npm run bench -- 3 5` runs only rows 3 and 5 (and leaves
 * BENCHMARKS.md alone, since it would then be partial).
 */
import { writeFileSync } from "node:fs";
import os from "node:os";
import { fileURLToPath } from "node:url";
import type { BenchCase, BenchResult } from "./case.js";
import { allCases } from "./cases/index.js";

function renderReport(results: BenchResult[], seconds: number): string {
  const cpu = os.cpus()[0]?.model ?? "unknown CPU";
  const lines = [
    "# Benchmarks",
    "",
    "Written by `npm run bench` (bench/run.ts). Every figure is a ratio against a baseline measured in",
    "the same run, on the same machine; absolute times are given only to read the ratios by.",
    "",
    `- machine: ${cpu}, ${os.cpus().length} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, ${os.platform()} ${os.release()}`,
    `- Node ${process.version}`,
    `- command: \`npm run bench\` (${seconds.toFixed(0)} s), ${new Date().toISOString().slice(0, 10)}`,
    "",
    "| # | what | baseline | target | measured | met |",
    "|---|---|---|---|---|---|",
    ...results.map(
      (r) =>
        `| ${r.id} | ${r.what} | ${r.baseline} | ${r.target} | ${r.figures.join("<br>")} | ${r.met === null ? "—" : r.met ? "yes" : "**no**"} |`,
    ),
    "",
  ];
  const notes = results.filter((r) => r.note);
  if (notes.length > 0) {
    lines.push("## Notes", "");
    for (const r of notes) lines.push(`**#${r.id}.** ${r.note}`, "");
  }
  return lines.join("\n");
}

async function main(): Promise<void> {
  const only = process.argv.slice(2).map(Number).filter(Number.isInteger);
  const cases: BenchCase[] = only.length > 0 ? allCases.filter((c) => only.includes(c.id)) : allCases;
  const started = performance.now();
  const results: BenchResult[] = [];
  for (const benchCase of cases) {
    console.log(`#${benchCase.id} …`);
    const result = await benchCase.run();
    console.log(
      `#${result.id} ${result.what}\n  ${result.figures.join("\n  ")}\n  target ${result.target}: ${result.met === null ? "—" : result.met ? "met" : "NOT met"}`,
    );
    results.push(result);
  }
  if (only.length === 0) {
    const report = renderReport(results, (performance.now() - started) / 1000);
    writeFileSync(fileURLToPath(new URL("../BENCHMARKS.md", import.meta.url)), report);
    console.log("wrote BENCHMARKS.md");
  }
}

await main();

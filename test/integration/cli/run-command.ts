/**
 * Runs the real `thingspace-m2m` command (bin/thingspace-m2m.js) as a child process, capturing
 * its output, and writes the files it reads into a scratch directory.
 */
import { spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import Papa from "papaparse";
import { exampleDevice } from "../../../src/simulator/index.js";

const root = fileURLToPath(new URL("../../../", import.meta.url));
export const bin = path.join(root, "bin/thingspace-m2m.js");

/** The environment without any THINGSPACE_* variable (the machine's own must not leak in). */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith("THINGSPACE_")));
  return { ...env, ...extra };
}

/** Credentials for a simulator started by the test (it accepts any), as the command reads them. */
export function simulatorEnv(url: string): NodeJS.ProcessEnv {
  return cleanEnv({
    THINGSPACE_BASE_URL: url,
    THINGSPACE_CLIENT_ID: "cli-test",
    THINGSPACE_CLIENT_SECRET: "cli-test-secret",
    THINGSPACE_USERNAME: "cli-test",
    THINGSPACE_PASSWORD: "cli-test-password",
    THINGSPACE_ACCOUNT_NAME: "TestAccount-1",
  });
}

/** Starts the command; `exited` resolves to its exit code (or signal). */
export function startCommand(args: string[], env: NodeJS.ProcessEnv) {
  const child = spawn(process.execPath, [bin, ...args], { cwd: root, env });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = once(child, "exit").then(([code, signal]) => ({
    code: code as number | null,
    signal: signal as NodeJS.Signals | null,
    stdout,
    stderr,
  }));
  return { child, exited, output: () => ({ stdout, stderr }) };
}

/** Runs the command to its end. */
export function runCommand(args: string[], env: NodeJS.ProcessEnv) {
  return startCommand(args, env).exited;
}

/** A scratch directory. */
export function scratch(): { dir: string; file: (name: string) => string } {
  const dir = mkdtempSync(path.join(tmpdir(), "thingspace-cli-"));
  return { dir, file: (name) => path.join(dir, name) };
}

/** Writes `count` example devices as CSV (`imei,iccid`); returns the file. */
export function writeDevicesCsv(file: string, count: number, start = 0): string {
  const lines = ["imei,iccid"];
  for (let n = start; n < start + count; n++) {
    const [imei, iccid] = exampleDevice(n).deviceIds;
    lines.push(`${imei!.id},${iccid!.id}`);
  }
  writeFileSync(file, `${lines.join("\n")}\n`);
  return file;
}

/** The identifier the CSV of {@link writeDevicesCsv} gives device `n` first (its IMEI). */
writeDevicesCsv.deviceOf = (n: number) => exampleDevice(n).deviceIds[0]!;

/** The report's rows (CSV with a header row). */
export function readReport(file: string): Record<string, string>[] {
  return Papa.parse<Record<string, string>>(readFileSync(file, "utf8"), { header: true, skipEmptyLines: true }).data;
}

/** The journal's entries. */
export function readJournal(file: string): { type: string; index?: number; requestId?: string }[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, "utf8")
    .split("\n")
    .filter((line) => line.trim() !== "")
    .flatMap((line) => {
      try {
        return [JSON.parse(line) as { type: string; index?: number }];
      } catch {
        return [];
      }
    });
}

/** Resolves once `test` holds, checking every 20 ms (an event the command writes to a file). */
export async function until(test: () => boolean): Promise<void> {
  while (!test()) await new Promise((resolve) => setTimeout(resolve, 20));
}

/** Runs `npm run simulator`'s entry (src/simulator/cli.ts) as a child process, capturing its output. */
import { spawn } from "node:child_process";
import { once } from "node:events";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../../", import.meta.url));

/** Spawns the CLI with `args` exactly (no port added). */
export function spawnSimulatorCli(...args: string[]) {
  const child = spawn(process.execPath, ["--import", "tsx", "src/simulator/cli.ts", ...args], {
    cwd: root,
    env: { ...process.env, THINGSPACE_SIMULATOR_PORT: "" },
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = once(child, "exit") as Promise<[number | null, NodeJS.Signals | null]>;
  return { child, exited, output: () => ({ stdout, stderr }) };
}

/** Starts the CLI with `args` on a free port; resolves once it printed its URL. */
export async function startSimulatorCli(...args: string[]) {
  const { child, exited, output } = spawnSimulatorCli("--port", "0", ...args);
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout.on("data", () => {
      const match = /^ThingSpace simulator: (http:\/\/127\.0\.0\.1:\d+\/api)$/m.exec(output().stdout);
      if (match) resolve(match[1]!);
    });
    child.once("exit", () =>
      reject(new Error(`the simulator CLI exited early (stderr: ${output().stderr.length} characters)`)),
    );
  });
  return {
    url,
    output,
    /** Stops it with SIGTERM; resolves to its exit code and signal. */
    async stop() {
      child.kill("SIGTERM");
      return exited;
    },
  };
}

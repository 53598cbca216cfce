import { spawn } from "node:child_process";
import { once } from "node:events";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../../../", import.meta.url));

function runCli(...args: string[]) {
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

describe("npm run simulator (cli)", () => {
  it("prints its base URL, serves the API on loopback and exits 0 on SIGTERM", async () => {
    const { child, exited, output } = runCli("--port", "0");
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout.on("data", () => {
        const match = /^ThingSpace simulator: (http:\/\/127\.0\.0\.1:\d+\/api)$/m.exec(output().stdout);
        if (match) resolve(match[1]!);
      });
      child.once("exit", () => reject(new Error(`cli exited early: ${output().stderr}`)));
    });
    const token = await fetch(`${url}/ts/v1/oauth2/token`, {
      method: "POST",
      headers: { authorization: `Basic ${Buffer.from("a:b").toString("base64")}`, "content-type": "application/x-www-form-urlencoded" },
      body: "grant_type=client_credentials",
    });
    expect(token.status).toBe(200);
    child.kill("SIGTERM");
    expect(await exited).toEqual([0, null]);
  });

  it("refuses a port that is not a number, exiting 2 with the usage", async () => {
    const { exited, output } = runCli("--port", "http");
    expect(await exited).toEqual([2, null]);
    expect(output().stderr).toContain("--port must be a whole number from 0 to 65535 (got http).\nUsage: npm run simulator");
  });
});

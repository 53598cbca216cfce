/**
 * The README's examples as a newcomer runs them: in a fresh copy of the repository (the files git
 * tracks or would track, as they are in the working tree: no dist/, nothing built), after
 * `npm ci` (here: this checkout's node_modules, linked), in the README's order: start the
 * simulator with `npm run simulator`, save each TypeScript example that imports the package
 * exactly as the README writes it, and run it with `npx tsx`. The only difference from the
 * README: the simulator listens on a free port (`THINGSPACE_SIMULATOR_PORT=0`, which the README
 * also shows) and the complete example is given its URL as THINGSPACE_BASE_URL.
 */
import { execFile, execFileSync, spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../../../", import.meta.url));
const run = promisify(execFile);

/** Every ```ts block of the README that imports the package, with the heading it stands under. */
function packageExamples(readme: string): { heading: string; code: string }[] {
  const examples: { heading: string; code: string }[] = [];
  let heading = "";
  for (const match of readme.matchAll(/^(#{2,4} .+)$|^```ts\n([\s\S]*?)^```$/gm)) {
    if (match[1] !== undefined) heading = match[1].replace(/^#+ /, "");
    // A listener that exports its server runs until closed: test/integration/callbacks/readme-dedupe-stores.test.ts
    // imports those and closes them; here only examples that end by themselves run.
    else if (/from "thingspace-m2m[^"]*"/.test(match[2]!) && !/^export const server\b/m.test(match[2]!)) {
      examples.push({ heading, code: match[2]! });
    }
  }
  return examples;
}

/** The file name the README gives an example, or one of our own when it gives none. */
function fileNameFor(example: { heading: string; code: string }, index: number): string {
  if (example.heading === "A complete example") return "example.mts";
  if (example.heading.startsWith("A listener in node:http")) return "receive-callbacks.ts";
  return `readme-example-${index}.mts`;
}

const readme = readFileSync(path.join(root, "README.md"), "utf8");
const examples = packageExamples(readme);
const clone = mkdtempSync(path.join(tmpdir(), "thingspace-m2m-fresh-clone-"));
let simulator: ChildProcess | undefined;
let simulatorUrl = "";

/** Copies what a clone holds (tracked and untracked-but-not-ignored files) and links node_modules. */
function makeFreshClone(): void {
  const files = execFileSync("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], {
    cwd: root,
    encoding: "utf8",
  })
    .split("\0")
    .filter((file) => file !== "" && existsSync(path.join(root, file)));
  for (const file of files) {
    mkdirSync(path.dirname(path.join(clone, file)), { recursive: true });
    copyFileSync(path.join(root, file), path.join(clone, file));
  }
  symlinkSync(path.join(root, "node_modules"), path.join(clone, "node_modules"), "dir");
}

/** `THINGSPACE_SIMULATOR_PORT=0 npm run simulator`, in its own process group; resolves to its URL. */
async function startSimulator(): Promise<string> {
  simulator = spawn("npm", ["run", "simulator", "--silent"], {
    cwd: clone,
    env: { ...process.env, THINGSPACE_SIMULATOR_PORT: "0", npm_config_update_notifier: "false" },
    detached: true,
  });
  let stdout = "";
  return new Promise<string>((resolve, reject) => {
    simulator!.stdout!.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
      const match = /^ThingSpace simulator: (http:\/\/127\.0\.0\.1:\d+\/api)$/m.exec(stdout);
      if (match) resolve(match[1]!);
    });
    simulator!.once("exit", (code) => reject(new Error(`npm run simulator exited early with ${code}`)));
  });
}

describe("the README's examples in a fresh clone, with nothing built", () => {
  beforeAll(async () => {
    makeFreshClone();
    simulatorUrl = await startSimulator();
  }, 60_000);

  afterAll(async () => {
    if (simulator?.pid !== undefined && simulator.exitCode === null) {
      const exited = once(simulator, "exit");
      process.kill(-simulator.pid, "SIGTERM"); // npm, its shell and the simulator: the group started above
      await exited;
    }
    rmSync(clone, { recursive: true, force: true });
  });

  it("has no dist/, and finds the examples this test runs", () => {
    expect(existsSync(path.join(clone, "dist"))).toBe(false);
    expect(examples.map((example, index) => fileNameFor(example, index))).toEqual(
      expect.arrayContaining(["example.mts", "receive-callbacks.ts"]),
    );
    expect(examples.length).toBeGreaterThanOrEqual(6);
  });

  it.each(examples.map((example, index) => [fileNameFor(example, index), example.heading, example.code] as const))(
    "npx tsx %s (%s) runs as written and exits 0",
    async (fileName, _heading, code) => {
      writeFileSync(path.join(clone, fileName), code);
      const { stdout } = await run("npx", ["tsx", fileName], {
        cwd: clone,
        env: { ...process.env, THINGSPACE_BASE_URL: simulatorUrl, THINGSPACE_CLIENT_ID: "" },
        timeout: 120_000,
      });
      if (fileName === "example.mts") {
        expect(stdout.split("\n")[0]).toBe("listeners: []");
        expect(stdout).toContain("chunk 2: 5001 devices accepted ");
      }
      if (fileName === "receive-callbacks.ts") expect(stdout).toContain("every device reported");
    },
    150_000,
  );
});

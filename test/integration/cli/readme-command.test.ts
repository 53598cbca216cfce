/**
 * The README's section on the command, as written: its session runs in a scratch directory
 * (only `npx thingspace-m2m` is replaced by this checkout's bin, since npx outside the
 * repository would look the name up on the registry) and prints what the README shows; its
 * options table lists exactly the options `--help` lists; `npm start` prints the summary shown.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { bin, cleanEnv, scratch } from "./run-command.js";

const readme = readFileSync(new URL("../../../README.md", import.meta.url), "utf8");
const root = new URL("../../../", import.meta.url).pathname;

/** The text of a `###`/`##` section, up to the next heading of the same level or above. */
function section(heading: string): string {
  const start = readme.indexOf(`\n${heading}\n`);
  if (start < 0) throw new Error(`README.md has no "${heading}" section`);
  const level = heading.split(" ")[0]!;
  const next = [...readme.slice(start + heading.length + 2).matchAll(/^(#{2,3}) /gm)].find(
    (match) => match[1]!.length <= level.length,
  );
  return readme.slice(start, next ? start + heading.length + 2 + next.index : undefined);
}

/** The fenced blocks of a section: `sh` blocks and plain (output) blocks, in order. */
function blocks(text: string): { lang: string; body: string }[] {
  return [...text.matchAll(/^```(\w*)\n([\s\S]*?)^```$/gm)].map((match) => ({ lang: match[1]!, body: match[2]! }));
}

function runShell(script: string, cwd: string) {
  const command = script.replaceAll("npx thingspace-m2m", `node ${bin}`);
  return spawnSync("bash", ["-c", command], { cwd, env: cleanEnv(), encoding: "utf8" });
}

describe("README: the thingspace-m2m command", () => {
  it("the session runs as written and prints what the README shows", () => {
    const [create, refused, resend, reported] = blocks(section("### A session: CSV in, report out"));
    expect([create!.lang, refused!.lang, resend!.lang, reported!.lang]).toEqual(["sh", "", "sh", ""]);
    const { dir } = scratch();
    const first = runShell(create!.body, dir);
    expect(first.status).toBe(2);
    expect(first.stderr).toBe(refused!.body);
    const second = runShell(resend!.body, dir);
    expect(second.stdout).toBe(reported!.body);
  }, 60_000);

  it("the options table lists exactly the options of each subcommand's --help", () => {
    const table = section("### Options")
      .split("\n")
      .flatMap((line) => {
        const match = /^\| `(--[a-z-]+)(?: <[a-z]+>)?` \| ([a-z, -]+) \|/.exec(line);
        return match ? [{ option: match[1]!, subcommands: match[2]!.split(", ") }] : [];
      });
    for (const subcommand of ["add", "activate", "go-to-state", "reconcile"]) {
      const help = execFileSync(process.execPath, [bin, subcommand, "--help"], { encoding: "utf8" });
      const listed = [...help.matchAll(/^ {2}(--[a-z-]+)/gm)].map((match) => match[1]!).filter((o) => o !== "--help");
      const documented = table
        .filter((row) => row.subcommands.includes("all") || row.subcommands.includes(subcommand))
        .map((row) => row.option);
      expect(documented.sort(), subcommand).toEqual(listed.sort());
    }
  }, 60_000);

  it("npm start runs the command on examples/devices.csv and prints the summary shown", () => {
    const shown = blocks(section("## The main job: the `thingspace-m2m` command"));
    const script = JSON.parse(readFileSync(new URL("package.json", `file://${root}`), "utf8")).scripts.start as string;
    expect(script).toBe(
      `node bin/${shown[0]!.body
        .replace(/\\\n\s*/g, "")
        .replace(/\s+$/, "")
        .replace(/^thingspace-m2m/, "thingspace-m2m.js")}`,
    );
    const run = spawnSync("npm", ["start", "--silent"], { cwd: root, env: cleanEnv(), encoding: "utf8" });
    expect(run.status).toBe(0);
    expect(run.stdout).toBe(shown[1]!.body);
  }, 60_000);
});

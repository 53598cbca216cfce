// Runs the code block of the README's "How results reach you" section exactly as written, with
// the package's import specifiers pointed at the sources, and checks that it prints what its
// comments say.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { afterAll, afterEach, describe, expect, it, vi } from "vitest";

const heading = "## How results reach you: callbacks first, then a lookup";
const root = readFileSync(new URL("../../../README.md", import.meta.url), "utf8");
const start = root.indexOf(heading);
const end = root.indexOf("\n## ", start + 1);
const blocks = start < 0 ? [] : [...root.slice(start, end).matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]!);
const source = (path: string) => fileURLToPath(new URL(`../../../src/${path}`, import.meta.url));
const specifiers: Record<string, string> = {
  "thingspace-m2m/callbacks": source("callbacks/index.js"),
  "thingspace-m2m/simulator": source("simulator/index.js"),
  "thingspace-m2m": source("index.js"),
};
const directory = mkdtempSync(join(tmpdir(), "reconcile-readme-"));
afterAll(() => rmSync(directory, { recursive: true, force: true }));
afterEach(() => vi.restoreAllMocks());

describe("README: How results reach you", () => {
  it("has the one example this test runs", () => {
    expect(start).toBeGreaterThan(0);
    expect(blocks).toHaveLength(1);
  });

  it("a lost device's result comes by reconciliation, and a lost answer is checked: as the comments say", async () => {
    const log = vi.spyOn(console, "log").mockImplementation(() => undefined);
    const code = blocks[0]!.replace(
      /from "(thingspace-m2m[^"]*)"/g,
      (_, name: string) => `from ${JSON.stringify(specifiers[name])}`,
    );
    const file = join(directory, "reconcile.ts");
    writeFileSync(file, code);
    await import(pathToFileURL(file).href);
    const printed = log.mock.calls.map((args) => args.map((arg) => JSON.stringify(arg)).join(" "));
    expect(printed).toEqual([
      '"990013907835573 succeeded by callback"',
      '"990013907835581 succeeded by callback"',
      '"990013907835599 succeeded by reconciliation (listed active)"',
      '"took-effect" ["990013907835607 took-effect"]',
    ]);
    // The comments under each console.log show the same lines.
    expect(blocks[0]).toContain(
      [
        "// 990013907835573 succeeded by callback",
        "// 990013907835581 succeeded by callback",
        "// 990013907835599 succeeded by reconciliation (listed active)",
      ].join("\n"),
    );
    expect(blocks[0]).toContain("// took-effect [ '990013907835607 took-effect' ]");
  }, 30_000);
});

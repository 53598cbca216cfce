import { readFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { generatedDir, renderGeneratedFiles } from "../../../scripts/generate.js";

describe("generated/", () => {
  it("is exactly what `npm run generate` writes from spec/ (run it after editing the spec)", async () => {
    const files = await renderGeneratedFiles();
    expect([...files.keys()].sort()).toEqual(["openapi-types.ts", "openapi.json", "validators.d.ts", "validators.js"]);
    for (const [name, expected] of files) {
      const onDisk = await readFile(path.join(generatedDir, name), "utf8");
      expect(onDisk, `generated/${name} is stale: run npm run generate`).toBe(expected);
    }
  });

  it("ships validators as pure ESM with no run-time compilation", async () => {
    const code = await readFile(path.join(generatedDir, "validators.js"), "utf8");
    expect(code).not.toMatch(/\brequire\(/);
    expect(code).not.toMatch(/new Function|\beval\(/);
    // ajv's run-time helpers are written into the module (scripts/inline-ajv-runtime.ts): it imports nothing.
    expect(code).not.toMatch(/^\s*import\b/m);
    expect(code).toMatch(/^const runtime0 = \{ default: function ucs2length\(str\) \{$/m);
  });
});

/**
 * The README's TypeScript examples, run as written: the code blocks of one `##` section, each
 * loaded as a module whose `thingspace-m2m…` imports point at the sources instead.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const sourceOf = (path: string) => fileURLToPath(new URL(`../../src/${path}`, import.meta.url));

/** Where each package entry's code lives in src/. */
const entrySources: Record<string, string> = {
  "thingspace-m2m": sourceOf("index.js"),
  "thingspace-m2m/callbacks": sourceOf("callbacks/index.js"),
  "thingspace-m2m/callbacks/redis": sourceOf("callbacks/redis.js"),
  "thingspace-m2m/callbacks/postgres": sourceOf("callbacks/postgres.js"),
  "thingspace-m2m/simulator": sourceOf("simulator/index.js"),
};

/** The ```ts blocks of the README section under `heading` (up to the next `## `). */
export function readmeBlocks(heading: string): string[] {
  const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
  const start = readme.indexOf(`\n${heading}\n`);
  if (start < 0) throw new Error(`README.md has no "${heading}" section`);
  const end = readme.indexOf("\n## ", start + 1);
  const section = readme.slice(start, end < 0 ? undefined : end);
  return [...section.matchAll(/```ts\n([\s\S]*?)```/g)].map((match) => match[1]!);
}

/** Loads blocks as modules from a temporary directory; `remove()` deletes it. */
export function readmeModules(blocks: readonly string[]) {
  const directory = mkdtempSync(join(tmpdir(), "readme-blocks-"));
  return {
    /** Writes block `index` as module `name` (a block loaded under two names runs twice) and imports it. */
    async load(index: number, name = `block-${index}`): Promise<Record<string, any>> {
      const code = blocks[index]!.replace(/from "(thingspace-m2m[^"]*)"/g, (_, entry: string) => {
        const source = entrySources[entry];
        if (!source) throw new Error(`README block ${index} imports ${entry}, which readme-blocks.ts does not map`);
        return `from ${JSON.stringify(source)}`;
      });
      const file = join(directory, `${name}.ts`);
      writeFileSync(file, code);
      return import(pathToFileURL(file).href);
    },
    remove: () => rmSync(directory, { recursive: true, force: true }),
  };
}

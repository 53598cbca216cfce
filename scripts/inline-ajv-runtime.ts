/**
 * ajv's standalone output `require()`s a few CommonJS modules at run time: its `ucs2length`
 * helper and the formats of ajv-formats. Importing them made Node start its CommonJS loader for
 * the validators, which cost more than loading the validators themselves (import to first
 * answer: about 40 ms, against about 15 ms with them inlined). Their code is small, so it is
 * written into the module instead, taken from the installed packages at generate time: the
 * validators then import nothing.
 */
import { createRequire } from "node:module";
import { buildSync } from "esbuild";

const require = createRequire(import.meta.url);

/** A CommonJS module bundled into one expression that evaluates to its `module.exports`. */
function bundled(file: string): string {
  const { outputFiles } = buildSync({
    entryPoints: [require.resolve(file)],
    bundle: true,
    format: "iife",
    globalName: "exported",
    minify: true,
    write: false,
    logLevel: "error",
  });
  const match = /^"use strict";var exported=([\s\S]*);\n$/.exec(outputFiles[0]!.text);
  if (!match) throw new Error(`esbuild's bundle of ${file} no longer has the expected shape`);
  return match[1]!;
}

/** How each module ajv's code requires is written into the validators. */
const inliners: Record<string, () => string> = {
  // One pure function: its source, exactly as ajv ships it.
  "ajv/dist/runtime/ucs2length": () =>
    `{ default: ${String((require("ajv/dist/runtime/ucs2length") as { default: () => number }).default)} }`,
  // Formats close over the module's regular expressions: the whole module.
  "ajv-formats/dist/formats": () => bundled("ajv-formats/dist/formats"),
};

/** Replaces each `require("…")` of ajv's standalone `code` with the required module's code. */
export function inlineAjvRuntime(code: string): string {
  const names = new Map<string, string>();
  const body = code.replace(/require\("([^"]+)"\)/g, (_match, specifier: string) => {
    if (!inliners[specifier])
      throw new Error(`ajv's standalone code requires ${specifier}, which scripts/inline-ajv-runtime.ts cannot inline`);
    if (!names.has(specifier)) names.set(specifier, `runtime${names.size}`);
    return names.get(specifier)!;
  });
  const declarations = [...names].map(
    ([specifier, name]) => `// ${specifier}\nconst ${name} = ${inliners[specifier]!()};`,
  );
  return `${declarations.join("\n")}\n${body}`;
}

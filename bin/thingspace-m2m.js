#!/usr/bin/env node
// The `thingspace-m2m` command. In a clone of the repository it runs the TypeScript source
// through tsx (a devDependency), even when a build has left dist/ behind: a dist/ that is older
// than an edit would otherwise run stale code. Installed from the package (which ships dist/,
// not src/), it runs the build.
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const source = new URL("../src/cli/main.ts", import.meta.url);
if (existsSync(fileURLToPath(source))) {
  const { register } = await import("tsx/esm/api");
  register();
  await import(source.href);
} else {
  await import(new URL("../dist/src/cli/main.js", import.meta.url).href);
}

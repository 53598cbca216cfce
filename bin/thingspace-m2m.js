#!/usr/bin/env node
// The `thingspace-m2m` command. Installed from the package, it runs the built dist/; in a clone
// of the repository (no dist/ yet), it runs the TypeScript source through tsx, a devDependency.
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const built = new URL("../dist/src/cli/main.js", import.meta.url);
if (existsSync(fileURLToPath(built))) {
  await import(built.href);
} else {
  const { register } = await import("tsx/esm/api");
  register();
  await import(new URL("../src/cli/main.ts", import.meta.url).href);
}

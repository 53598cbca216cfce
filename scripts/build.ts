/**
 * `npm run build`: compiles src/ to dist/ (ESM and .d.ts) with tsc, then copies the generated
 * validators, which are already JavaScript (tsc would not emit them next to their .d.ts), and the
 * PostgreSQL dedupe store's SQL migration.
 */
import { execFileSync } from "node:child_process";
import { copyFileSync, mkdirSync, rmSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const dist = path.join(root, "dist");

rmSync(dist, { recursive: true, force: true });
execFileSync(process.execPath, [path.join(root, "node_modules/typescript/bin/tsc"), "-p", "tsconfig.build.json"], {
  cwd: root,
  stdio: "inherit",
});
mkdirSync(path.join(dist, "generated"), { recursive: true });
for (const file of ["validators.js", "validators.d.ts"]) {
  copyFileSync(path.join(root, "generated", file), path.join(dist, "generated", file));
}
// The PostgreSQL dedupe store's migration, read by store.migrate() beside its module and
// exported as thingspace-m2m/callbacks/postgres-dedupe.sql for users' migration tools.
copyFileSync(
  path.join(root, "src/callbacks/postgres-dedupe.sql"),
  path.join(dist, "src/callbacks/postgres-dedupe.sql"),
);
console.log("built dist/");

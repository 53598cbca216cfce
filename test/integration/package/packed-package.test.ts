/**
 * The package as users get it, following the README's "In your own project": `npm pack`, then
 * `npm install <tarball>` and `npm install --save-dev tsx` in a scratch project, then the
 * README's complete example run there as written (`npx tsx example.mts`), and every entry
 * imported and used from JavaScript and TypeScript. Two differences, both for a test: the tarball
 * is packed straight into the scratch project (`--pack-destination`), and npm installs offline,
 * with the dependencies linked from this checkout's node_modules.
 */
import { execFile, execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSimulatorServer } from "../../../src/simulator/index.js";
import { createRunSchema, databaseUrl, dropRunData, redisUrl, runName } from "../../support/services.js";

const root = fileURLToPath(new URL("../../../", import.meta.url));
const run = promisify(execFile);
const scratch = mkdtempSync(path.join(tmpdir(), "thingspace-m2m-package-"));
const npm = (args: string[], cwd: string) =>
  execFileSync("npm", args, { cwd, encoding: "utf8", env: { ...process.env, npm_config_update_notifier: "false" } });

// The shared dedupe stores, used for real from the package: the SQL migration must be shipped
// beside the PostgreSQL store's module, and neither entry may need more than the client it is given.
const storeRun = runName();
const storesScript = `
import { createClient } from "redis";
import pg from "pg";
import { createRedisDedupeStore } from "thingspace-m2m/callbacks/redis";
import { createPostgresDedupeStore } from "thingspace-m2m/callbacks/postgres";
import { createRequire } from "node:module";
import { readFileSync } from "node:fs";

const redis = await createClient({ url: process.env.REDIS_URL }).connect();
const redisStore = createRedisDedupeStore({ client: redis, keyPrefix: process.env.RUN + ":" });
const claims = [await redisStore.claim("k"), await redisStore.claim("k")];
await redisStore.complete("k");
claims.push(await redisStore.claim("k"));
await redisStore.close();
await redis.close();

const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, options: "-c search_path=" + process.env.RUN });
const postgresStore = createPostgresDedupeStore({ pool, transactional: true, sweepIntervalMs: 0 });
await postgresStore.migrate();
const once = [];
for (let i = 0; i < 2; i++) once.push(await postgresStore.handleOnce("k", async (client) => { await client.query("SELECT 1"); }, console.error));
await postgresStore.close();
await pool.end();
const sql = readFileSync(createRequire(import.meta.url).resolve("thingspace-m2m/callbacks/postgres-dedupe.sql"), "utf8");
console.log(JSON.stringify({ claims, once, sql: sql.includes("CREATE TABLE IF NOT EXISTS thingspace_callback_dedupe") }));
`;

const userScript = `
import { createThingSpaceClient, ValidationError } from "thingspace-m2m";
import { parseCallback, createCallbackHandler } from "thingspace-m2m/callbacks";
import { exampleDevices, startSimulatorServer } from "thingspace-m2m/simulator";
import { simulatorHandlers } from "thingspace-m2m/simulator/msw";

const simulator = await startSimulatorServer({ port: 0 });
const client = createThingSpaceClient({
  baseUrl: simulator.url,
  credentials: { clientId: "id", clientSecret: "secret", username: "user", password: "password" },
  accountName: "TestAccount-1",
});
const accepted = await client.activateDevices({ devices: exampleDevices(3), servicePlan: "plan", mdnZipCode: "98801" });
let invalid;
try {
  await client.activateDevices({ devices: [], servicePlan: "plan", mdnZipCode: "98801" });
} catch (error) {
  invalid = error instanceof ValidationError ? error.violations.map((v) => v.path + " " + v.rule) : String(error);
}
const parsed = parseCallback(JSON.stringify({ requestId: "r", status: "Failed", deviceIds: [{ kind: "IMEI", id: "1" }], faultResponse: { faultcode: "c", faultstring: "s" } }), { service: "CarrierService" });
const handler = createCallbackHandler({ credentials: { username: "u", password: "p" }, onCallback() {} });
const refused = await handler(new Request("http://localhost/", { method: "GET" }));
await client.logout();
await simulator.close();
console.log(JSON.stringify({
  requestId: typeof accepted.requestId,
  invalid,
  parsed: parsed.ok ? parsed.callback.kind : parsed.violations,
  refused: refused.status,
  msw: typeof simulatorHandlers,
}));
`;

const userTypes = `
import { createThingSpaceClient, type ThingSpaceClient, type components } from "thingspace-m2m";
import { parseCallback } from "thingspace-m2m/callbacks";
import { createRedisDedupeStore, type RedisDedupeStore } from "thingspace-m2m/callbacks/redis";
import { createPostgresDedupeStore } from "thingspace-m2m/callbacks/postgres";
import { createClient } from "redis";
import pg from "pg";
const redisStore: RedisDedupeStore = createRedisDedupeStore({ client: createClient() });
const postgresStore = createPostgresDedupeStore({ pool: new pg.Pool(), transactional: true });
void postgresStore.handleOnce("k", async (transaction: pg.PoolClient) => void (await transaction.query("SELECT 1")), () => undefined);
void redisStore;
const client: ThingSpaceClient = createThingSpaceClient({ accessToken: () => "a", sessionToken: () => "s" });
const body: components["schemas"]["ActivateDevicesRequest"] = { groupName: "g", servicePlan: "p", mdnZipCode: "98801" };
void client.activateDevices(body);
const result = parseCallback("{}");
if (result.ok) { const kind: string = result.callback.kind; void kind; }
`;

describe("the packed package", () => {
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  beforeAll(() => {
    npm(["pack", "--pack-destination", scratch, "--silent"], root);
    const tarball = readdirSync(scratch).find((file) => file.endsWith(".tgz"))!;
    // The tarball is installed for real; its dependencies are linked from this project's
    // node_modules (exactly those package.json declares, so an undeclared import fails), which
    // lets npm install offline with nothing from the registry.
    const manifest = JSON.parse(readFileSync(path.join(root, "package.json"), "utf8")) as {
      dependencies: Record<string, string>;
    };
    const link = (names: string[]) =>
      Object.fromEntries(names.map((name) => [name, `file:${path.join(root, "node_modules", name)}`]));
    writeFileSync(
      path.join(scratch, "package.json"),
      JSON.stringify({
        name: "scratch",
        private: true,
        type: "module",
        dependencies: link([
          ...Object.keys(manifest.dependencies),
          "hono",
          "msw",
          "@types/node",
          "redis",
          "pg",
          "@types/pg",
        ]),
        devDependencies: link(["tsx"]), // the README's `npm install --save-dev tsx`
      }),
    );
    // The README's `npm install ../thingspace-m2m/thingspace-m2m-0.1.0.tgz`.
    npm(["install", "--offline", "--no-audit", "--no-fund", "--silent", `./${tarball}`], scratch);
  }, 240_000);

  it("installs as the README says: the tarball is a dependency of the project", () => {
    const manifest = JSON.parse(readFileSync(path.join(scratch, "package.json"), "utf8")) as {
      dependencies: Record<string, string>;
    };
    expect(manifest.dependencies["thingspace-m2m"]).toBe("file:thingspace-m2m-0.1.0.tgz");
  });

  it("runs the README's complete example as written with npx tsx, from the installed dist/", async () => {
    const readme = readFileSync(path.join(root, "README.md"), "utf8");
    const section = readme.slice(readme.indexOf("### A complete example"));
    const example = /```ts\n([\s\S]*?)^```$/m.exec(section)![1]!;
    writeFileSync(path.join(scratch, "example.mts"), example);
    const simulator = await startSimulatorServer({ port: 0 });
    try {
      const { stdout } = await run("npx", ["tsx", "example.mts"], {
        cwd: scratch,
        env: { ...process.env, THINGSPACE_BASE_URL: simulator.url, THINGSPACE_CLIENT_ID: "" },
        timeout: 120_000,
      });
      const lines = stdout.trim().split("\n");
      expect(lines[0]).toBe("listeners: []");
      expect(lines.slice(2, 5)).toEqual(["10000 devices sent", "20000 devices sent", "25001 devices sent"]);
      expect(simulator.simulator.calls("activateDevices")).toBe(4);
    } finally {
      await simulator.close();
    }
    const resolved = execFileSync(
      process.execPath,
      ["--input-type=module", "-e", 'console.log(import.meta.resolve("thingspace-m2m"))'],
      { cwd: scratch, encoding: "utf8" },
    );
    expect(resolved.trim()).toBe(
      `file://${path.join(realpathSync(scratch), "node_modules/thingspace-m2m/dist/src/index.js")}`,
    );
  }, 150_000);

  it("imports and uses the main, callbacks, simulator and msw entries from JavaScript", () => {
    writeFileSync(path.join(scratch, "use.mjs"), userScript);
    const out = execFileSync(process.execPath, ["use.mjs"], { cwd: scratch, encoding: "utf8" });
    expect(JSON.parse(out.trim().split("\n").pop()!)).toEqual({
      requestId: "string",
      invalid: ["/devices minItems"],
      parsed: "activateFailed",
      refused: 405,
      msw: "function",
    });
  }, 60_000);

  it("uses the Redis and PostgreSQL dedupe stores from their entries, the SQL migration shipped", async () => {
    await createRunSchema(storeRun);
    try {
      writeFileSync(path.join(scratch, "stores.mjs"), storesScript);
      const env = { ...process.env, REDIS_URL: redisUrl, DATABASE_URL: databaseUrl, RUN: storeRun };
      const out = execFileSync(process.execPath, ["stores.mjs"], { cwd: scratch, encoding: "utf8", env });
      expect(JSON.parse(out.trim().split("\n").pop()!)).toEqual({
        claims: ["acquired", "in-progress", "completed"],
        once: ["handled", "duplicate"],
        sql: true,
      });
    } finally {
      await dropRunData({ prefix: `${storeRun}:`, schema: storeRun });
    }
  }, 60_000);

  it("installs the thingspace-m2m command: npx thingspace-m2m --help, and a run against the embedded simulator", () => {
    const help = execFileSync("npx", ["--offline", "thingspace-m2m", "--help"], { cwd: scratch, encoding: "utf8" });
    expect(help).toContain("Usage: thingspace-m2m [options] [command]");
    expect(help).toContain("activate [options] <file>");
    writeFileSync(path.join(scratch, "devices.csv"), "imei,iccid\n990013907835573,89148000000800139708\n");
    const run = execFileSync(
      "npx",
      [
        "--offline",
        "thingspace-m2m",
        "activate",
        "devices.csv",
        "--simulator",
        "--service-plan",
        "p",
        "--zip",
        "98801",
      ],
      { cwd: scratch, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] },
    );
    expect(run).toBe("devices    1: 1 succeeded\nresults    1 by reconciliation\n");
    // It ran the built command the tarball holds, not this checkout's source.
    const bin = realpathSync(path.join(scratch, "node_modules/.bin/thingspace-m2m"));
    expect(bin).toBe(path.join(realpathSync(scratch), "node_modules/thingspace-m2m/bin/thingspace-m2m.js"));
    expect(readdirSync(path.join(scratch, "node_modules/thingspace-m2m/dist/src/cli"))).toContain("main.js");
  }, 60_000);

  it("ships the bundled spec as thingspace-m2m/openapi.json, for the user's own tools", () => {
    const script = `
import { createRequire } from "node:module";
import spec from "thingspace-m2m/openapi.json" with { type: "json" };
const file = createRequire(import.meta.url).resolve("thingspace-m2m/openapi.json");
console.log(JSON.stringify({ file, spec }));
`;
    writeFileSync(path.join(scratch, "spec.mjs"), script);
    const out = execFileSync(process.execPath, ["spec.mjs"], { cwd: scratch, encoding: "utf8" });
    const { file, spec } = JSON.parse(out) as { file: string; spec: Record<string, unknown> };
    expect(path.relative(scratch, file)).toBe(path.join("node_modules", "thingspace-m2m", "generated", "openapi.json"));
    expect(spec).toEqual(JSON.parse(readFileSync(path.join(root, "generated", "openapi.json"), "utf8")));
    expect(spec.openapi).toBe("3.1.0");
  }, 60_000);

  it("type-checks a TypeScript user of the main, callbacks, callbacks/redis and callbacks/postgres entries", () => {
    writeFileSync(path.join(scratch, "use.ts"), userTypes);
    const tsc = path.join(root, "node_modules/typescript/bin/tsc");
    const args = [
      "--noEmit",
      "--strict",
      "--module",
      "nodenext",
      "--moduleResolution",
      "nodenext",
      "--target",
      "es2022",
      "--lib",
      "es2023,dom",
      "--types",
      "node",
      "use.ts",
    ];
    expect(() => execFileSync(process.execPath, [tsc, ...args], { cwd: scratch, encoding: "utf8" })).not.toThrow();
  }, 60_000);
});

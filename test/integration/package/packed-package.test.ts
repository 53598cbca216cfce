/**
 * The package as users get it: `npm pack`, install the tarball into a scratch project (no
 * network), then import and use every entry from there, in JavaScript and in TypeScript.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../../../", import.meta.url));
const scratch = mkdtempSync(path.join(tmpdir(), "thingspace-m2m-package-"));
const npm = (args: string[], cwd: string) =>
  execFileSync("npm", args, { cwd, encoding: "utf8", env: { ...process.env, npm_config_update_notifier: "false" } });

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
const client: ThingSpaceClient = createThingSpaceClient({ accessToken: () => "a", sessionToken: () => "s" });
const body: components["schemas"]["ActivateDevicesRequest"] = { groupName: "g", servicePlan: "p", mdnZipCode: "98801" };
void client.activateDevices(body);
const result = parseCallback("{}");
if (result.ok) { const kind: string = result.callback.kind; void kind; }
`;

describe("the packed package", () => {
  beforeAll(() => {
    npm(["pack", "--pack-destination", scratch, "--silent"], root);
    const tarball = readdirSync(scratch).find((file) => file.endsWith(".tgz"))!;
    // The tarball is installed for real; its dependencies are linked from this project's
    // node_modules (exactly those package.json declares, so an undeclared import fails), which
    // lets npm install offline with nothing from the registry.
    const manifest = JSON.parse(readFileSync(path.join(root, "package.json"), "utf8")) as {
      dependencies: Record<string, string>;
    };
    const linked = [...Object.keys(manifest.dependencies), "hono", "msw", "@types/node"];
    const dependencies: Record<string, string> = { "thingspace-m2m": `file:./${tarball}` };
    for (const name of linked) dependencies[name] = `file:${path.join(root, "node_modules", name)}`;
    writeFileSync(
      path.join(scratch, "package.json"),
      JSON.stringify({ name: "scratch", private: true, type: "module", dependencies }),
    );
    npm(["install", "--offline", "--no-audit", "--no-fund", "--silent"], scratch);
  }, 240_000);

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

  it("type-checks a TypeScript user of the main and callbacks entries", () => {
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

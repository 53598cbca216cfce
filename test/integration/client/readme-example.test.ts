// The README's "Using the SDK" example, as written there (the import points at the sources
// instead of the package, and the top-level code sits in a function), run against the
// simulator on a loopback port, so the documentation cannot drift from what runs.
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { startSimulatorServer, type SimulatorServer } from "../../../src/simulator/index.js";
import {
  clientOptionsFromEnv,
  ConfigurationError,
  createThingSpaceClient,
  OutcomeUnknownError,
  ValidationError,
  type ActivateDevice,
} from "../../../src/client/index.js";

// The body is compared with the README word for word: the README keeps its own layout.
// prettier-ignore
async function readmeExample(): Promise<void> {
  const client = createThingSpaceClient(
    process.env.THINGSPACE_CLIENT_ID
      ? clientOptionsFromEnv() // ThingSpace itself: every THINGSPACE_* variable (each one missing is named)
      : {
          // No credentials in the environment: the simulator started with `npm run simulator`.
          baseUrl: process.env.THINGSPACE_BASE_URL ?? "http://127.0.0.1:4010/api",
          credentials: { clientId: "demo-id", clientSecret: "demo-secret", username: "demo", password: "demo-password" },
          accountName: "TestAccount-1", // used wherever a call takes an account and you give none
        },
  );

  // Where ThingSpace sends the results: your callback listener.
  if (process.env.CALLBACK_URL) {
    await client.registerCallback({
      name: "CarrierService",
      url: process.env.CALLBACK_URL,
      username: "thingspace",
      password: process.env.CALLBACK_PASSWORD ?? "a-long-random-secret",
    });
  }
  // (A listing also holds the credentials each listener was registered with: print only where they go.)
  console.log("listeners:", (await client.listCallbacks()).map(({ serviceName, url }) => `${serviceName} → ${url}`));

  // One request: up to 10,000 devices; the results follow as CarrierService callbacks.
  const { requestId } = await client.activateDevices({
    servicePlan: "M2MPlan",
    mdnZipCode: "98801",
    devices: [{ deviceIds: [{ kind: "imei", id: "990013907835573" }, { kind: "iccid", id: "89148000000800139708" }] }],
  });
  console.log(`activation accepted: ${requestId}`);

  // Any number of devices, from an array or an (async) iterable: requests of at most 10,000,
  // at most 100 activate requests a minute (a request waits for its turn).
  function* fleet(count: number): Generator<ActivateDevice> {
    for (let i = 0; i < count; i++) yield { deviceIds: [{ kind: "imei", id: String(350000000000000 + i) }] };
  }
  const plan = { servicePlan: "M2MPlan", mdnZipCode: "98801" };
  const batch = await client.activateDevicesInBatches(fleet(25_001), plan, {
    onProgress: (progress) => console.log(`${progress.devicesDone} devices sent`),
  });
  for (const chunk of batch.chunks) {
    console.log(`chunk ${chunk.index}: ${chunk.deviceCount} devices ${chunk.status} ${chunk.requestId ?? chunk.error?.message}`);
  }
  // A re-run given the result sends only the chunks that failed.
  if (batch.failedCount > 0) await client.activateDevicesInBatches(fleet(25_001), plan, { skip: batch });

  // Bodies are checked against the spec before anything is sent; errors are typed.
  try {
    await client.activateDevices({ ...plan, mdnZipCode: "988", devices: [{ deviceIds: [{ kind: "imei", id: "12" }] }] });
  } catch (error) {
    if (error instanceof ValidationError) console.log(error.message); // nothing was sent
    else if (error instanceof OutcomeUnknownError) console.log(error.howToCheck); // it may have taken effect
    else throw error;
  }

  await client.logout();
}

describe("README: Using the SDK", () => {
  let server: SimulatorServer;
  beforeAll(async () => {
    server = await startSimulatorServer({ port: 0 });
  });
  afterAll(async () => {
    await server.close();
  });

  /** Runs the example with these environment variables (any other THINGSPACE_* unset) and returns what it printed. */
  async function runExample(env: Record<string, string>): Promise<string[]> {
    for (const name of Object.keys(process.env).filter((name) => name.startsWith("THINGSPACE_"))) {
      vi.stubEnv(name, "");
    }
    for (const [name, value] of Object.entries(env)) vi.stubEnv(name, value);
    const lines: string[] = [];
    const log = vi.spyOn(console, "log").mockImplementation((...args: unknown[]) => {
      lines.push(args.map((a) => (typeof a === "string" ? a : JSON.stringify(a))).join(" "));
    });
    try {
      await readmeExample();
    } finally {
      log.mockRestore();
      vi.unstubAllEnvs();
    }
    return lines;
  }

  it("runs against the simulator and prints what the README says", async () => {
    const lines = await runExample({ THINGSPACE_BASE_URL: server.url });
    expect(lines[0]).toBe("listeners: []");
    expect(lines[1]).toMatch(/^activation accepted: [0-9a-f-]{36}$/);
    expect(lines.slice(2, 5)).toEqual(["10000 devices sent", "20000 devices sent", "25001 devices sent"]);
    expect(lines.slice(5, 8).map((l) => l.replace(/[0-9a-f-]{36}$/, "<requestId>"))).toEqual([
      "chunk 0: 10000 devices accepted <requestId>",
      "chunk 1: 10000 devices accepted <requestId>",
      "chunk 2: 5001 devices accepted <requestId>",
    ]);
    expect(lines[8]).toBe(
      "Invalid activateDevices request (2 violations); nothing was sent:\n" +
        "- /devices/0/deviceIds/0/id must be 15 or 16 digits (an IMEI) [pattern]\n" +
        "- /mdnZipCode must be a five-digit ZIP code [pattern]",
    );
    expect(lines).toHaveLength(9);
    expect(server.simulator.calls("activateDevices")).toBe(4);
    expect(server.simulator.calls("logOut")).toBe(1);
  });

  it("with THINGSPACE_CLIENT_ID set, configures the client from the THINGSPACE_* variables alone", async () => {
    const activations = server.simulator.calls("activateDevices");
    const lines = await runExample({
      THINGSPACE_BASE_URL: server.url,
      THINGSPACE_CLIENT_ID: "env-client",
      THINGSPACE_CLIENT_SECRET: "env-secret",
      THINGSPACE_USERNAME: "env-user",
      THINGSPACE_PASSWORD: "env-password",
      THINGSPACE_ACCOUNT_NAME: "TestAccount-2",
      CALLBACK_URL: "https://listener.example/thingspace",
    });
    expect(lines[0]).toBe('listeners: ["CarrierService → https://listener.example/thingspace"]');
    expect(lines).toHaveLength(9);
    expect(server.simulator.calls("activateDevices") - activations).toBe(4);
  });

  it("with only some THINGSPACE_* variables set, fails before sending anything, naming every one missing", async () => {
    const logins = server.simulator.calls("logIn");
    const error = await runExample({ THINGSPACE_BASE_URL: server.url, THINGSPACE_CLIENT_ID: "env-client" }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ConfigurationError);
    expect((error as ConfigurationError).problems.map((problem) => problem.split(" ")[0])).toEqual([
      "THINGSPACE_CLIENT_SECRET",
      "THINGSPACE_USERNAME",
      "THINGSPACE_PASSWORD",
      "THINGSPACE_ACCOUNT_NAME",
    ]);
    expect(server.simulator.calls("logIn")).toBe(logins);
  });

  it("is the code the README shows, word for word", () => {
    const source = readFileSync(new URL(import.meta.url), "utf8");
    const start = source.indexOf("async function readmeExample(): Promise<void> {\n");
    const end = source.indexOf("\n}\n", start);
    const body = source
      .slice(start, end)
      .split("\n")
      .slice(1)
      .map((line) => line.replace(/^ {2}/, ""))
      .join("\n");
    const readme = readFileSync(new URL("../../../README.md", import.meta.url), "utf8");
    expect(readme).toContain("## Using the SDK");
    const section = readme.slice(readme.indexOf("## Using the SDK"));
    const block = section.slice(section.indexOf("```ts\n") + 6, section.indexOf("\n```", section.indexOf("```ts\n")));
    expect(block).toBe(`${exampleImports}\n\n${body}`);
  });
});

const exampleImports = `import {
  clientOptionsFromEnv,
  createThingSpaceClient,
  OutcomeUnknownError,
  ValidationError,
  type ActivateDevice,
} from "thingspace-m2m";`;

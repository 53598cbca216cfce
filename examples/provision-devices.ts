/**
 * `npm start`: provisions 1,000 devices end to end through the SDK against the embedded
 * ThingSpace simulator (no account, no credentials, loopback only), and prints a summary.
 *
 * The same job runs against the real ThingSpace only when asked: THINGSPACE_LIVE=1 with the
 * credentials in the environment (see README, "The main job").
 */
import { randomBytes } from "node:crypto";
import { createThingSpaceClient, type ThingSpaceClient } from "../src/index.js";
import { exampleDevices, startSimulatorServer, type SimulatorServer } from "../src/simulator/index.js";
import { startCallbackReceiver } from "./callback-receiver.js";
import { runProvisioning, type StepSummary } from "./provisioning-run.js";

const log = (line: string) => process.stdout.write(`${line}\n`);

function requiredEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`THINGSPACE_LIVE=1 needs ${name} in the environment`);
  return value;
}

async function main(): Promise<number> {
  const started = performance.now();
  const live = process.env.THINGSPACE_LIVE === "1";
  const deviceCount = Number(process.env.DEVICE_COUNT ?? 1_000);
  // The pair ThingSpace echoes in every callback body: random, never printed.
  const callbackCredentials = { username: "thingspace", password: randomBytes(24).toString("base64url") };
  const receiver = await startCallbackReceiver({
    credentials: callbackCredentials,
    ...(live ? { port: Number(requiredEnv("THINGSPACE_CALLBACK_PORT")) } : {}),
  });

  let simulator: SimulatorServer | undefined;
  let client: ThingSpaceClient;
  if (live) {
    client = createThingSpaceClient({
      credentials: {
        clientId: requiredEnv("THINGSPACE_CLIENT_ID"),
        clientSecret: requiredEnv("THINGSPACE_CLIENT_SECRET"),
        username: requiredEnv("THINGSPACE_USERNAME"),
        password: requiredEnv("THINGSPACE_PASSWORD"),
      },
      accountName: requiredEnv("THINGSPACE_ACCOUNT_NAME"),
    });
  } else {
    // Some deliveries are lost and some acknowledged ones sent twice, as on the real network:
    // the receiver must still handle every device's result exactly once. Every delivery of
    // 1 device in 500 is lost, as if the listener were down for ThingSpace's whole redelivery
    // window: those devices are looked up instead.
    simulator = await startSimulatorServer({
      port: 0,
      faults: {
        failCallbacks: { rate: 0.05 },
        duplicateCallbacks: { rate: 0.1 },
        dropCallbacks: ({ deviceIds }) => Number(deviceIds[0]?.id) % 500 === 7,
      },
    });
    log(`simulator: ${simulator.url}`);
    client = createThingSpaceClient({
      baseUrl: simulator.url,
      credentials: {
        clientId: "demo-client",
        clientSecret: "demo-secret",
        username: "demo-user",
        password: "demo-password",
      },
      accountName: "TestAccount-1",
    });
  }
  const publicBase = live ? requiredEnv("THINGSPACE_CALLBACK_BASE_URL") : undefined;
  for (const service of ["CarrierService", "StateService"] as const) {
    const url = publicBase ? `${publicBase}${new URL(receiver.urlFor(service)).pathname}` : receiver.urlFor(service);
    await client.registerCallback({ name: service, url, ...callbackCredentials });
    log(`callbacks: ${service} → ${url}`);
  }

  try {
    const steps = await runProvisioning(client, receiver, {
      devices: exampleDevices(deviceCount),
      servicePlan: process.env.THINGSPACE_SERVICE_PLAN ?? "M2M-4G-Flex",
      mdnZipCode: process.env.THINGSPACE_MDN_ZIP ?? "98801",
      serviceName: process.env.THINGSPACE_SERVICE_NAME ?? "Fleet",
      stateName: process.env.THINGSPACE_STATE_NAME ?? "In service",
      callbackTimeoutMs: live ? 12 * 60 * 60 * 1000 : 60_000,
      // The simulator is idle once it acknowledged or gave up every callback: what is missing then never comes.
      ...(simulator ? { redeliveryOver: () => simulator!.simulator.idle() } : {}),
    });
    // Closing waits for the answers still being written, so the counts below are final.
    await client.logout().catch(() => undefined);
    await receiver.close();
    printSummary(steps, receiver.counts, simulator, (performance.now() - started) / 1000);
    const clean = steps.every((s) => s.failed === 0 && (s.missing ?? 0) === 0 && (s.faulted ?? 0) === 0);
    return clean ? 0 : 1;
  } finally {
    await receiver.close().catch(() => undefined);
    await simulator?.close();
  }
}

function printSummary(
  steps: StepSummary[],
  counts: { received: number; handled: number; duplicates: number; rejected: number },
  simulator: SimulatorServer | undefined,
  seconds: number,
) {
  log("\nsummary");
  for (const s of steps) {
    const callbacks =
      s.succeeded === undefined
        ? ""
        : `, callbacks: ${s.succeeded} succeeded, ${s.faulted} failed, ${s.missing} missing`;
    log(
      `  ${s.step.padEnd(9)} ${s.requests} request(s), ${s.accepted} devices accepted, ${s.failed} refused${callbacks}`,
    );
  }
  if (simulator) {
    const perState = new Map<string, number>();
    for (const device of simulator.simulator.devices("TestAccount-1"))
      perState.set(device.state, (perState.get(device.state) ?? 0) + 1);
    log(`  devices per state: ${[...perState].map(([state, n]) => `${state} ${n}`).join(", ")}`);
  }
  const reportedBy = (key: "byCallback" | "byReconciliation") => steps.reduce((sum, s) => sum + (s[key] ?? 0), 0);
  log(
    `  results: ${reportedBy("byCallback")} by callback, ${reportedBy("byReconciliation")} by reconciliation (looked up: their callbacks never came)`,
  );
  log(
    `  callbacks received: ${counts.received} (${counts.handled} handled once, ${counts.duplicates} duplicates ignored, ${counts.rejected} refused)`,
  );
  log(`  time taken: ${seconds.toFixed(1)} s`);
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    log(`failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);

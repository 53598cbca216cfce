/**
 * `npx tsx examples/provision-devices.ts`: the provisioning job as an SDK program (what the
 * `thingspace-m2m` command does for a file, written against the SDK directly): provisions 1,000
 * devices end to end against the embedded ThingSpace simulator (no account, no credentials,
 * loopback only), and prints a summary.
 *
 * The same job runs against the real ThingSpace only when asked: THINGSPACE_LIVE=1 with the
 * credentials in the environment (see README, "The same job as an SDK program").
 */
import { randomBytes } from "node:crypto";
import {
  clientOptionsFromEnv,
  ConfigurationError,
  createThingSpaceClient,
  deviceIdKey,
  deviceKey,
  type ThingSpaceClient,
  type ThingSpaceEnvironmentOptions,
} from "../src/index.js";
import {
  exampleDevices,
  simulatorDefaults,
  startSimulatorServer,
  type DeliveryAttempt,
  type SimulatorServer,
} from "../src/simulator/index.js";
import { startCallbackReceiver } from "./callback-receiver.js";
import { countOf, createProgressDisplay, formatDuration } from "./progress-display.js";
import { runProvisioning, type MissingDevice, type StepSummary } from "./provisioning-run.js";

const log = (line: string) => process.stdout.write(`${line}\n`);

/** What the example runs, read from the environment and checked before anything starts. */
interface Settings {
  deviceCount: number;
  /** How long to wait for each step's callbacks. */
  callbackTimeoutMs: number;
  /** Against the simulator: the share of callback deliveries it drops (each is sent again). */
  callbackLoss: number;
  /** Against ThingSpace itself (THINGSPACE_LIVE=1): everything it needs. */
  live?: {
    client: ThingSpaceEnvironmentOptions;
    callbackPort: number;
    callbackBaseUrl: string;
    servicePlan: string;
    mdnZipCode: string;
    serviceName: string;
    stateName: string;
  };
}

const maxDeviceCount = 1_000_000;

/** What live mode needs besides the client's variables, and what each is. */
const liveVariables = {
  THINGSPACE_SERVICE_PLAN: "the service plan to activate the devices with",
  THINGSPACE_MDN_ZIP: "the ZIP code of the MDNs to assign, e.g. 98801",
  THINGSPACE_SERVICE_NAME: "the customer-defined service to move the devices to",
  THINGSPACE_STATE_NAME: "the customer-defined state to move the devices to",
} as const;

/**
 * Reads every setting and reports every problem at once (a missing variable, a count that is
 * not a whole number …), so that one run tells all there is to fix.
 */
function readSettings(env: NodeJS.ProcessEnv): { settings: Settings } | { problems: string[] } {
  const problems: string[] = [];
  const wholeNumber = (name: string, fallback: number, min: number, max: number): number => {
    const value = env[name];
    if (value === undefined || value === "") return fallback;
    if (/^\d+$/.test(value) && Number(value) >= min && Number(value) <= max) return Number(value);
    problems.push(`${name} must be a whole number from ${min} to ${max} (got ${JSON.stringify(value)})`);
    return fallback;
  };
  const liveValue = env.THINGSPACE_LIVE ?? "";
  const live = liveValue === "1" || liveValue === "true";
  if (!live && !["", "0", "false"].includes(liveValue)) {
    problems.push(
      `THINGSPACE_LIVE must be 1 or true to run against ThingSpace itself, or 0, false or unset for the simulator ` +
        `(got ${JSON.stringify(liveValue)})`,
    );
  }
  const deviceCount = wholeNumber("DEVICE_COUNT", 1_000, 1, maxDeviceCount);
  const defaultWaitSeconds = live ? 12 * 60 * 60 : 60;
  const callbackTimeoutMs = wholeNumber("CALLBACK_WAIT_SECONDS", defaultWaitSeconds, 1, 7 * 24 * 60 * 60) * 1000;
  let callbackLoss = 0.05;
  const loss = env.SIMULATOR_CALLBACK_LOSS;
  if (loss !== undefined && loss !== "") {
    if (/^(0(\.\d+)?|1(\.0+)?)$/.test(loss)) callbackLoss = Number(loss);
    else problems.push(`SIMULATOR_CALLBACK_LOSS must be a number from 0 to 1, e.g. 0.05 (got ${JSON.stringify(loss)})`);
  }
  let settings: Settings = { deviceCount, callbackTimeoutMs, callbackLoss };
  if (live) {
    let client: ThingSpaceEnvironmentOptions | undefined;
    try {
      client = clientOptionsFromEnv(env);
    } catch (error) {
      if (!(error instanceof ConfigurationError)) throw error;
      problems.push(...error.problems);
    }
    const callbackPort = wholeNumber("THINGSPACE_CALLBACK_PORT", 0, 1, 65_535);
    if (!env.THINGSPACE_CALLBACK_PORT) {
      problems.push("THINGSPACE_CALLBACK_PORT is not set: the port the callback receiver listens on");
    }
    const callbackBaseUrl = env.THINGSPACE_CALLBACK_BASE_URL ?? "";
    if (!/^https?:\/\/[^/]/.test(callbackBaseUrl)) {
      problems.push(
        callbackBaseUrl
          ? "THINGSPACE_CALLBACK_BASE_URL must be an http:// or https:// URL, e.g. https://listener.example.com"
          : "THINGSPACE_CALLBACK_BASE_URL is not set: the public URL (reachable from the Internet) of the callback receiver",
      );
    }
    for (const [name, what] of Object.entries(liveVariables)) {
      if (!env[name]) problems.push(`${name} is not set: ${what}`);
    }
    if (client) {
      settings = {
        ...settings,
        live: {
          client,
          callbackPort,
          callbackBaseUrl: callbackBaseUrl.replace(/\/+$/, ""),
          servicePlan: env.THINGSPACE_SERVICE_PLAN ?? "",
          mdnZipCode: env.THINGSPACE_MDN_ZIP ?? "",
          serviceName: env.THINGSPACE_SERVICE_NAME ?? "",
          stateName: env.THINGSPACE_STATE_NAME ?? "",
        },
      };
    }
  }
  return problems.length > 0 ? { problems } : { settings };
}

async function main(settings: Settings): Promise<number> {
  const started = performance.now();
  const { live } = settings;
  // The pair ThingSpace echoes in every callback body: random, never printed.
  const callbackCredentials = { username: "thingspace", password: randomBytes(24).toString("base64url") };
  const receiver = await startCallbackReceiver({
    credentials: callbackCredentials,
    ...(live ? { port: live.callbackPort } : {}),
  });

  let simulator: SimulatorServer | undefined;
  let client: ThingSpaceClient;
  if (live) {
    client = createThingSpaceClient(live.client);
  } else {
    // Some deliveries are lost and some acknowledged ones sent twice, as on the real network:
    // the receiver must still handle every device's result exactly once. Every delivery of
    // 1 device in 500 is lost, as if the listener were down for ThingSpace's whole redelivery
    // window: those devices are looked up instead.
    simulator = await startSimulatorServer({
      port: 0,
      faults: {
        failCallbacks: { rate: settings.callbackLoss },
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
  const publicBase = live?.callbackBaseUrl;
  for (const service of ["CarrierService", "StateService"] as const) {
    const url = publicBase ? `${publicBase}${new URL(receiver.urlFor(service)).pathname}` : receiver.urlFor(service);
    await client.registerCallback({ name: service, url, ...callbackCredentials });
    log(`callbacks: ${service} → ${url}`);
  }

  try {
    const steps = await runProvisioning(client, receiver, {
      devices: exampleDevices(settings.deviceCount),
      servicePlan: live?.servicePlan ?? "M2M-4G-Flex",
      mdnZipCode: live?.mdnZipCode ?? "98801",
      serviceName: live?.serviceName ?? "Fleet",
      stateName: live?.stateName ?? "In service",
      callbackTimeoutMs: settings.callbackTimeoutMs,
      display: createProgressDisplay(),
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
      `  ${s.step.padEnd(9)} ${countOf(s.requests, "request")}, ${countOf(s.accepted, "device")} accepted, ${s.failed} refused${callbacks}`,
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
    `  callbacks received: ${counts.received} (${counts.handled} handled once, ${countOf(counts.duplicates, "duplicate")} ignored, ${counts.rejected} refused)`,
  );
  const deliveries = simulator && deliveryOutcomes(simulator.simulator.deliveries());
  if (deliveries) {
    log(
      `  deliveries dropped by the simulator: ${deliveries.dropped} of ${countOf(deliveries.attempts, "attempt")}, ` +
        `${countOf(deliveries.lost, "callback")} lost (dropped at all ${simulatorDefaults.maxCallbackThreshold} attempts)`,
    );
  }
  printMissing(steps, deliveries);
  log(`  time taken: ${seconds.toFixed(1)} s`);
}

/** What became of the simulator's callback deliveries: the counts, and each device's attempts. */
function deliveryOutcomes(log: DeliveryAttempt[]) {
  // The outcomes of every attempt of each callback, by request and by each identifier it reported.
  const byDevice = new Map<string, DeliveryAttempt["outcome"][]>();
  const byCallback = new Map<string, DeliveryAttempt["outcome"][]>();
  const add = (map: Map<string, DeliveryAttempt["outcome"][]>, key: string, outcome: DeliveryAttempt["outcome"]) => {
    const outcomes = map.get(key);
    if (outcomes) outcomes.push(outcome);
    else map.set(key, [outcome]);
  };
  for (const attempt of log) {
    const deviceIds = attempt.deviceIds ?? [];
    add(byCallback, `${attempt.service} ${attempt.requestId} ${deviceKey(deviceIds)}`, attempt.outcome);
    for (const id of deviceIds) add(byDevice, `${attempt.requestId} ${deviceIdKey(id)}`, attempt.outcome);
  }
  const everyAttemptDropped = (outcomes: DeliveryAttempt["outcome"][]) =>
    outcomes.length >= simulatorDefaults.maxCallbackThreshold && outcomes.every((outcome) => outcome === "dropped");
  return {
    attempts: log.length,
    dropped: log.filter((attempt) => attempt.outcome === "dropped").length,
    /** Callbacks of which every allowed attempt was dropped: they never reach the receiver. */
    lost: [...byCallback.values()].filter(everyAttemptDropped).length,
    /** The outcomes of the attempts to deliver a device's callback of a request, if any was made. */
    outcomesOf: ({ requestId, device }: MissingDevice) =>
      device.deviceIds.map((id) => byDevice.get(`${requestId} ${deviceIdKey(id)}`)).find((found) => found),
  };
}

/** How many missing devices the summary names; the rest are counted. */
const missingListed = 20;

/**
 * Names the devices whose callback never came, and why: how long the wait lasted and, against
 * the simulator, what became of its deliveries.
 */
function printMissing(steps: StepSummary[], deliveries: ReturnType<typeof deliveryOutcomes> | undefined) {
  const missing = steps.flatMap((s) => (s.missingDevices ?? []).map((entry) => ({ step: s.step, ...entry })));
  if (missing.length === 0) return;
  const why = (entry: MissingDevice): string => {
    if (!deliveries) return "no callback from ThingSpace reached the receiver";
    const outcomes = deliveries.outcomesOf(entry);
    if (!outcomes) return "the simulator has not sent its callback yet";
    if (outcomes.every((outcome) => outcome === "dropped")) {
      return `the simulator dropped all ${countOf(outcomes.length, "delivery", "deliveries")} of its callback`;
    }
    return `the simulator's deliveries of its callback: ${outcomes.join(", ")}`;
  };
  const waits = new Set(steps.flatMap((s) => (s.timedOutAfterMs === undefined ? [] : [s.timedOutAfterMs])));
  log(
    `  missing: ${countOf(missing.length, "device")} without a callback when the wait timed out ` +
      `(after ${[...waits].map(formatDuration).join(" and ")})`,
  );
  for (const entry of missing.slice(0, missingListed)) {
    const device = deviceIdKey(entry.device.deviceIds[0]!);
    log(`    ${entry.step.padEnd(9)} ${device} (request ${entry.requestId}): ${why(entry)}`);
  }
  if (missing.length > missingListed) log(`    … and ${missing.length - missingListed} more`);
}

const read = readSettings(process.env);
if ("problems" in read) {
  process.stderr.write(
    `provision-devices: nothing was started (${countOf(read.problems.length, "problem")}):\n` +
      read.problems.map((problem) => `- ${problem}\n`).join(""),
  );
  process.exit(2);
}
main(read.settings).then(
  (code) => process.exit(code),
  (error: unknown) => {
    log(`failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);

/**
 * The main job, whatever ThingSpace it talks to: add devices, activate them, move them to a
 * customer-defined state, and wait until every device's callback has arrived and been
 * validated, showing each step's progress (progress-display.ts) as it goes.
 */
import type { components } from "../generated/openapi-types.js";
import type { RequestReport } from "../src/callbacks/index.js";
import type { BatchProgress, BatchResult, ThingSpaceClient } from "../src/index.js";
import type { CallbackReceiver } from "./callback-receiver.js";
import { countOf, formatDuration, type ProgressDisplay, type StepProgress } from "./progress-display.js";

type Device = components["schemas"]["DeviceWithIpAddress"];

export interface ProvisioningPlan {
  devices: readonly Device[];
  servicePlan: string;
  mdnZipCode: string;
  serviceName: string;
  stateName: string;
  /** How long to wait for each step's callbacks. */
  callbackTimeoutMs: number;
  /** Where progress goes: bars on a terminal, one line per step elsewhere. */
  display: ProgressDisplay;
}

export interface StepSummary {
  step: "add" | "activate" | "goToState";
  requests: number;
  accepted: number;
  failed: number;
  /** Devices whose callback reported success / failure, and those never reported. */
  succeeded?: number;
  faulted?: number;
  missing?: number;
  /** The devices whose callback had not come when the wait ended, with their request. */
  missingDevices?: readonly MissingDevice[];
  /** Set when the wait for callbacks ended at its timeout: how long it had waited. */
  timedOutAfterMs?: number;
}

/** A device still without its callback, and the request that should have brought it. */
export interface MissingDevice {
  requestId: string;
  device: Device;
}

/** `activate`, padded so that every step's lines line up. */
const stepColumn = (step: string) => step.padEnd(10);

/** A step's sending under way: its progress bar (on a terminal), and when it started. */
interface Sending {
  onProgress: (progress: BatchProgress) => void;
  display: ProgressDisplay;
  progress: StepProgress;
  started: number;
}

/** Starts showing a step's sending: a progress bar of the devices sent. */
function startSending(step: StepSummary["step"], plan: ProvisioningPlan): Sending {
  const progress = plan.display.step(`${stepColumn(step)} sending`, plan.devices.length, "devices");
  return {
    onProgress: (p) => progress.update(p.devicesDone, `(${p.acceptedCount} accepted)`),
    display: plan.display,
    progress,
    started: performance.now(),
  };
}

/**
 * Ends a step's sending with one line (how many devices in how many requests, accepted and
 * refused), after one line per failed chunk, and sums it up.
 */
function describeBatch(step: StepSummary["step"], result: BatchResult, sending: Sending): StepSummary {
  sending.progress.finish(
    `${stepColumn(step)} ${countOf(result.deviceCount, "device")} sent in ${countOf(result.chunks.length, "request")}: ` +
      `${result.acceptedCount} accepted, ${result.failedCount} refused (${formatDuration(performance.now() - sending.started)})`,
  );
  for (const chunk of result.chunks.filter((c) => c.status === "failed")) {
    sending.display.line(`${stepColumn(step)} chunk ${chunk.index} failed: ${chunk.error?.message ?? "unknown error"}`);
  }
  return { step, requests: result.chunks.length, accepted: result.acceptedCount, failed: result.failedCount };
}

/**
 * Waits for the callbacks of every request a batch sent, with a progress bar of the devices
 * reported, ending with one line: how many reported, and whether the wait timed out.
 */
async function awaitCallbacks(
  step: StepSummary["step"],
  receiver: CallbackReceiver,
  result: BatchResult,
  { callbackTimeoutMs: timeoutMs, display }: ProvisioningPlan,
) {
  const started = performance.now();
  const requestIds = result.chunks.flatMap((chunk) => (chunk.requestId ? [chunk.requestId] : []));
  const progress = display.step(`${stepColumn(step)} callbacks`, result.acceptedCount, "devices reported");
  const ticker = setInterval(() => {
    const reports = requestIds.map((id) => receiver.tracker.report(id));
    progress.update(reports.reduce((sum, r) => sum + (r?.reported.length ?? 0), 0));
  }, 200);
  try {
    const reports: RequestReport[] = await Promise.all(
      requestIds.map((id) => receiver.tracker.wait(id, { timeoutMs })),
    );
    const outcomes = reports.flatMap((report) => report.reported);
    const missingDevices = reports.flatMap((report) =>
      report.missing.map((device) => ({ requestId: report.requestId, device: device as Device })),
    );
    const waitedMs = performance.now() - started;
    const timedOut = reports.some((report) => report.timedOut);
    const ending = timedOut
      ? `; timed out after ${formatDuration(timeoutMs)} with ${countOf(missingDevices.length, "device")} missing`
      : ` (${formatDuration(waitedMs)})`;
    progress.finish(
      `${stepColumn(step)} callbacks from ${outcomes.length} of ${countOf(result.acceptedCount, "device")}${ending}`,
    );
    return {
      succeeded: outcomes.filter((d) => d.outcome === "succeeded").length,
      faulted: outcomes.filter((d) => d.outcome === "failed").length,
      missing: missingDevices.length,
      missingDevices,
      ...(timedOut ? { timedOutAfterMs: timeoutMs } : {}),
    };
  } finally {
    clearInterval(ticker);
  }
}

export async function runProvisioning(
  client: ThingSpaceClient,
  receiver: CallbackReceiver,
  plan: ProvisioningPlan,
): Promise<StepSummary[]> {
  const steps: StepSummary[] = [];

  let sending = startSending("add", plan);
  const added = await client.addDevicesInBatches(
    plan.devices.map((device) => ({ deviceIds: device.deviceIds })),
    { state: "preactive" },
    { onProgress: sending.onProgress },
  );
  steps.push(describeBatch("add", added, sending));

  sending = startSending("activate", plan);
  const activated = await client.activateDevicesInBatches(
    plan.devices,
    { servicePlan: plan.servicePlan, mdnZipCode: plan.mdnZipCode },
    { onProgress: sending.onProgress, onChunk: (chunk) => void receiver.tracker.expectChunk(chunk) },
  );
  steps.push({
    ...describeBatch("activate", activated, sending),
    ...(await awaitCallbacks("activate", receiver, activated, plan)),
  });

  sending = startSending("goToState", plan);
  const moved = await client.goToStateInBatches(
    plan.devices,
    {
      serviceName: plan.serviceName,
      stateName: plan.stateName,
      servicePlan: plan.servicePlan,
      mdnZipCode: plan.mdnZipCode,
    },
    { onProgress: sending.onProgress, onChunk: (chunk) => void receiver.tracker.expectChunk(chunk) },
  );
  steps.push({
    ...describeBatch("goToState", moved, sending),
    ...(await awaitCallbacks("goToState", receiver, moved, plan)),
  });
  return steps;
}

/**
 * The main job, whatever ThingSpace it talks to: add devices, activate them, move them to a
 * customer-defined state, and wait until every device's callback has arrived and been
 * validated, showing each step's progress (progress-display.ts) as it goes. A device whose
 * callback never comes (ThingSpace gave up after `maxCallbackThreshold` sends) is looked up
 * instead: every device is accounted for.
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
  /**
   * Resolves once ThingSpace has stopped sending the callbacks under way (the simulator's
   * `idle()`): what is still missing then will never come, so it is looked up at once, and
   * `callbackTimeoutMs` does not apply. Without it, devices are looked up at `callbackTimeoutMs`.
   */
  redeliveryOver?: () => Promise<void>;
  /** Where progress goes: bars on a terminal, one line per step elsewhere. */
  display: ProgressDisplay;
}

export interface StepSummary {
  step: "add" | "activate" | "goToState";
  requests: number;
  accepted: number;
  failed: number;
  /** Devices reported succeeded / failed (by callback or by looking them up), and those with no final result. */
  succeeded?: number;
  faulted?: number;
  missing?: number;
  /** Of the reported devices: how many results came by callback, and how many by looking the device up. */
  byCallback?: number;
  byReconciliation?: number;
  /** The devices without a result when the wait and the lookups ended, with their request. */
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
 * reported; then looks up the devices whose callback never came (once ThingSpace stopped
 * sending, or at the timeout), ending with one line: how many reported, and how.
 */
async function awaitCallbacks(
  step: StepSummary["step"],
  client: ThingSpaceClient,
  receiver: CallbackReceiver,
  result: BatchResult,
  plan: ProvisioningPlan,
) {
  const { display } = plan;
  const started = performance.now();
  const requestIds = result.chunks.flatMap((chunk) => (chunk.requestId ? [chunk.requestId] : []));
  const progress = display.step(`${stepColumn(step)} callbacks`, result.acceptedCount, "devices reported");
  const ticker = setInterval(() => {
    const reports = requestIds.map((id) => receiver.tracker.report(id));
    progress.update(reports.reduce((sum, r) => sum + (r?.reported.length ?? 0), 0));
  }, 200);
  try {
    // Once ThingSpace stopped sending, nothing more will come however long one waits: the
    // timeout is for when that cannot be known.
    const timeoutMs = plan.redeliveryOver ? Number.POSITIVE_INFINITY : plan.callbackTimeoutMs;
    const waiting = Promise.all(requestIds.map((id) => receiver.tracker.wait(id, { timeoutMs })));
    await Promise.race([waiting, ...(plan.redeliveryOver ? [plan.redeliveryOver()] : [])]);
    const missing = requestIds.reduce((sum, id) => sum + (receiver.tracker.report(id)?.missing.length ?? 0), 0);
    if (missing > 0) {
      display.line(`${stepColumn(step)} ${countOf(missing, "callback")} never came: looking the devices up`);
      const { failures } = await receiver.tracker.reconcile({ requestIds, lookup: client });
      for (const { device, error } of failures) {
        const reason = error instanceof Error ? error.message : String(error);
        display.line(`${stepColumn(step)} lookup of ${device.deviceIds[0]?.id} failed: ${reason}`);
      }
    }
    const reports: RequestReport[] = requestIds.map((id) => receiver.tracker.report(id)!);
    const outcomes = reports.flatMap((report) => report.reported);
    const pending = outcomes.filter((d) => d.outcome === "pending").length;
    const missingDevices = reports.flatMap((report) =>
      report.missing.map((device) => ({ requestId: report.requestId, device: device as Device })),
    );
    const waitedMs = performance.now() - started;
    const timedOut = !plan.redeliveryOver && reports.some((report) => report.timedOut);
    const byReconciliation = outcomes.filter((d) => d.source === "reconciliation").length;
    const ending =
      (byReconciliation > 0 ? `, ${byReconciliation} of them looked up` : "") +
      (timedOut
        ? `; timed out after ${formatDuration(timeoutMs)} with ${countOf(missingDevices.length, "device")} missing`
        : ` (${formatDuration(waitedMs)})`);
    progress.finish(
      `${stepColumn(step)} results for ${outcomes.length - pending} of ${countOf(result.acceptedCount, "device")}${ending}`,
    );
    return {
      succeeded: outcomes.filter((d) => d.outcome === "succeeded").length,
      faulted: outcomes.length - pending - outcomes.filter((d) => d.outcome === "succeeded").length,
      missing: missingDevices.length + pending,
      byCallback: outcomes.filter((d) => d.source === "callback").length,
      byReconciliation,
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
    ...(await awaitCallbacks("activate", client, receiver, activated, plan)),
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
    {
      onProgress: sending.onProgress,
      // Looked up, a device succeeded when it is in the requested state.
      onChunk: (chunk) => void receiver.tracker.expectChunk(chunk, { expectedState: plan.stateName }),
    },
  );
  steps.push({
    ...describeBatch("goToState", moved, sending),
    ...(await awaitCallbacks("goToState", client, receiver, moved, plan)),
  });
  return steps;
}

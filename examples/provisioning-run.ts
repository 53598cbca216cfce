/**
 * The main job, whatever ThingSpace it talks to: add devices, activate them, move them to a
 * customer-defined state, and wait until every device's callback has arrived and been
 * validated, printing progress as it goes. A device whose callback never comes (ThingSpace gave
 * up after `maxCallbackThreshold` sends) is looked up instead: every device is accounted for.
 */
import type { components } from "../generated/openapi-types.js";
import type { RequestReport } from "../src/callbacks/index.js";
import type { BatchResult, ThingSpaceClient } from "../src/index.js";
import type { CallbackReceiver } from "./callback-receiver.js";

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
}

const log = (line: string) => process.stdout.write(`${line}\n`);

function describeBatch(step: StepSummary["step"], result: BatchResult): StepSummary {
  for (const chunk of result.chunks.filter((c) => c.status === "failed")) {
    log(`  ${step} chunk ${chunk.index} failed: ${chunk.error?.message ?? "unknown error"}`);
  }
  return { step, requests: result.chunks.length, accepted: result.acceptedCount, failed: result.failedCount };
}

/**
 * Waits for the callbacks of every request a batch sent, printing how many arrived; then looks
 * up the devices whose callback never came (once ThingSpace stopped sending, or at the timeout).
 */
async function awaitCallbacks(
  client: ThingSpaceClient,
  receiver: CallbackReceiver,
  result: BatchResult,
  plan: ProvisioningPlan,
) {
  const requestIds = result.chunks.flatMap((chunk) => (chunk.requestId ? [chunk.requestId] : []));
  const progress = setInterval(() => {
    const reports = requestIds.map((id) => receiver.tracker.report(id));
    const reported = reports.reduce((sum, r) => sum + (r?.reported.length ?? 0), 0);
    log(`  … ${reported}/${result.acceptedCount} callbacks`);
  }, 500);
  try {
    // Once ThingSpace stopped sending, nothing more will come however long one waits: the
    // timeout is for when that cannot be known.
    const timeoutMs = plan.redeliveryOver ? Number.POSITIVE_INFINITY : plan.callbackTimeoutMs;
    const waiting = Promise.all(requestIds.map((id) => receiver.tracker.wait(id, { timeoutMs })));
    await Promise.race([waiting, ...(plan.redeliveryOver ? [plan.redeliveryOver()] : [])]);
    const missing = requestIds.reduce((sum, id) => sum + (receiver.tracker.report(id)?.missing.length ?? 0), 0);
    if (missing > 0) {
      log(`  ${missing} callback(s) never came: looking the devices up`);
      const { failures } = await receiver.tracker.reconcile({ requestIds, lookup: client });
      for (const { device, error } of failures) {
        log(`  lookup of ${device.deviceIds[0]?.id} failed: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    const reports: RequestReport[] = requestIds.map((id) => receiver.tracker.report(id)!);
    const outcomes = reports.flatMap((report) => report.reported);
    const pending = outcomes.filter((d) => d.outcome === "pending").length;
    return {
      succeeded: outcomes.filter((d) => d.outcome === "succeeded").length,
      faulted: outcomes.length - pending - outcomes.filter((d) => d.outcome === "succeeded").length,
      missing: reports.reduce((sum, report) => sum + report.missing.length, pending),
      byCallback: outcomes.filter((d) => d.source === "callback").length,
      byReconciliation: outcomes.filter((d) => d.source === "reconciliation").length,
    };
  } finally {
    clearInterval(progress);
  }
}

export async function runProvisioning(
  client: ThingSpaceClient,
  receiver: CallbackReceiver,
  plan: ProvisioningPlan,
): Promise<StepSummary[]> {
  const steps: StepSummary[] = [];
  const progress = (step: string) => (p: { devicesDone: number; acceptedCount: number }) =>
    log(`  ${step}: ${p.devicesDone}/${plan.devices.length} devices sent (${p.acceptedCount} accepted)`);

  log(`add: ${plan.devices.length} devices, 200 per request`);
  const added = await client.addDevicesInBatches(
    plan.devices.map((device) => ({ deviceIds: device.deviceIds })),
    { state: "preactive" },
    { onProgress: progress("add") },
  );
  steps.push(describeBatch("add", added));

  log(`activate: ${plan.devices.length} devices`);
  const activated = await client.activateDevicesInBatches(
    plan.devices,
    { servicePlan: plan.servicePlan, mdnZipCode: plan.mdnZipCode },
    { onProgress: progress("activate"), onChunk: (chunk) => void receiver.tracker.expectChunk(chunk) },
  );
  steps.push({
    ...describeBatch("activate", activated),
    ...(await awaitCallbacks(client, receiver, activated, plan)),
  });

  log(`goToState: ${plan.devices.length} devices to ${plan.serviceName}/${plan.stateName}`);
  const moved = await client.goToStateInBatches(
    plan.devices,
    {
      serviceName: plan.serviceName,
      stateName: plan.stateName,
      servicePlan: plan.servicePlan,
      mdnZipCode: plan.mdnZipCode,
    },
    {
      onProgress: progress("goToState"),
      // Looked up, a device succeeded when it is in the requested state.
      onChunk: (chunk) => void receiver.tracker.expectChunk(chunk, { expectedState: plan.stateName }),
    },
  );
  steps.push({
    ...describeBatch("goToState", moved),
    ...(await awaitCallbacks(client, receiver, moved, plan)),
  });
  return steps;
}

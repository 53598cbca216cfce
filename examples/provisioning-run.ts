/**
 * The main job, whatever ThingSpace it talks to: add devices, activate them, move them to a
 * customer-defined state, and wait until every device's callback has arrived and been
 * validated, printing progress as it goes.
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
}

const log = (line: string) => process.stdout.write(`${line}\n`);

function describeBatch(step: StepSummary["step"], result: BatchResult): StepSummary {
  for (const chunk of result.chunks.filter((c) => c.status === "failed")) {
    log(`  ${step} chunk ${chunk.index} failed: ${chunk.error?.message ?? "unknown error"}`);
  }
  return { step, requests: result.chunks.length, accepted: result.acceptedCount, failed: result.failedCount };
}

/** Waits for the callbacks of every request a batch sent, printing how many arrived. */
async function awaitCallbacks(receiver: CallbackReceiver, result: BatchResult, timeoutMs: number) {
  const requestIds = result.chunks.flatMap((chunk) => (chunk.requestId ? [chunk.requestId] : []));
  const progress = setInterval(() => {
    const reports = requestIds.map((id) => receiver.tracker.report(id));
    const reported = reports.reduce((sum, r) => sum + (r?.reported.length ?? 0), 0);
    log(`  … ${reported}/${result.acceptedCount} callbacks`);
  }, 500);
  try {
    const reports: RequestReport[] = await Promise.all(
      requestIds.map((id) => receiver.tracker.wait(id, { timeoutMs })),
    );
    const outcomes = reports.flatMap((report) => report.reported);
    return {
      succeeded: outcomes.filter((d) => d.outcome === "succeeded").length,
      faulted: outcomes.filter((d) => d.outcome === "failed").length,
      missing: reports.reduce((sum, report) => sum + report.missing.length, 0),
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
    ...(await awaitCallbacks(receiver, activated, plan.callbackTimeoutMs)),
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
    { onProgress: progress("goToState"), onChunk: (chunk) => void receiver.tracker.expectChunk(chunk) },
  );
  steps.push({
    ...describeBatch("goToState", moved),
    ...(await awaitCallbacks(receiver, moved, plan.callbackTimeoutMs)),
  });
  return steps;
}

// Nothing lost: devices whose callbacks never reach the listener are reconciled through the
// client's lookups, over real HTTP (simulator, receiver and client on 127.0.0.1).
import { afterEach, describe, expect, it } from "vitest";
import { createCallbackTracker, type DeviceOutcome } from "../../../src/callbacks/index.js";
import { createThingSpaceClient, type ActivateDevice } from "../../../src/client/index.js";
import { startSimulatorServer, type SimulatorServer } from "../../../src/simulator/index.js";
import { devices } from "../../unit/client/helpers/test-client.js";
import { closedPort } from "../../support/closed-port.js";
import { startReceiver, type Receiver } from "./receiver-server.js";

const callbackCredentials = { username: "thingspace", password: "reconciliation-test-password" };
const plan = { servicePlan: "M2MPlan", mdnZipCode: "98801" };
let simulator: SimulatorServer | undefined;
let receiver: Receiver | undefined;

afterEach(async () => {
  await receiver?.close();
  await simulator?.close();
  receiver = simulator = undefined;
});

function clientFor(server: SimulatorServer) {
  return createThingSpaceClient({
    baseUrl: server.url,
    accountName: "TestAccount-1",
    credentials: { clientId: "id", clientSecret: "secret", username: "user", password: "pass" },
  });
}

const imei = (device: ActivateDevice) => device.deviceIds[0]!.id;
const summary = (outcomes: readonly DeviceOutcome<ActivateDevice>[]) =>
  outcomes.map((o) => [imei(o.device), o.source, o.outcome, o.source === "reconciliation" ? o.state : undefined]);

describe("reconciliation against the simulator", () => {
  it("a simulator that drops every delivery for 10 chosen devices: all 10 reconciled with their true state", async () => {
    const fleet = devices(40);
    const chosen = new Set([3, 7, 11, 15, 19, 23, 27, 31, 35, 39].map((i) => imei(fleet[i]!)));
    // Three of the ten really failed to activate: they stay pre-active.
    const refused = new Set([7, 23, 39].map((i) => imei(fleet[i]!)));
    simulator = await startSimulatorServer({
      port: 0,
      faults: {
        dropCallbacks: ({ deviceIds }) => chosen.has(deviceIds[0]!.id),
        deviceFault: ({ deviceIds }) =>
          refused.has(deviceIds[0]!.id)
            ? { faultcode: "REQUEST_FAILED.DeviceNotEligible", faultstring: "Not eligible." }
            : undefined,
      },
    });
    const client = clientFor(simulator);
    await client.addDevices({ state: "preactive", devicesToAdd: fleet.slice(0, 20) });
    await client.addDevices({ state: "preactive", devicesToAdd: fleet.slice(20) });
    const tracker = createCallbackTracker<ActivateDevice>({ lookup: client, lookupIntervalMs: 0 });
    receiver = await startReceiver({
      service: "CarrierService",
      credentials: callbackCredentials,
      onCallback: (callback) => void tracker.record(callback),
    });
    await client.registerCallback({ name: "CarrierService", url: receiver.url, ...callbackCredentials });
    await client.activateDevicesInBatches(fleet, plan, { chunkSize: 20, onChunk: (c) => void tracker.expectChunk(c) });
    await simulator.simulator.idle(); // ThingSpace gave up on the ten: four attempts each, all lost

    const report = await tracker.waitAll({ timeoutMs: 0, reconcile: true });
    expect(report.complete).toBe(true);
    expect(report.missing).toEqual([]);
    const reconciled = report.reported.filter((outcome) => outcome.source === "reconciliation");
    expect(summary(reconciled)).toEqual(
      [...chosen].map((id) =>
        refused.has(id)
          ? [id, "reconciliation", "failed", "pre-active"]
          : [id, "reconciliation", "succeeded", "active"],
      ),
    );
    expect(report.reported.filter((outcome) => outcome.source === "callback")).toHaveLength(30);
    expect(simulator.simulator.calls("listDevices")).toBe(1); // ten IMEIs 9900000000000xx: one query
  });

  it("a receiver down for the whole redelivery window of 100 devices: all 100 reconciled by themselves", async () => {
    simulator = await startSimulatorServer({ port: 0, redeliveryDelayMs: 20 });
    const client = clientFor(simulator);
    const fleet = devices(100);
    await client.registerCallback({
      name: "CarrierService",
      url: `http://127.0.0.1:${await closedPort()}/thingspace`,
      ...callbackCredentials,
    });
    const reconciledReports: number[] = [];
    const tracker = createCallbackTracker<ActivateDevice>({
      lookup: client,
      // The redelivery window (4 sends, 20 ms apart here) is long past once 300 ms pass without a callback.
      reconcileAfterMs: 300,
      onReconcile: ({ reconciled }) => void reconciledReports.push(reconciled.length),
    });
    const { requestId } = await client.activateDevices({ ...plan, devices: fleet });
    tracker.expect(requestId, fleet);

    const report = await tracker.wait(requestId, { timeoutMs: 20_000 });
    expect(report.complete).toBe(true);
    expect(report.timedOut).toBe(false);
    expect(report.reported).toHaveLength(100);
    expect(report.reported.every((o) => o.source === "reconciliation" && o.outcome === "succeeded")).toBe(true);
    expect(report.reported.every((o) => o.source === "reconciliation" && o.state === "active")).toBe(true);
    expect(reconciledReports).toEqual([100]);
    await simulator.simulator.idle();
    const attempts = simulator.simulator.deliveries();
    expect(attempts).toHaveLength(400);
    expect(attempts.every(({ outcome }) => outcome === "failed")).toBe(true);
    tracker.close();
  });
});

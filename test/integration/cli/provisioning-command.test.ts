/**
 * The `thingspace-m2m` command as a user runs it: a child process against a simulator server
 * the test starts (a ThingSpace-shaped endpoint that outlives the command, so a run can be
 * killed and resumed), checked by what the simulator received and holds.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { startSimulatorServer, type SimulatorServer } from "../../../src/simulator/index.js";
import {
  cleanEnv,
  readJournal,
  readReport,
  runCommand,
  scratch,
  simulatorEnv,
  startCommand,
  until,
  writeDevicesCsv,
} from "./run-command.js";

const plan = ["--service-plan", "m2m4g", "--zip", "98801"];
let server: SimulatorServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** A simulator server whose activate answers come `ms` after the request took effect. */
async function slowSimulator(ms: number): Promise<SimulatorServer> {
  server = await startSimulatorServer({
    callbackDelayMs: 0,
    faults: { delayResponse: { ms, operation: "activateDevices" } },
  });
  return server;
}

/** Every row of the report agrees with what the simulator holds for its device. */
function expectReportMatchesSimulator(rows: Record<string, string>[], simulator: SimulatorServer["simulator"]) {
  for (const row of rows) {
    const device = simulator.device("TestAccount-1", { kind: "imei", id: row.imei! });
    expect(device, `line ${row.line}`).toBeDefined();
    const mdn = device!.deviceIds.find((id) => id.kind === "mdn")?.id;
    expect({ outcome: row.outcome, state: row.state!.toUpperCase(), mdn: row.mdn, ip: row.ipAddress }).toEqual({
      outcome: "succeeded",
      state: device!.state,
      mdn,
      ip: device!.ipAddress,
    });
  }
}

/**
 * Starts `activate` on 1,000 devices in ten chunks of 100, one request at a time, against a
 * simulator answering each after `ms`; resolves once `accepted` chunks are in the journal.
 */
async function startTenChunkRun(ms: number, accepted: number) {
  const simulator = await slowSimulator(ms);
  const { file } = scratch();
  const input = writeDevicesCsv(file("devices.csv"), 1000);
  const journal = `${input}.journal`;
  const report = file("report.csv");
  const args = ["activate", input, ...plan, "--chunk-size", "100", "--concurrency", "1", "--report", report];
  const first = startCommand(args, simulatorEnv(simulator.url));
  await until(() => readJournal(journal).filter((entry) => entry.type === "accepted").length >= accepted);
  return { simulator, journal, report, args, first };
}

describe("thingspace-m2m activate", () => {
  it("--no-wait without a report counts the same summary as with one (each device's outcome from its chunk)", async () => {
    const simulator = await slowSimulator(0);
    const { file } = scratch();
    const input = writeDevicesCsv(file("devices.csv"), 250);
    writeFileSync(input, `${readFileSync(input, "utf8")}12345,89140000000000009999\n`);
    const args = ["activate", input, ...plan, "--chunk-size", "100", "--no-wait", "--skip-invalid", "--restart"];
    const env = simulatorEnv(simulator.url);
    const alone = await runCommand(args, env);
    const withReport = await runCommand([...args, "--report", file("report.csv")], env);
    const summaryOf = (stdout: string) => stdout.split("\n").filter((line) => /^(devices|results) /.test(line));
    expect(summaryOf(alone.stdout)).toEqual(["devices    251: 250 accepted, 1 invalid"]);
    expect(summaryOf(withReport.stdout)).toEqual(summaryOf(alone.stdout));
    expect([alone.code, withReport.code]).toEqual([1, 1]);
  });

  it("a bad row on a known line: exit 2, the message names line, column, value and rule; nothing is sent", async () => {
    const simulator = await slowSimulator(0);
    const { file } = scratch();
    const input = writeDevicesCsv(file("devices.csv"), 5);
    writeFileSync(
      input,
      `${"imei,iccid\n"}350000000000000,89140000000000000000\n350000000000001,\n12345,\n350000000000003,\n`,
    );
    const result = await runCommand(["activate", input, ...plan], simulatorEnv(simulator.url));
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("devices.csv: 1 invalid row; nothing was sent:");
    expect(result.stderr).toContain('line 4, column imei ("12345"): must be 15 or 16 digits (an IMEI) [pattern]');
    expect(simulator.simulator.calls()).toBe(0);
  });

  it("no credentials and no --simulator: exit 2, naming both ways", async () => {
    const { file } = scratch();
    const input = writeDevicesCsv(file("devices.csv"), 3);
    const result = await runCommand(["activate", input, ...plan], cleanEnv());
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      "No ThingSpace credentials in the environment and no --simulator: set THINGSPACE_CLIENT_ID, " +
        "THINGSPACE_CLIENT_SECRET, THINGSPACE_USERNAME, THINGSPACE_PASSWORD, THINGSPACE_ACCOUNT_NAME to " +
        "provision on ThingSpace, or give --simulator",
    );
  });

  it("--listen against a ThingSpace that is not on this machine needs --public-url: exit 2, nothing sent, no journal", async () => {
    const { file } = scratch();
    const input = writeDevicesCsv(file("devices.csv"), 3);
    // An address that is never contacted: the command stops before any request.
    const env = simulatorEnv("https://thingspace.invalid/api");
    const result = await runCommand(["activate", input, ...plan, "--listen", "0"], env);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      "thingspace-m2m: --listen needs --public-url <url> against ThingSpace: the address where ThingSpace reaches " +
        "this port (it cannot post callbacks to 127.0.0.1)\n",
    );
    expect(existsSync(`${input}.journal`)).toBe(false);
  });

  it("killed mid-way, then --resume: no chunk is sent twice, the unanswered one is settled by a lookup, every device is reported", async () => {
    const { simulator, journal, report, args, first } = await startTenChunkRun(100, 3);
    // From now on an answer takes 10 s: the command is killed while a chunk that took effect
    // waits for its answer (the simulator holds its last device; the journal has no answer).
    simulator.simulator.setFaults({ delayResponse: { ms: 10_000, operation: "activateDevices" } });
    let unanswered = -1;
    await until(() => {
      const entries = readJournal(journal);
      const last = entries[entries.length - 1]!;
      const lastDevice = writeDevicesCsv.deviceOf(last.index! * 100 + 99);
      if (last.type !== "sending" || !simulator.simulator.device("TestAccount-1", lastDevice)) return false;
      unanswered = last.index!;
      return true;
    });
    first.child.kill("SIGKILL");
    expect((await first.exited).signal).toBe("SIGKILL");
    simulator.simulator.clearFaults();

    const resumed = await runCommand([...args, "--resume"], simulatorEnv(simulator.url));
    expect(resumed.code).toBe(0);
    expect(resumed.stderr).toContain(
      `chunk ${unanswered}: sent by the earlier run, its answer never recorded; 100 of 100 devices show it took effect: not sent again`,
    );
    expect(resumed.stdout).toContain("devices    1000: 1000 succeeded");
    // Ten chunks of 100: ten requests in all.
    expect(simulator.simulator.calls("activateDevices")).toBe(10);
    const rows = readReport(report);
    expect(rows.map((row) => Number(row.line))).toEqual(Array.from({ length: 1000 }, (_, i) => i + 2));
    expectReportMatchesSimulator(rows, simulator.simulator);
  }, 60_000);

  it("Ctrl-C stops after the chunk in flight, leaves the journal consistent and exits 130; --resume sends the rest", async () => {
    const { simulator, journal, report, args, first } = await startTenChunkRun(150, 2);
    first.child.kill("SIGINT");
    const stopped = await first.exited;
    expect(stopped.code).toBe(130);
    expect(stopped.stdout).toContain("stopped    by Ctrl-C: --resume continues where this run stopped");
    const entries = readJournal(journal);
    const sending = entries.filter((entry) => entry.type === "sending").map((entry) => entry.index);
    const answered = entries.filter((entry) => entry.type === "accepted").map((entry) => entry.index);
    expect(answered).toEqual(sending);
    expect(simulator.simulator.calls("activateDevices")).toBe(sending.length);
    const rows = readReport(report);
    expect(rows.filter((row) => row.outcome === "not-sent")).toHaveLength(1000 - 100 * sending.length);

    const resumed = await runCommand([...args, "--resume"], simulatorEnv(simulator.url));
    expect(resumed.code).toBe(0);
    expect(simulator.simulator.calls("activateDevices")).toBe(10);
    expectReportMatchesSimulator(readReport(report), simulator.simulator);
  }, 60_000);

  it("--listen: results come by the simulator's callbacks, and the registration is removed at the end", async () => {
    const simulator = await slowSimulator(0);
    const { file } = scratch();
    const input = writeDevicesCsv(file("devices.csv"), 300);
    const args = ["activate", input, ...plan, "--chunk-size", "100", "--listen", "0", "--report", file("report.csv")];
    const result = await runCommand(args, simulatorEnv(simulator.url));
    expect(result.code).toBe(0);
    expect(result.stderr).toContain("callbacks  300 of 300 devices reported by callback");
    const rows = readReport(file("report.csv"));
    expect(new Set(rows.map((row) => row.source))).toEqual(new Set(["callback"]));
    expect(new Set(rows.map((row) => row.requestId)).size).toBe(3);
    expectReportMatchesSimulator(rows, simulator.simulator);
    expect(simulator.simulator.callbackRegistrations("TestAccount-1")).toEqual([]);
    expect(simulator.simulator.deliveries().filter((delivery) => delivery.outcome === "delivered")).toHaveLength(300);
  }, 60_000);

  it("--listen: a registration that cannot be removed at the end is reported, not passed over", async () => {
    server = await startSimulatorServer({
      callbackDelayMs: 0,
      faults: { resetConnection: { operation: "deleteCallback" } },
    });
    const { file } = scratch();
    const input = writeDevicesCsv(file("devices.csv"), 100);
    const result = await runCommand(["activate", input, ...plan, "--listen", "0"], simulatorEnv(server.url));
    expect(result.code).toBe(0);
    const [registration] = server.simulator.callbackRegistrations("TestAccount-1");
    expect(registration?.serviceName).toBe("CarrierService");
    expect(result.stderr).toContain(
      `listener   could not remove the CarrierService registration (DELETE /api/m2m/v1/callbacks/TestAccount-1/name/CarrierService lost its connection; ` +
        `it may have taken effect, so it was not sent again. `,
    );
    expect(result.stderr).toContain(
      `ThingSpace still posts to ${registration!.url}; remove it with deleteCallback("CarrierService")`,
    );
  }, 60_000);

  it("refuses an existing journal without --resume or --restart, and a journal of another input", async () => {
    const simulator = await slowSimulator(0);
    const { file } = scratch();
    const input = writeDevicesCsv(file("devices.csv"), 10);
    const env = simulatorEnv(simulator.url);
    expect((await runCommand(["activate", input, ...plan], env)).code).toBe(0);
    const again = await runCommand(["activate", input, ...plan], env);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain(`${input}.journal exists: an earlier run of this input. --resume continues it`);
    writeDevicesCsv(input, 10, 100);
    const changed = await runCommand(["activate", input, ...plan, "--resume"], env);
    expect(changed.code).toBe(2);
    expect(changed.stderr).toContain("cannot be resumed: it is a journal of another input");
    expect(simulator.simulator.calls("activateDevices")).toBe(1);
  }, 60_000);
});

describe("thingspace-m2m add, go-to-state and reconcile", () => {
  it("adds devices (results in the answer), moves them to a state, and reconcile reports each one's state", async () => {
    const simulator = await slowSimulator(0);
    const { file } = scratch();
    const input = writeDevicesCsv(file("devices.csv"), 5);
    const env = simulatorEnv(simulator.url);
    const added = await runCommand(["add", input, "--report", file("added.csv")], env);
    expect(added.code).toBe(0);
    expect(added.stdout).toBe(`devices    5: 5 succeeded\nresults    5 by response\nreport     ${file("added.csv")}\n`);
    expect(simulator.simulator.devices("TestAccount-1").map((device) => device.state)).toEqual(
      Array(5).fill("PRE-ACTIVE"),
    );

    const moved = await runCommand(
      [
        "go-to-state",
        input,
        ...plan,
        "--service-name",
        "fleet",
        "--state-name",
        "ready",
        "--journal",
        file("move.journal"),
      ],
      env,
    );
    expect(moved.code).toBe(0);
    expect(moved.stdout).toBe("devices    5: 5 succeeded\nresults    5 by reconciliation\n");
    expect(simulator.simulator.devices("TestAccount-1").map((device) => device.state)).toEqual(Array(5).fill("ready"));

    const looked = await runCommand(["reconcile", input, "--state-name", "ready", "--report", file("state.json")], env);
    expect(looked.code).toBe(0);
    const rows = JSON.parse(readFileSync(file("state.json"), "utf8")) as Record<string, string | number>[];
    expect(rows.map(({ line, outcome, state, source }) => ({ line, outcome, state, source }))).toEqual(
      [2, 3, 4, 5, 6].map((line) => ({ line, outcome: "succeeded", state: "ready", source: "reconciliation" })),
    );
    const other = await runCommand(["reconcile", input, "--state-name", "retired"], env);
    expect(other.code).toBe(1);
    expect(other.stdout).toBe("devices    5: 5 failed\nresults    5 by reconciliation\n");
  }, 60_000);
});

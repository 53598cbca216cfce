import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const run = promisify(execFile);

/** This process's environment without anything the example reads, plus `env`. */
function environment(env: Record<string, string>): NodeJS.ProcessEnv {
  const own = /^(THINGSPACE_|DEVICE_COUNT$|CALLBACK_WAIT_SECONDS$|SIMULATOR_CALLBACK_LOSS$)/;
  const inherited = Object.entries(process.env).filter(([name]) => !own.test(name));
  return { ...Object.fromEntries(inherited), ...env };
}

/** Runs examples/provision-devices.ts (its stdout is a pipe here, not a terminal); resolves whatever it exits with. */
async function npmStart(env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, ["--import", "tsx", "examples/provision-devices.ts"], {
      env: environment(env),
      timeout: 90_000,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    if (typeof failed.code !== "number") throw error;
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

/** Step lines end with how long the step took; the rest of them is exact. */
const withoutDuration = (line: string) => line.replace(/ \(\d+(\.\d)? s\)$/, " (<duration>)");

describe("examples/provision-devices.ts (the provisioning job as an SDK program)", () => {
  it("provisions every device end to end against the simulator, looking up those whose callbacks never come, and exits 0, one line per step and the summary", async () => {
    const { code, stdout, stderr } = await npmStart({ DEVICE_COUNT: "250" });
    expect(stderr).toBe("");
    expect(code).toBe(0);
    const lines = stdout.trimEnd().split("\n");
    // Not a terminal: no progress bar and no progress line, one line per step; none repeated.
    // Every delivery of device 7's callbacks is lost (1 device in 500): it is looked up, once per step.
    expect(lines.slice(3, 10).map(withoutDuration)).toEqual([
      "add        250 devices sent in 2 requests: 250 accepted, 0 refused (<duration>)",
      "activate   250 devices sent in 1 request: 250 accepted, 0 refused (<duration>)",
      "activate   1 callback never came: looking the devices up",
      "activate   results for 250 of 250 devices, 1 of them looked up (<duration>)",
      "goToState  250 devices sent in 1 request: 250 accepted, 0 refused (<duration>)",
      "goToState  1 callback never came: looking the devices up",
      "goToState  results for 250 of 250 devices, 1 of them looked up (<duration>)",
    ]);
    const nonEmpty = lines.filter((line) => line !== "");
    expect(new Set(nonEmpty.filter((line) => !line.endsWith("looking the devices up"))).size).toBe(nonEmpty.length - 2);
    expect(lines.slice(10, 15)).toEqual([
      "",
      "summary",
      "  add       2 requests, 250 devices accepted, 0 refused",
      "  activate  1 request, 250 devices accepted, 0 refused, callbacks: 250 succeeded, 0 failed, 0 missing",
      "  goToState 1 request, 250 devices accepted, 0 refused, callbacks: 250 succeeded, 0 failed, 0 missing",
    ]);
    expect(lines[15]).toBe("  devices per state: In service 250");
    expect(lines[16]).toBe("  results: 498 by callback, 2 by reconciliation (looked up: their callbacks never came)");
    const counts =
      /^ {2}callbacks received: (\d+) \((\d+) handled once, (\d+) duplicates? ignored, (\d+) refused\)$/.exec(
        lines[17]!,
      );
    const [received, handled, duplicates, refused] = counts!.slice(1).map(Number);
    expect([handled, refused, received]).toEqual([498, 0, handled! + duplicates!]);
    // Every attempt the simulator made either reached the receiver or was dropped on the way.
    const dropped =
      /^ {2}deliveries dropped by the simulator: (\d+) of (\d+) attempts, 2 callbacks lost \(dropped at all 4 attempts\)$/.exec(
        lines[18]!,
      );
    expect(Number(dropped![2])).toBe(received! + Number(dropped![1]));
    expect(lines[19]).toMatch(/^ {2}time taken: \d+\.\d s$/);
    expect(lines).toHaveLength(20);
    // The README shows this output for 1,000 devices: the same lines but for the numbers.
    const readme = readFileSync(new URL("../../../README.md", import.meta.url), "utf8");
    const section = readme.slice(readme.indexOf("## The same job as an SDK program"));
    const shown = section.slice(section.indexOf("```\n") + 4, section.indexOf("\n```", section.indexOf("```\n")));
    // (1,000 devices lose 2 devices' callbacks per step where 250 lose 1: the noun's number differs.)
    const shape = (line: string) =>
      line.replace(/\d+(\.\d+)?/g, "N").replace(/ callbacks? never/, " callback(s) never");
    expect(shown.split("\n").map(shape)).toEqual(lines.slice(3).map(shape));
  }, 120_000);

  it("accounts for every device when the simulator drops every delivery: all looked up, singular where there is one; exits 0", async () => {
    const { code, stdout } = await npmStart({
      DEVICE_COUNT: "1",
      SIMULATOR_CALLBACK_LOSS: "1",
      CALLBACK_WAIT_SECONDS: "2",
    });
    expect(code).toBe(0);
    const lines = stdout.trimEnd().split("\n").map(withoutDuration);
    expect(lines.slice(3)).toEqual([
      "add        1 device sent in 1 request: 1 accepted, 0 refused (<duration>)",
      "activate   1 device sent in 1 request: 1 accepted, 0 refused (<duration>)",
      "activate   1 callback never came: looking the devices up",
      "activate   results for 1 of 1 device, 1 of them looked up (<duration>)",
      "goToState  1 device sent in 1 request: 1 accepted, 0 refused (<duration>)",
      "goToState  1 callback never came: looking the devices up",
      "goToState  results for 1 of 1 device, 1 of them looked up (<duration>)",
      "",
      "summary",
      "  add       1 request, 1 device accepted, 0 refused",
      "  activate  1 request, 1 device accepted, 0 refused, callbacks: 1 succeeded, 0 failed, 0 missing",
      "  goToState 1 request, 1 device accepted, 0 refused, callbacks: 1 succeeded, 0 failed, 0 missing",
      "  devices per state: In service 1",
      "  results: 0 by callback, 2 by reconciliation (looked up: their callbacks never came)",
      "  callbacks received: 0 (0 handled once, 0 duplicates ignored, 0 refused)",
      "  deliveries dropped by the simulator: 8 of 8 attempts, 2 callbacks lost (dropped at all 4 attempts)",
      expect.stringMatching(/^ {2}time taken: \d+\.\d s$/),
    ]);
  }, 120_000);

  it.each(["abc", "0", "-5", "1.5"])(
    "DEVICE_COUNT=%s: exits 2 before starting anything, saying what is allowed",
    async (count) => {
      const { code, stdout, stderr } = await npmStart({ DEVICE_COUNT: count });
      expect({ code, stdout, stderr }).toEqual({
        code: 2,
        stdout: "",
        stderr:
          "provision-devices: nothing was started (1 problem):\n" +
          `- DEVICE_COUNT must be a whole number from 1 to 1000000 (got "${count}")\n`,
      });
    },
    60_000,
  );

  it("THINGSPACE_LIVE=yes is refused (only 1 or true mean live), with every other problem at once", async () => {
    const { code, stdout, stderr } = await npmStart({ THINGSPACE_LIVE: "yes", SIMULATOR_CALLBACK_LOSS: "5%" });
    expect({ code, stdout, stderr }).toEqual({
      code: 2,
      stdout: "",
      stderr:
        "provision-devices: nothing was started (2 problems):\n" +
        '- THINGSPACE_LIVE must be 1 or true to run against ThingSpace itself, or 0, false or unset for the simulator (got "yes")\n' +
        '- SIMULATOR_CALLBACK_LOSS must be a number from 0 to 1, e.g. 0.05 (got "5%")\n',
    });
  }, 60_000);

  it("THINGSPACE_LIVE=1 without its variables names every one missing in one run, and contacts nothing", async () => {
    const { code, stdout, stderr } = await npmStart({
      THINGSPACE_LIVE: "true",
      THINGSPACE_CLIENT_ID: "app-key",
      THINGSPACE_CALLBACK_BASE_URL: "listener.example.com",
    });
    expect({ code, stdout }).toEqual({ code: 2, stdout: "" });
    expect(stderr.split("\n")).toEqual([
      "provision-devices: nothing was started (10 problems):",
      "- THINGSPACE_CLIENT_SECRET is not set: the application's OAuth secret, from the ThingSpace portal",
      "- THINGSPACE_USERNAME is not set: the M2M (UWS) user's name",
      "- THINGSPACE_PASSWORD is not set: the M2M (UWS) user's password",
      "- THINGSPACE_ACCOUNT_NAME is not set: the billing account, e.g. 0868924207-00001",
      "- THINGSPACE_CALLBACK_PORT is not set: the port the callback receiver listens on",
      "- THINGSPACE_CALLBACK_BASE_URL must be an http:// or https:// URL, e.g. https://listener.example.com",
      "- THINGSPACE_SERVICE_PLAN is not set: the service plan to activate the devices with",
      "- THINGSPACE_MDN_ZIP is not set: the ZIP code of the MDNs to assign, e.g. 98801",
      "- THINGSPACE_SERVICE_NAME is not set: the customer-defined service to move the devices to",
      "- THINGSPACE_STATE_NAME is not set: the customer-defined state to move the devices to",
      "",
    ]);
  }, 60_000);
});

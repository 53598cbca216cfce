import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const run = promisify(execFile);

describe("npm start (examples/provision-devices.ts)", () => {
  it("provisions every device end to end against the simulator, looking up those whose callbacks never come, and exits 0 with the summary", async () => {
    const { stdout } = await run(process.execPath, ["--import", "tsx", "examples/provision-devices.ts"], {
      env: { ...process.env, DEVICE_COUNT: "250", THINGSPACE_LIVE: "" },
      timeout: 60_000,
    });
    expect(stdout).toContain("  add       2 request(s), 250 devices accepted, 0 refused");
    expect(stdout).toContain(
      "  activate  1 request(s), 250 devices accepted, 0 refused, callbacks: 250 succeeded, 0 failed, 0 missing",
    );
    expect(stdout).toContain(
      "  goToState 1 request(s), 250 devices accepted, 0 refused, callbacks: 250 succeeded, 0 failed, 0 missing",
    );
    expect(stdout).toContain("  devices per state: In service 250");
    // Every delivery of device 7's callbacks is lost (1 device in 500): it is looked up, once per step.
    expect(stdout).toContain("  1 callback(s) never came: looking the devices up");
    expect(stdout).toContain("  results: 498 by callback, 2 by reconciliation (looked up: their callbacks never came)");
    const counts = /callbacks received: (\d+) \((\d+) handled once, (\d+) duplicates ignored, (\d+) refused\)/.exec(
      stdout,
    );
    expect(counts).not.toBeNull();
    const [received, handled, duplicates, refused] = counts!.slice(1).map(Number);
    expect(handled).toBe(498);
    expect(refused).toBe(0);
    expect(received).toBe(handled! + duplicates!);
  }, 90_000);
});

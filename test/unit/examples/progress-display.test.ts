import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { countOf, createProgressDisplay, formatDuration } from "../../../examples/progress-display.js";

/** A stream that keeps what is written to it, a terminal or not. */
function recordingStream(isTTY: boolean) {
  const chunks: string[] = [];
  const stream = Object.assign(
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        chunks.push(chunk.toString());
        done();
      },
    }),
    { isTTY, columns: 120 },
  );
  return { stream, text: () => chunks.join("") };
}

/** What a terminal would show: escape sequences removed, each carriage return starting over. */
const visible = (text: string) =>
  text
    .replace(/\x1b\[[0-9;?]*[A-Za-z]|\x1b[78]/g, "\r")
    .split("\n")
    .map((line) => line.split("\r").filter(Boolean).pop() ?? "");

describe("the SDK example's progress display", () => {
  it("elsewhere than a terminal, prints only each step's result line, once", () => {
    const { stream, text } = recordingStream(false);
    const display = createProgressDisplay(stream);
    const step = display.step("activate   sending", 3, "devices");
    step.update(1, "(1 accepted)");
    step.update(3, "(3 accepted)");
    step.finish("activate   3 devices sent in 1 request: 3 accepted, 0 refused (0.1 s)");
    display.line("summary");
    expect(text()).toBe("activate   3 devices sent in 1 request: 3 accepted, 0 refused (0.1 s)\nsummary\n");
  });

  it("on a terminal, draws a bar naming the step that its result line replaces", () => {
    const { stream, text } = recordingStream(true);
    const display = createProgressDisplay(stream);
    const step = display.step("activate   sending", 4, "devices");
    expect(visible(text())).toEqual([`activate   sending   [${"░".repeat(30)}] 0/4 devices `]);
    step.update(2, "(2 accepted)");
    step.finish("activate   4 devices sent in 1 request: 4 accepted, 0 refused (0.1 s)");
    // The bar was drawn once more as it stopped (cli-progress throttles redraws in between).
    expect(text()).toContain(`activate   sending   [${"█".repeat(15)}${"░".repeat(15)}] 2/4 devices (2 accepted)`);
    expect(visible(text()).filter(Boolean)).toEqual([
      "activate   4 devices sent in 1 request: 4 accepted, 0 refused (0.1 s)",
    ]);
  });

  it("counts with the noun in the singular for one only", () => {
    expect([countOf(0, "device"), countOf(1, "device"), countOf(2, "request")]).toEqual([
      "0 devices",
      "1 device",
      "2 requests",
    ]);
    expect(countOf(4, "delivery", "deliveries")).toBe("4 deliveries");
  });

  it("says how long as a person reads it", () => {
    expect([0.04, 2, 2.345, 12.6, 200, 43_200].map((seconds) => formatDuration(seconds * 1000))).toEqual([
      "0.0 s",
      "2 s",
      "2.3 s",
      "13 s",
      "3 min 20 s",
      "12 h",
    ]);
  });
});

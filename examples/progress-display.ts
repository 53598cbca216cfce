/**
 * How examples/provision-devices.ts shows its progress. On a terminal, each step has a progress bar (cli-progress)
 * that its result line replaces when the step ends; anywhere else (a pipe, a CI log) only that
 * one line per step is printed. So no line is ever printed twice unchanged, and every line says
 * which step it belongs to.
 */
import cliProgress from "cli-progress";

/** One step under way. */
export interface StepProgress {
  /** How far the step is: `done` of its total, and what to show after the bar. */
  update(done: number, details?: string): void;
  /** Ends the step: its bar (if any) is removed and `line` printed in its place. */
  finish(line: string): void;
}

/** Where the example writes its progress and its lines. */
export interface ProgressDisplay {
  /** Starts a step: `label` names it ("activate callbacks"); `total` and `unit` size its bar. */
  step(label: string, total: number, unit: string): StepProgress;
  /** Prints a line between steps. */
  line(text: string): void;
}

/** `1 device`, `0 devices`, `2 deliveries`: a count and its noun, singular only for one. */
export function countOf(count: number, noun: string, plural = `${noun}s`): string {
  return `${count} ${count === 1 ? noun : plural}`;
}

/** `0.4 s`, `12 s`, `3 min 20 s`, `12 h`: a duration as a person reads it. */
export function formatDuration(ms: number): string {
  const seconds = ms / 1000;
  if (seconds < 10) return Number.isInteger(seconds) ? `${seconds} s` : `${seconds.toFixed(1)} s`;
  if (seconds < 60) return `${Math.round(seconds)} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min${seconds % 60 >= 1 ? ` ${Math.floor(seconds % 60)} s` : ""}`;
  const hours = Math.floor(minutes / 60);
  return `${hours} h${minutes % 60 > 0 ? ` ${minutes % 60} min` : ""}`;
}

/**
 * A display on `stream`: progress bars when it is a terminal, result lines only otherwise.
 * (`isTTY` is read from the stream; tests pass a stream of their own.)
 */
export function createProgressDisplay(stream: NodeJS.WritableStream & { isTTY?: boolean } = process.stdout) {
  const write = (text: string) => void stream.write(`${text}\n`);
  const display: ProgressDisplay = {
    line: write,
    step(label, total, unit) {
      if (!stream.isTTY) return { update: () => undefined, finish: write };
      const bar = new cliProgress.SingleBar(
        {
          stream,
          format: `${label.padEnd(20)} [{bar}] {value}/{total} ${unit} {details}`,
          barsize: 30,
          clearOnComplete: true,
          // Nothing that would outlast a Ctrl+C: the cursor stays visible, line wrapping stays
          // on (the bar is cut to the terminal's width instead).
          hideCursor: false,
          linewrap: true,
        },
        cliProgress.Presets.shades_classic,
      );
      bar.start(total, 0, { details: "" });
      return {
        update: (done, details = "") => bar.update(done, { details }),
        finish(line) {
          bar.stop();
          write(line);
        },
      };
    },
  };
  return display;
}

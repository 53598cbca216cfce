/**
 * How the command shows where it is. On a terminal each phase (sending, waiting for results,
 * reconciling) has a progress bar (cli-progress) with devices per second and the time left,
 * replaced by the phase's result line when it ends; anywhere else (a pipe, a CI log) one line per
 * chunk and one per phase, so a log says what happened without a bar's control characters.
 * Progress goes to stderr: stdout carries only the summary, for scripts.
 */
import cliProgress from "cli-progress";

/** One phase under way. */
export interface Phase {
  /** How far the phase is: `done` of its total. */
  update(done: number): void;
  /** Ends the phase: its bar (if any) is removed and `line` printed in its place. */
  finish(line: string): void;
}

/** Where the command's progress goes. */
export interface Progress {
  /** Starts a phase of `total` devices (`label`: "sending"). */
  phase(label: string, total: number): Phase;
  /** A line of its own: on a terminal between bars, elsewhere one per chunk. */
  line(text: string): void;
  /** A line printed only where there is no bar (a chunk's outcome in a log). */
  detail(text: string): void;
}

/** `0.4 s`, `12 s`, `3 min 20 s`: a duration as a person reads it. */
export function formatDuration(ms: number): string {
  const seconds = ms / 1000;
  if (seconds < 10) return `${seconds.toFixed(1)} s`;
  if (seconds < 60) return `${Math.round(seconds)} s`;
  const minutes = Math.floor(seconds / 60);
  return `${minutes} min ${Math.floor(seconds % 60)} s`;
}

/** Bars on `stream` when it is a terminal, lines otherwise. */
export function createProgress(stream: NodeJS.WritableStream & { isTTY?: boolean } = process.stderr): Progress {
  const write = (text: string) => void stream.write(`${text}\n`);
  if (!stream.isTTY) {
    return {
      line: write,
      detail: write,
      phase: () => ({ update: () => undefined, finish: write }),
    };
  }
  return {
    line: write,
    detail: () => undefined,
    phase(label, total) {
      const started = performance.now();
      const bar = new cliProgress.SingleBar(
        {
          stream,
          format: `${label.padEnd(22)} [{bar}] {value}/{total} devices | {rate} devices/s | ETA {eta_formatted}`,
          barsize: 30,
          clearOnComplete: true,
          // Nothing that would outlast a Ctrl-C: the cursor stays visible.
          hideCursor: false,
          linewrap: true,
          etaBuffer: 50,
        },
        cliProgress.Presets.shades_classic,
      );
      bar.start(total, 0, { rate: 0 });
      return {
        update(done) {
          const seconds = (performance.now() - started) / 1000;
          bar.update(done, { rate: seconds > 0 ? Math.round(done / seconds) : 0 });
        },
        finish(line) {
          bar.stop();
          write(line);
        },
      };
    },
  };
}

/**
 * `thingspace-m2m`: the provisioning command's entry. Parses the command line, runs the
 * subcommand, and exits 0 when every device succeeded, 1 when some did not, 2 on bad input or
 * a bad setting (nothing sent), 130 after Ctrl-C. The first Ctrl-C lets the chunks in flight
 * finish and be journalled (no new chunk starts); a second one ends the process at once, and the
 * journal then holds those chunks as sent without an answer, which `--resume` settles by
 * looking their devices up.
 */
import { CommanderError } from "commander";
import { InputError } from "./input.js";
import { createProgram, type RunSettings } from "./program.js";
import { createProgress } from "./progress.js";
import { exitCodes, runCommand } from "./run.js";

/** Runs the command on `argv` (as `process.argv`); resolves to the exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  const stop = new AbortController();
  let interrupts = 0;
  const onInterrupt = () => {
    interrupts += 1;
    if (interrupts > 1) process.exit(exitCodes.interrupted);
    process.stderr.write("\nCtrl-C: stopping after the requests in flight (Ctrl-C again to quit at once)\n");
    stop.abort();
  };
  process.on("SIGINT", onInterrupt);
  let code: number = exitCodes.ok;
  const run = async (settings: RunSettings) => {
    code = await runCommand(settings, {
      progress: createProgress(process.stderr),
      out: (line) => void process.stdout.write(`${line}\n`),
      stop: stop.signal,
      env: process.env,
    });
  };
  try {
    await createProgram(run).parseAsync([...argv]);
    return code;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and --version end here too, with code 0; commander has printed them.
      return error.exitCode === 0 ? 0 : exitCodes.badInput;
    }
    if (error instanceof InputError || (error instanceof Error && error.name === "InvalidArgumentError")) {
      process.stderr.write(`thingspace-m2m: ${error.message}\n`);
      return exitCodes.badInput;
    }
    // The SDK's errors never carry a secret; their message says what to check.
    process.stderr.write(
      `thingspace-m2m: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}\n`,
    );
    return exitCodes.someFailed;
  } finally {
    process.off("SIGINT", onInterrupt);
  }
}

process.exitCode = await main(process.argv);

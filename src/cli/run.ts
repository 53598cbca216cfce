/**
 * One run of the command, start to end: check the whole input and the body against the spec,
 * connect, open (or resume) the journal, settle the chunks whose outcome an earlier run never
 * learnt, send the rest (`concurrency` requests in flight, within the activate pacing), collect
 * each device's result (callbacks, then reconciliation), and write the report. Nothing is sent
 * before every check passed; everything sent is in the journal before it leaves.
 */
import { readFile } from "node:fs/promises";
import path from "node:path";
import {
  checkRequestBody,
  deviceKey,
  OutcomeUnknownError,
  ThingSpaceApiError,
  type BatchChunk,
  type BatchResult,
  type ThingSpaceClient,
} from "../index.js";
import { connect, serviceOf, startListener, type Connection, type Listener } from "./connection.js";
import {
  alreadyChecked,
  deviceCheck,
  formatProblem,
  InputError,
  readDeviceBatches,
  readDevices,
  readRows,
  type InputDevice,
  type InputOperation,
  type InputRow,
} from "./input.js";
import { scanInput, type InputScan } from "./scan.js";
import { jsonDigest, openJournal, type Journal } from "./journal.js";
import { formatDuration, type Progress } from "./progress.js";
import type { RunSettings } from "./program.js";
import { chunkOutcome, formatSummary, reportRow, writeReport, type ReportRow, type Summary } from "./report.js";
import { assigned, createResultCollector, type ResultCollector } from "./results.js";
import { aimOf, settleUnknownChunks } from "./settle.js";

/** What a run talks to: its progress, its summary lines, and the signals of Ctrl-C. */
export interface RunContext {
  progress: Progress;
  /** Prints a summary line (stdout). */
  out: (line: string) => void;
  /** First Ctrl-C: start no new chunk, stop waiting. */
  stop: AbortSignal;
  env: NodeJS.ProcessEnv;
}

/** Exit codes: every device succeeded, some did not, bad input (thrown as InputError), interrupted. */
export const exitCodes = { ok: 0, someFailed: 1, badInput: 2, interrupted: 130 } as const;

type SendingOperation = Exclude<InputOperation, "reconcile">;

const shownProblems = 50;

/** A path as the user gave it, relative to where the command runs when it is below it. */
const shown = (file: string): string => {
  const relative = path.relative(process.cwd(), file);
  return relative && !relative.startsWith("..") ? relative : file;
};

/** `1 request`, `3 requests`. */
const countOf = (count: number, noun: string): string => `${count} ${noun}${count === 1 ? "" : "s"}`;

/** The body shared by every chunk: the template, then the flags. */
async function sharedBody(settings: RunSettings): Promise<Record<string, unknown>> {
  let template: unknown = {};
  if (settings.template) {
    const text = await readFile(settings.template, "utf8").catch(() => {
      throw new InputError(`--template ${settings.template}: no such file`);
    });
    try {
      template = JSON.parse(text);
    } catch {
      throw new InputError(`--template ${settings.template}: not valid JSON`);
    }
    if (template === null || typeof template !== "object" || Array.isArray(template)) {
      throw new InputError(
        `--template ${settings.template}: must be a JSON object (the request body without its devices)`,
      );
    }
    for (const field of ["devices", "devicesToAdd"]) {
      if (field in template) throw new InputError(`--template: "${field}" comes from the input file, not the template`);
    }
  }
  return { ...(template as Record<string, unknown>), ...settings.fields };
}

/** The body's own violations (not the devices'), checked once with a sample device. */
function checkBody(operation: SendingOperation, body: Record<string, unknown>, sample: InputDevice): void {
  const withDevice = operation === "addDevices" ? { ...body, devicesToAdd: [sample] } : { ...body, devices: [sample] };
  const violations = checkRequestBody(operation, withDevice).filter(
    (violation) => !/^\/(devices|devicesToAdd)\/0(\/|$)/.test(violation.path),
  );
  if (violations.length > 0) {
    const lines = violations.map((violation) => `- ${violation.message} [${violation.rule}]`);
    throw new InputError(
      `The request body (flags and --template) is not valid for ${operation}; nothing was sent:\n${lines.join("\n")}`,
    );
  }
}

/** Add's `state` has one allowed value in the spec: it needs no flag. */
function withOnlyState(body: Record<string, unknown>, sample: InputDevice): Record<string, unknown> {
  if (body.state !== undefined) return body;
  const allowed = checkRequestBody("addDevices", { ...body, state: "", devicesToAdd: [sample] }).find(
    (violation) => violation.path === "/state" && violation.allowed?.length === 1,
  )?.allowed;
  return allowed ? { ...body, state: allowed[0] } : body;
}

/** Reads and checks the whole input; throws (exit 2) unless it may be sent. */
async function checkedInput(settings: RunSettings, check: ReturnType<typeof deviceCheck>): Promise<InputScan> {
  const scan = await scanInput(settings.input, settings.operation, check);
  if (scan.problems.length > 0 && !settings.skipInvalid) {
    const listed = scan.problems.slice(0, shownProblems).map(formatProblem);
    const more = scan.problems.length - listed.length;
    throw new InputError(
      `${shown(settings.input)}: ${countOf(scan.invalidLines.size, "invalid row")}; nothing was sent:\n` +
        listed.map((line) => `  ${line}`).join("\n") +
        (more > 0 ? `\n  … and ${more} more` : "") +
        "\nFix them, or give --skip-invalid to send the valid rows and list these in the report.",
    );
  }
  if (scan.deviceCount === 0) throw new InputError(`${settings.input}: no valid device to send`);
  return scan;
}

/** The first valid device of the file (for checking the body). */
async function firstDevice(settings: RunSettings, scan: InputScan) {
  for await (const device of readDevices(settings.input, settings.operation, scan.invalidLines, scan.blocks))
    return device;
  throw new InputError(`${settings.input}: no valid device to send`);
}

/** The previous runs' accepted chunks, as the SDK's `skip` takes them (it checks each chunk's fingerprint). */
function skipOf(journal: Journal, chunkSize: number): BatchResult {
  const chunks = [...journal.chunks]
    .filter(([, chunk]) => chunk.status === "accepted" || chunk.status === "took-effect")
    .map(([index, chunk]) => ({ index, status: "accepted" as const, fingerprint: chunk.fingerprint, deviceCount: 0 }));
  return { chunkSize, chunks, deviceCount: 0, acceptedCount: 0, failedCount: 0, skippedCount: 0 };
}

/** `REQUEST_FAILED.UnexpectedError: message`, as the journal keeps a refused chunk. */
function failureText(error: Error | undefined): string {
  const code = error instanceof ThingSpaceApiError && error.errorCode ? error.errorCode : (error?.name ?? "Error");
  return `${code}: ${error?.message ?? "unknown"}`;
}

/** Records what a chunk's answer says, and what the run now expects of its devices. */
async function recordChunk(
  chunk: BatchChunk<InputDevice>,
  settings: RunSettings,
  ctx: { client: ThingSpaceClient; journal: Journal; progress: Progress; collector?: ResultCollector },
): Promise<void> {
  const { journal, progress, collector } = ctx;
  const devices = chunk.devices as InputDevice[];
  const pseudoId = `journal:${chunk.index}`;
  if (chunk.status === "skipped") {
    const earlier = journal.chunks.get(chunk.index);
    const open = devices.filter((device) => {
      const result = journal.results.get(deviceKey(device.deviceIds));
      return result === undefined || result.outcome === "pending";
    });
    const requestId = earlier?.status === "accepted" && earlier.requestId ? earlier.requestId : pseudoId;
    collector?.expect(requestId, open);
    progress.detail(`chunk ${chunk.index}: accepted by an earlier run, not sent again`);
    return;
  }
  if (chunk.status === "accepted") {
    journal.accepted(chunk.index, chunk.requestId);
    if (settings.operation === "addDevices") {
      const results = (chunk.response ?? []) as { deviceIds: { kind: string; id: string }[]; response: string }[];
      devices.forEach((device, i) => {
        const answer = results[i]?.response ?? "";
        const ok = answer.toLowerCase() === "success";
        const key = deviceKey(device.deviceIds);
        journal.result({
          key,
          source: "response",
          outcome: ok ? "succeeded" : "failed",
          ...(ok ? {} : { faultText: answer }),
        });
      });
    } else if (chunk.requestId) collector?.expect(chunk.requestId, devices);
    progress.detail(
      `chunk ${chunk.index}: ${countOf(devices.length, "device")} accepted (${chunk.requestId ?? "no requestId"})`,
    );
    return;
  }
  if (chunk.error instanceof OutcomeUnknownError) {
    const check = await ctx.client.checkOutcome(chunk.error).catch(() => undefined);
    if (check && check.overall !== "no-effect") {
      journal.tookEffect(chunk.index);
      collector?.expect(pseudoId, devices);
      progress.line(`chunk ${chunk.index}: its answer was lost; a lookup shows it took effect (${check.overall})`);
      return;
    }
  }
  journal.failed(chunk.index, failureText(chunk.error));
  progress.line(`chunk ${chunk.index}: ${devices.length} devices refused: ${failureText(chunk.error)}`);
}

/** The report's rows: the input again, each device with its chunk and result from the journal. */
async function* reportRows(
  settings: RunSettings,
  scan: InputScan,
  journal: Pick<Journal, "chunks" | "results">,
): AsyncGenerator<ReportRow> {
  const problemsAt = new Map<number, InputRow["problems"]>();
  for (const problem of scan.problems) problemsAt.set(problem.line, [...(problemsAt.get(problem.line) ?? []), problem]);
  let position = 0;
  for await (const row of readRows(settings.input, settings.operation, alreadyChecked, scan.blocks)) {
    const problems = problemsAt.get(row.line);
    if (problems || !row.device) {
      yield reportRow({ ...row, problems: problems ?? row.problems }, scan.kinds, {});
      continue;
    }
    const chunk = settings.chunkSize > 0 ? journal.chunks.get(Math.floor(position / settings.chunkSize)) : undefined;
    position += 1;
    const result = journal.results.get(deviceKey(row.device.deviceIds));
    yield reportRow(row, scan.kinds, { ...(chunk ? { chunk } : {}), ...(result ? { result } : {}) });
  }
}

/**
 * The summary without reading the input again, when no device needs its row: no report file and
 * no device result in the journal (`--no-wait`). Each valid device's outcome then follows from its
 * chunk alone, as `reportRow` decides it; the invalid rows are the scan's.
 */
function summaryOfChunks(
  settings: RunSettings,
  scan: InputScan,
  journal: Pick<Journal, "chunks" | "results">,
): Summary | undefined {
  if (settings.report !== undefined || journal.results.size > 0 || !(settings.chunkSize > 0)) return undefined;
  const summary: Summary = { total: scan.deviceCount + scan.invalidLines.size, sources: {} };
  if (scan.invalidLines.size > 0) summary.invalid = scan.invalidLines.size;
  for (let index = 0; index * settings.chunkSize < scan.deviceCount; index++) {
    const devices = Math.min(settings.chunkSize, scan.deviceCount - index * settings.chunkSize);
    const chunk = journal.chunks.get(index);
    const outcome = chunkOutcome(chunk);
    summary[outcome] = (summary[outcome] ?? 0) + devices;
    if (outcome === "failed") summary.sources.response = (summary.sources.response ?? 0) + devices;
  }
  return summary;
}

/** Writes the report, prints the summary and says how the command exits. */
async function finish(
  settings: RunSettings,
  ctx: RunContext,
  rows: AsyncIterable<ReportRow> | Summary,
  kinds: readonly string[],
  sendOnly: boolean,
): Promise<number> {
  const summary: Summary = "total" in rows ? rows : await writeReport(settings.report, kinds, rows);
  ctx.out(formatSummary(summary));
  const sources = Object.entries(summary.sources)
    .map(([source, count]) => `${count} by ${source}`)
    .join(", ");
  if (sources) ctx.out(`results    ${sources}`);
  if (settings.report) ctx.out(`report     ${shown(settings.report)}`);
  if (ctx.stop.aborted) {
    ctx.out("stopped    by Ctrl-C: --resume continues where this run stopped");
    return exitCodes.interrupted;
  }
  const good = (summary.succeeded ?? 0) + (sendOnly ? (summary.accepted ?? 0) : 0);
  return good === summary.total ? exitCodes.ok : exitCodes.someFailed;
}

/** `reconcile`: looks every device of the file up and reports its state. */
async function reconcileFile(settings: RunSettings, ctx: RunContext, connection: Connection): Promise<number> {
  const check = deviceCheck("reconcile", {});
  const scan = await checkedInput(settings, check);
  const results: Pick<Journal, "chunks" | "results"> = { chunks: new Map(), results: new Map() };
  const expectedState = settings.fields.stateName;
  const phase = ctx.progress.phase("reconciling", scan.deviceCount);
  const started = performance.now();
  let batch: InputDevice[] = [];
  let done = 0;
  const lookUp = async () => {
    const found = await connection.client.lookUpDevices(batch, expectedState ? { expectedState } : {});
    for (const { device, found: finding, state, listed } of found) {
      const outcome = finding === "in-state" ? "succeeded" : finding === "other-state" ? "failed" : finding;
      const key = deviceKey(device.deviceIds);
      const ids = assigned(listed?.deviceIds, listed?.ipAddress);
      results.results.set(key, { key, outcome, source: "reconciliation", ...(state ? { state } : {}), ...ids });
    }
    done += batch.length;
    phase.update(done);
    batch = [];
  };
  for await (const device of readDevices(settings.input, "reconcile", scan.invalidLines, scan.blocks)) {
    batch.push(device);
    if (batch.length === 1000) await lookUp();
    if (ctx.stop.aborted) break;
  }
  if (batch.length > 0 && !ctx.stop.aborted) await lookUp();
  phase.finish(`reconcile  ${done} devices looked up (${formatDuration(performance.now() - started)})`);
  return finish(settings, ctx, reportRows(settings, scan, results), scan.kinds, false);
}

/** Runs the command the settings describe; resolves to its exit code. Bad input throws InputError. */
export async function runCommand(settings: RunSettings, ctx: RunContext): Promise<number> {
  if (settings.operation === "reconcile") {
    const connection = await connect({ simulator: settings.simulator }, ctx.env);
    ctx.progress.line(`target     ${connection.target}`);
    try {
      return await reconcileFile(settings, ctx, connection);
    } finally {
      await connection.close();
    }
  }
  const operation = settings.operation;
  let body = await sharedBody(settings);
  const check = deviceCheck(operation, body);
  const scan = await checkedInput(settings, check);
  const sample = await firstDevice(settings, scan);
  if (operation === "addDevices") body = withOnlyState(body, sample);
  checkBody(operation, body, sample);
  if (settings.listen !== undefined && operation === "addDevices") {
    throw new InputError("--listen: add reports each device's result in its answer; there are no callbacks to receive");
  }

  const connection = await connect({ simulator: settings.simulator }, ctx.env);
  const { client } = connection;
  if (settings.listen !== undefined && settings.publicUrl === undefined && !connection.local) {
    await connection.close();
    throw new InputError(
      "--listen needs --public-url <url> against ThingSpace: the address where ThingSpace reaches this port " +
        "(it cannot post callbacks to 127.0.0.1)",
    );
  }
  const identity = {
    operation,
    input: settings.input,
    inputDigest: scan.blocks.digest,
    bodyDigest: jsonDigest(body),
    chunkSize: settings.chunkSize,
  };
  let journal: Journal | undefined;
  let listener: Listener | undefined;
  let collector: ResultCollector | undefined;
  try {
    journal = await openJournal(settings.journal, identity, settings);
    ctx.progress.line(`target     ${connection.target}`);
    ctx.progress.line(`journal    ${shown(settings.journal)}${settings.resume ? " (resumed)" : ""}`);
    if (scan.problems.length > 0)
      ctx.progress.line(`input      ${scan.invalidLines.size} invalid row(s) skipped (in the report)`);
    const inputDevices = readDevices(settings.input, operation, scan.invalidLines, scan.blocks);
    const aim = aimOf(operation, body);
    await settleUnknownChunks(settings, aim, { client, journal, progress: ctx.progress }, inputDevices);

    const waits = settings.wait !== false && operation !== "addDevices";
    if (waits) {
      collector = createResultCollector(client, ctx.progress, {
        ...("expectedState" in aim ? { expectedState: aim.expectedState } : {}),
        lookupIntervalMs: settings.simulator ? 0 : 1000,
      });
    }
    if (collector && settings.listen !== undefined) {
      listener = await startListener({
        client,
        service: serviceOf[operation as keyof typeof serviceOf],
        port: settings.listen,
        publicUrl: settings.publicUrl,
        replace: settings.replaceCallback,
        onCallback: (callback) => collector!.record(callback),
      });
      ctx.progress.line(`listening  ${listener.url} (${serviceOf[operation as keyof typeof serviceOf]})`);
    }

    const sendPhase = ctx.progress.phase("sending", scan.deviceCount);
    const started = performance.now();
    const batchOptions = {
      chunkSize: settings.chunkSize,
      concurrency: settings.concurrency,
      stop: ctx.stop,
      skip: skipOf(journal, settings.chunkSize),
      // The scan checked every row as the body it goes in, and the devices are read from the
      // bytes it checked (scan.blocks): the SDK need not check each chunk again.
      validate: false,
      beforeSend: ({ index, fingerprint }: { index: number; fingerprint: string }) =>
        journal!.sending(index, fingerprint),
      onChunk: (chunk: BatchChunk<InputDevice>) =>
        recordChunk(chunk, settings, {
          client,
          journal: journal!,
          progress: ctx.progress,
          ...(collector ? { collector } : {}),
        }),
      onProgress: ({ devicesDone }: { devicesDone: number }) => sendPhase.update(devicesDone),
    };
    // Every row was checked against the spec above: the devices are the operation's devices.
    const read = readDeviceBatches(settings.input, operation, scan.invalidLines, scan.blocks);
    const devices = read as AsyncIterable<never>;
    const batch: BatchResult =
      operation === "addDevices"
        ? await client.addDevicesInBatches(devices, body as never, batchOptions as never)
        : operation === "activateDevices"
          ? await client.activateDevicesInBatches(devices, body as never, batchOptions as never)
          : await client.goToStateInBatches(devices, body as never, batchOptions as never);
    const sent = batch.chunks.filter((chunk) => chunk.status !== "skipped").length;
    sendPhase.finish(
      `sent       ${countOf(batch.deviceCount, "device")} in ${countOf(sent, "request")}: ${batch.acceptedCount} accepted, ` +
        `${batch.failedCount} refused` +
        (batch.skippedCount > 0 ? `, ${batch.skippedCount} accepted by an earlier run` : "") +
        ` (${formatDuration(performance.now() - started)})`,
    );

    if (collector && !ctx.stop.aborted) {
      const waitMs = (settings.wait as number) * 1000;
      const results = await collector.collect({
        listening: listener !== undefined,
        waitMs,
        pollMs: settings.simulator ? 100 : 10_000,
        stop: ctx.stop,
      });
      for (const result of results) journal.result(result);
    }
    const rows = summaryOfChunks(settings, scan, journal) ?? reportRows(settings, scan, journal);
    return await finish(settings, ctx, rows, scan.kinds, !waits);
  } finally {
    collector?.close();
    await listener?.close().catch((error: unknown) => {
      const service = serviceOf[operation as keyof typeof serviceOf];
      ctx.progress.line(
        `listener   could not remove the ${service} registration (${error instanceof Error ? error.message : String(error)}): ` +
          `ThingSpace still posts to ${listener!.url}; remove it with deleteCallback("${service}")`,
      );
    });
    journal?.close();
    await connection.close();
  }
}

/**
 * The run's report: one row per device of the input, in its order, built from the input and the
 * journal (so a resumed run reports the devices of every earlier run too), written as CSV
 * (csv-stringify) or JSON as it is read, never held whole; and the summary that counts each
 * outcome, printed on screen. The outcome decides the exit code: 0 when every device succeeded.
 */
import { createWriteStream, type WriteStream } from "node:fs";
import { once } from "node:events";
import { stringify } from "csv-stringify";
import { deviceKey } from "../index.js";
import type { InputRow } from "./input.js";
import type { ChunkRecord, DeviceResult } from "./journal.js";

/**
 * What became of a device:
 * - `succeeded`, `failed`, `pending`, `not-found`: its result (callback, reconciliation or the answer);
 * - `accepted`: its request was accepted and no result came yet (`--no-wait`, or the wait ended);
 * - `not-sent`: never sent (the run was stopped before its chunk);
 * - `invalid`: its row broke the spec and was skipped (`--skip-invalid`).
 */
export type Outcome = DeviceResult["outcome"] | "accepted" | "not-sent" | "invalid";

/** One row of the report. */
export interface ReportRow {
  line: number;
  /** One entry per identifier kind of the input: the device's identifier of that kind, or "". */
  ids: Record<string, string>;
  outcome: Outcome;
  state: string;
  mdn: string;
  msisdn: string;
  ipAddress: string;
  faultCode: string;
  faultText: string;
  source: string;
  requestId: string;
}

/** How many devices had each outcome. */
export type Summary = Partial<Record<Outcome, number>> & {
  total: number;
  /** Where the results came from: `callback`, `reconciliation`, `response` (add's answer). */
  sources: Record<string, number>;
};

/** What a row's device has: a chunk (when it was sent in one) and a result. */
export interface RowFacts {
  /** The chunk that carried the device, or undefined when none did (not sent). */
  chunk?: ChunkRecord;
  result?: DeviceResult;
}

/**
 * A sent device without a result of its own: what its chunk says. `failed` comes from the
 * request's answer (source `response`); a chunk still `sending` in the journal was never answered.
 */
export function chunkOutcome(chunk: ChunkRecord | undefined): "not-sent" | "failed" | "accepted" {
  if (!chunk || chunk.status === "sending") return "not-sent";
  return chunk.status === "failed" ? "failed" : "accepted";
}

/** The row of one input row, from what is known of its device. */
export function reportRow(row: InputRow, kinds: readonly string[], facts: RowFacts): ReportRow {
  const ids = Object.fromEntries(
    kinds.map((kind) => [kind, (row.device ?? row.read)?.deviceIds.find((entry) => entry?.kind === kind)?.id ?? ""]),
  );
  const empty = {
    state: "",
    mdn: "",
    msisdn: "",
    ipAddress: "",
    faultCode: "",
    faultText: "",
    source: "",
    requestId: "",
  };
  const base = { line: row.line, ids, ...empty };
  if (!row.device || row.problems.length > 0) {
    const faultText = row.problems.map((problem) => `${problem.column ?? ""} ${problem.message}`.trim()).join("; ");
    return { ...base, outcome: "invalid", faultCode: row.problems[0]?.rule ?? "", faultText, source: "input" };
  }
  const { chunk, result } = facts;
  if (result) {
    return {
      ...base,
      outcome: result.outcome,
      state: result.state ?? "",
      mdn: result.mdn ?? "",
      msisdn: result.msisdn ?? "",
      ipAddress: result.ipAddress ?? "",
      faultCode: result.faultCode ?? "",
      faultText: result.faultText ?? "",
      source: result.source,
      requestId: result.requestId ?? (chunk?.status === "accepted" ? (chunk.requestId ?? "") : ""),
    };
  }
  const outcome = chunkOutcome(chunk);
  if (outcome === "not-sent" || !chunk) return { ...base, outcome: "not-sent" };
  if (chunk.status === "failed") {
    const [code, ...text] = chunk.error.split(": ");
    return { ...base, outcome: "failed", faultCode: code ?? "", faultText: text.join(": "), source: "response" };
  }
  return { ...base, outcome, requestId: chunk.status === "accepted" ? (chunk.requestId ?? "") : "" };
}

/** The report's columns, identifier kinds first. */
export function reportColumns(kinds: readonly string[]): string[] {
  return [
    "line",
    ...kinds,
    "outcome",
    "state",
    "mdn",
    "msisdn",
    "ipAddress",
    "faultCode",
    "faultText",
    "source",
    "requestId",
  ];
}

/** The row as one flat object, its keys in the columns' order. */
const flat = (row: ReportRow, kinds: readonly string[]): Record<string, string | number> => {
  const { ids, ...rest } = row;
  const cells: Record<string, string | number> = { ...ids, ...rest };
  return Object.fromEntries(reportColumns(kinds).map((column) => [column, cells[column] ?? ""]));
};

/** Writes with backpressure: waits when the stream's buffer is full. */
async function put(stream: NodeJS.WritableStream, text: string): Promise<void> {
  if (!stream.write(text)) await once(stream, "drain");
}

/**
 * Writes `rows` to `file` (`.json`: an array of objects; otherwise CSV with a header row) and
 * counts each outcome. Without a file, only counts.
 */
export async function writeReport(
  file: string | undefined,
  kinds: readonly string[],
  rows: AsyncIterable<ReportRow>,
): Promise<Summary> {
  const summary: Summary = { total: 0, sources: {} };
  const count = (row: ReportRow) => {
    summary.total += 1;
    if (row.source !== "" && row.source !== "input")
      summary.sources[row.source] = (summary.sources[row.source] ?? 0) + 1;
    summary[row.outcome] = (summary[row.outcome] ?? 0) + 1;
  };
  if (file === undefined) {
    for await (const row of rows) count(row);
    return summary;
  }
  const out: WriteStream = createWriteStream(file);
  const finished = once(out, "finish");
  if (/\.json$/i.test(file)) {
    let first = true;
    await put(out, "[");
    for await (const row of rows) {
      count(row);
      await put(out, `${first ? "\n" : ",\n"}  ${JSON.stringify(flat(row, kinds))}`);
      first = false;
    }
    out.end("\n]\n");
  } else {
    // The report is opened in spreadsheets: a cell that starts like a formula (=, +, -, @) and
    // came from ThingSpace or a bad input row is written with a leading ' so it stays text.
    const csv = stringify({ header: true, columns: reportColumns(kinds), escape_formulas: true });
    csv.pipe(out);
    for await (const row of rows) {
      count(row);
      if (!csv.write(flat(row, kinds))) await once(csv, "drain");
    }
    csv.end();
  }
  await finished;
  return summary;
}

/** The outcomes, in the order the summary lists them. */
const outcomeOrder: Outcome[] = ["succeeded", "failed", "pending", "not-found", "accepted", "not-sent", "invalid"];

/** `devices  1000: 998 succeeded, 2 failed`. */
export function formatSummary(summary: Summary): string {
  const parts = outcomeOrder.filter((outcome) => (summary[outcome] ?? 0) > 0).map((o) => `${summary[o]} ${o}`);
  return `devices    ${summary.total}: ${parts.join(", ") || "none"}`;
}

/** Matches a device to its result in the journal. */
export const resultKey = (row: InputRow): string | undefined =>
  row.device ? deviceKey(row.device.deviceIds) : undefined;

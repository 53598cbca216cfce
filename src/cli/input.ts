/**
 * The devices of a run, from a CSV file (a header row of identifier kinds and per-device
 * columns) or JSON Lines (one device object a line, as the spec defines it). Every row is
 * checked against the spec with the SDK's own validators (`checkRequestBody`), so a bad row
 * reads as the SDK would refuse it, with its line and column; nothing is sent until the whole
 * file was read and found valid (or `--skip-invalid` says to leave the bad rows out).
 *
 * The file is read as a stream, once to check it and again to send it: a file of millions of
 * devices is never held in memory. The read that sends builds devices only (the rows were
 * checked) and passes on only the bytes the check read (`InputBlocks`). Rows are read and
 * checked a batch at a time (the CSV records of one block of the file; a body of up to 200
 * devices for the validator), since each of millions of rows otherwise pays for its own promise
 * and validator call. CSV is read with PapaParse: about five times as fast as csv-parse on
 * device files (both passes read every row, and the read that sends is on the path of the
 * first requests).
 * The check of the whole file, duplicates included, is scan.ts's.
 */
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { createInterface } from "node:readline";
import { pipeline, type Readable } from "node:stream";
import Papa from "papaparse";
import { batchDeviceFields, checkRequestBody, deviceIdKinds, type Violation } from "../index.js";
import type { InputBlocks } from "./input-blocks.js";

/** The operation a file is read for: what a row may hold and what it is checked against. */
export type InputOperation = "addDevices" | "activateDevices" | "goToState" | "reconcile";

/** A device as the spec defines it: identifiers, and per-device fields such as `ipAddress`. */
export interface InputDevice {
  deviceIds: { kind: string; id: string }[];
  [field: string]: unknown;
}

/** One row of the file: its line, and its device or why it is not valid. */
export interface InputRow {
  line: number;
  /** The device, when the row is valid. */
  device?: InputDevice;
  /** The row as read, valid or not (for the report's identifier columns). */
  read?: InputDevice;
  problems: RowProblem[];
}

/** Why a row is not valid: its line, the column (or JSON field), the rule and what is allowed. */
export interface RowProblem {
  line: number;
  column?: string;
  /** The cell's value, when the problem is one cell's. */
  value?: string;
  rule: string;
  message: string;
}

/** A file the command cannot read at all: missing, empty, an unknown column. Exit 2. */
export class InputError extends Error {
  override name = "InputError";
}

/**
 * How rows are checked, many at a time: the violations of each device (by its index in
 * `devices`; a missing entry is none).
 */
export type DeviceCheck = (devices: InputDevice[]) => (Violation[] | undefined)[];

/**
 * The check of the reads after the scan: none. The scan found every bad row (its lines are left
 * out or reported from the scan), and every later read (the one that sends, the report's) stops at
 * any byte that is not one the scan checked. Reading is then the parser's cost alone, not the
 * validators' too.
 */
export const alreadyChecked: DeviceCheck = () => [];

/** Devices checked in one body: within every operation's limit (add takes 200). */
const checkBatch = 200;

/**
 * How rows are checked: inside the operation's real body (template and flags), so a device is
 * judged by exactly the rules the request it goes in will be. `reconcile` sends no body: its
 * devices are checked as an activation's. Valid devices (nearly all of them) are checked
 * `checkBatch` to a body; a body with any violation is checked again one device at a time, so
 * each device's violations are exactly its own, in a body of its own.
 */
export function deviceCheck(operation: InputOperation, body: Record<string, unknown>): DeviceCheck {
  const check =
    operation === "addDevices"
      ? (devices: InputDevice[]) => checkRequestBody("addDevices", { ...body, devicesToAdd: devices })
      : operation === "goToState"
        ? (devices: InputDevice[]) => checkRequestBody("goToState", { ...body, devices })
        : (devices: InputDevice[]) =>
            checkRequestBody("activateDevices", { ...(operation === "reconcile" ? {} : body), devices });
  return (devices) => {
    const found: Violation[][] = [];
    for (let start = 0; start < devices.length; start += checkBatch) {
      const some = devices.slice(start, start + checkBatch);
      if (check(some).length === 0) continue;
      for (let i = 0; i < some.length; i++) {
        const violations = check([some[i]!]);
        if (violations.length > 0) found[start + i] = violations;
      }
    }
    return found;
  };
}

/** The columns a CSV may have for an operation: the spec's identifier kinds, then its device fields. */
export function allowedColumns(operation: InputOperation): string[] {
  const fields = operation === "reconcile" ? [] : batchDeviceFields[operation];
  return [...deviceIdKinds, ...fields];
}

const isJsonLines = (file: string): boolean => /\.(jsonl|ndjson)$/i.test(file);

async function checkReadable(file: string): Promise<void> {
  const info = await stat(file).catch(() => undefined);
  if (!info) throw new InputError(`${file}: no such file`);
  if (!info.isFile()) throw new InputError(`${file}: not a file`);
  if (info.size === 0)
    throw new InputError(`${file}: the file is empty (expected a header row, then one device a row)`);
}

/**
 * A row's problems, worded for a file: the SDK's violation message without its JSON path
 * (`must be 15 or 16 digits (an IMEI)`), the column named instead. Only the device's own
 * violations count: the rest of the body was checked once, before the rows.
 */
function rowProblems(line: number, violations: Violation[], columnOf: (path: string) => string): RowProblem[] {
  const devicePath = /^\/(devices|devicesToAdd)\/0(?=\/|$)/;
  return violations.flatMap((violation) => {
    const match = devicePath.exec(violation.path);
    if (!match) return [];
    const within = violation.path.slice(match[0].length);
    const message = violation.message.startsWith(violation.path)
      ? violation.message.slice(violation.path.length).trim()
      : violation.message;
    return [{ line, column: columnOf(within), rule: violation.rule, message }];
  });
}

/** The longest a row may be (characters): a quote never closed would otherwise make a row of the rest of the file. */
const longestRow = 1 << 20;

/** A file's CSV records of one block, trimmed, each with the line it ends on. */
interface RecordBatch {
  records: string[][];
  lines: number[];
}

/**
 * A CSV file's records, a block of the file at a time, each with the line it ends on (a quoted
 * cell may go on over several lines; empty lines count). PapaParse's parser reads each block's
 * whole records; the record a block cuts in two is read with the next block. A quote that is not
 * closed, or closed and followed by more than the cell's end, makes the rest of the file unreadable
 * as rows: that is an {@link InputError} (nothing is sent), not a bad row.
 */
async function* csvRecordBatches(file: string, bytes: Readable): AsyncGenerator<RecordBatch> {
  bytes.setEncoding("utf8");
  let parser: Papa.Parser | undefined;
  // Where a record's lines show in its cells: a quoted cell keeps the line breaks it spans.
  let lineBreak = "\n";
  // The start of the record the last block cut in two, and the lines before it.
  let pending = "";
  let linesBefore = 0;
  const unreadable = (detail: string) =>
    new InputError(
      `${file}, line ${linesBefore + 1}: the row that starts there cannot be read: ${detail}. ` +
        'A quoted cell ends with a quote followed by a comma or the line\'s end; a quote inside it is written twice ("").',
    );
  const read = (text: string, last: boolean): RecordBatch => {
    if (!parser) {
      // A byte order mark is not part of the header's first name.
      if (text.startsWith("\ufeff")) text = text.slice(1);
      const { linebreak } = Papa.parse(text, { delimiter: ",", preview: 1 }).meta;
      lineBreak = linebreak === "\r" ? "\r" : "\n";
      parser = new Papa.Parser({ delimiter: ",", newline: linebreak as "\n", quoteChar: '"' });
    }
    const result = parser.parse(text, 0, !last) as Papa.ParseResult<string[]>;
    // The record the block cut in two may look broken (a closing quote, then a block's end where
    // a line break starts): it is judged with the next block.
    const error = result.errors.find(({ row }) => last || row! < result.data.length);
    const records: string[][] = [];
    const lines: number[] = [];
    for (let r = 0; r < result.data.length; r++) {
      if (r === error?.row) throw unreadable(error.message.toLowerCase());
      const record = result.data[r]!;
      linesBefore += 1;
      for (const cell of record) {
        for (let at = cell.indexOf(lineBreak); at !== -1; at = cell.indexOf(lineBreak, at + 1)) linesBefore += 1;
      }
      // An empty line, or one of spaces, is no record.
      if (record.length === 1 && record[0]!.trim() === "") continue;
      for (let i = 0; i < record.length; i++) record[i] = record[i]!.trim();
      records.push(record);
      lines.push(linesBefore);
    }
    if (error) throw unreadable(error.message.toLowerCase());
    pending = text.slice(result.meta.cursor);
    if (pending.length > longestRow)
      throw unreadable(`it runs on past ${longestRow.toLocaleString("en-US")} characters (a quote not closed?)`);
    return { records, lines };
  };
  for await (const text of bytes as AsyncIterable<string>) yield read(pending + text, false);
  if (pending !== "") yield read(pending, true);
}

/** The columns of a CSV header, checked: which are identifiers (their kind) and which fields. */
function csvColumns(file: string, operation: InputOperation, record: string[], line: number) {
  const header = record.map((name) => name.trim());
  const allowed = allowedColumns(operation);
  const unknown = header.filter((name) => !allowed.includes(name));
  if (unknown.length > 0) {
    throw new InputError(
      `${file}, line ${line}: unknown column ${unknown.map((name) => `"${name}"`).join(", ")}; ` +
        `the columns allowed for ${operation} are ${allowed.join(", ")} (identifier kinds in lower case)`,
    );
  }
  const repeated = header.find((name, i) => header.indexOf(name) !== i);
  if (repeated) throw new InputError(`${file}, line ${line}: column "${repeated}" is given twice`);
  const kinds = new Set<string>(deviceIdKinds);
  const ids = header.flatMap((name, i) => (kinds.has(name) ? [i] : []));
  const fields = header.flatMap((name, i) => (kinds.has(name) ? [] : [i]));
  if (ids.length === 0) {
    throw new InputError(
      `${file}, line ${line}: no identifier column; the header needs at least one of ${deviceIdKinds.join(", ")}`,
    );
  }
  return { header, ids, fields };
}

type CsvColumns = ReturnType<typeof csvColumns>;

/** A CSV's records after its header, a file block at a time, with the header's columns. */
async function* csvRecords(
  file: string,
  bytes: Readable,
  operation: InputOperation,
): AsyncGenerator<{ columns: CsvColumns } & RecordBatch> {
  let columns: CsvColumns | undefined;
  for await (const batch of csvRecordBatches(file, bytes)) {
    if (batch.records.length === 0) continue;
    if (columns) yield { columns, ...batch };
    else {
      columns = csvColumns(file, operation, batch.records[0]!, batch.lines[0]!);
      if (batch.records.length > 1) yield { columns, records: batch.records.slice(1), lines: batch.lines.slice(1) };
    }
  }
  if (!columns) throw new InputError(`${file}: the file is empty (expected a header row, then one device a row)`);
}

/**
 * Where a read's devices and identifiers are made. The check's devices live a moment, the sent
 * ones until their request is answered (10,000 a chunk, up to 100 chunks in flight): each kind is
 * made at its own allocation site, so that V8 learns the sent ones outlive collections and
 * allocates them where the young generation's collections do not copy them, which a site shared
 * with the check's devices never tells it (measured: a third fewer bytes promoted while sending,
 * a third less collection time).
 */
interface DeviceMaker {
  id(kind: string, id: string): { kind: string; id: string };
  device(deviceIds: { kind: string; id: string }[]): InputDevice;
}
const checkedDevices: DeviceMaker = { id: (kind, id) => ({ kind, id }), device: (deviceIds) => ({ deviceIds }) };
const sentDevices: DeviceMaker = { id: (kind, id) => ({ kind, id }), device: (deviceIds) => ({ deviceIds }) };

/**
 * A record's device, of its non-empty cells, or why it has none (more cells than the header, no
 * identifier). `filled` is scratch room for its identifiers.
 */
function csvDevice(
  record: string[],
  line: number,
  { header, ids, fields }: CsvColumns,
  filled: { kind: string; id: string }[],
  make: DeviceMaker,
): InputDevice | RowProblem {
  if (record.length > header.length) {
    return { line, rule: "columns", message: `has ${record.length} cells, the header ${header.length}` };
  }
  filled.length = 0;
  for (const i of ids) {
    const id = record[i];
    if (id !== undefined && id !== "") filled.push(make.id(header[i]!, id));
  }
  if (filled.length === 0) {
    const message = `has no identifier: fill in at least one of ${ids.map((i) => header[i]).join(", ")}`;
    return { line, rule: "required", message };
  }
  // A copy of its exact size: an array grown by push keeps room for 17 (a device sent is held
  // until its request is answered, 10,000 a chunk, so its size is what the collector copies).
  const device = make.device(filled.slice());
  for (const i of fields) {
    const value = record[i];
    if (value !== undefined && value !== "") device[header[i]!] = value;
  }
  return device;
}

const isDevice = (read: InputDevice | RowProblem): read is InputDevice => "deviceIds" in read;

/** CSV rows, a batch at a time: the header names the columns; each row becomes a device of its non-empty cells. */
async function* csvRows(
  file: string,
  bytes: Readable,
  operation: InputOperation,
  check: DeviceCheck,
): AsyncGenerator<InputRow[]> {
  const filled: { kind: string; id: string }[] = [];
  for await (const { columns, records, lines } of csvRecords(file, bytes, operation)) {
    const rows: InputRow[] = [];
    // The rows with a device to check, and their devices.
    const checkedRows: InputRow[] = [];
    const checkedRecords: string[][] = [];
    const devices: InputDevice[] = [];
    for (let r = 0; r < records.length; r++) {
      const record = records[r]!;
      const line = lines[r]!;
      const device = csvDevice(record, line, columns, filled, checkedDevices);
      if (!isDevice(device)) {
        rows.push({ line, problems: [device] });
        continue;
      }
      const row: InputRow = { line, device, read: device, problems: [] };
      rows.push(row);
      checkedRows.push(row);
      checkedRecords.push(record);
      devices.push(device);
    }
    const violations = check(devices);
    violations.forEach((found, i) => {
      if (!found || found.length === 0) return;
      const row = checkedRows[i]!;
      const record = checkedRecords[i]!;
      const idColumns = row.read!.deviceIds.map((id) => id.kind);
      const columnOf = (path: string) => {
        const id = /^\/deviceIds\/(\d+)/.exec(path);
        if (id) return idColumns[Number(id[1])] ?? "deviceIds";
        return path.replace(/^\//, "") || "the row";
      };
      const problems = rowProblems(row.line, found, columnOf).map((problem) => {
        const value = problem.column === undefined ? undefined : record[columns.header.indexOf(problem.column)];
        return value === undefined ? problem : { ...problem, value };
      });
      if (problems.length > 0) {
        delete row.device;
        row.problems = problems;
      }
    });
    if (rows.length > 0) yield rows;
  }
}

/** The devices of CSV rows as they are, a batch at a time, leaving out the lines `invalidLines` names. */
async function* csvDevices(
  file: string,
  bytes: Readable,
  operation: InputOperation,
  invalidLines: ReadonlySet<number>,
): AsyncGenerator<InputDevice[]> {
  const filled: { kind: string; id: string }[] = [];
  for await (const { columns, records, lines } of csvRecords(file, bytes, operation)) {
    const devices: InputDevice[] = [];
    for (let r = 0; r < records.length; r++) {
      if (invalidLines.size > 0 && invalidLines.has(lines[r]!)) continue;
      const device = csvDevice(records[r]!, lines[r]!, columns, filled, sentDevices);
      if (isDevice(device)) devices.push(device);
    }
    if (devices.length > 0) yield devices;
  }
}

/** Lines of JSON read together (checked in one go). */
const jsonLinesBatch = 1000;

/** JSON Lines rows, a batch at a time: each non-empty line a device object, checked as the spec defines it. */
async function* jsonLinesRows(bytes: Readable, check: DeviceCheck): AsyncGenerator<InputRow[]> {
  const lines = createInterface({ input: bytes, crlfDelay: Infinity });
  let line = 0;
  let rows: InputRow[] = [];
  let parsed: { row: InputRow; device: InputDevice }[] = [];
  const settle = (): InputRow[] => {
    const violations = check(parsed.map(({ device }) => device));
    parsed.forEach(({ row, device }, i) => {
      const problems = rowProblems(row.line, violations[i] ?? [], (path) => path.replace(/^\//, "") || "the device");
      if (Array.isArray(device?.deviceIds)) row.read = device;
      if (problems.length > 0) row.problems = problems;
      else row.device = device;
    });
    const settled = rows;
    rows = [];
    parsed = [];
    return settled;
  };
  for await (const text of lines) {
    line += 1;
    if (text.trim() === "") continue;
    let device: InputDevice;
    try {
      device = JSON.parse(text) as InputDevice;
    } catch {
      rows.push({ line, problems: [{ line, rule: "json", message: "is not valid JSON (one device object a line)" }] });
      continue;
    }
    const row: InputRow = { line, problems: [] };
    rows.push(row);
    parsed.push({ row, device });
    if (rows.length >= jsonLinesBatch) yield settle();
  }
  if (rows.length > 0) yield settle();
}

/**
 * Every row of the file, in order, a batch at a time: a device, or its problems. With `blocks`,
 * its bytes are recorded (the first read) or must be those recorded (every later one).
 */
export async function* readRowBatches(
  file: string,
  operation: InputOperation,
  check: DeviceCheck,
  blocks?: InputBlocks,
): AsyncGenerator<InputRow[]> {
  await checkReadable(file);
  const bytes = inputBytes(file, blocks);
  yield* isJsonLines(file) ? jsonLinesRows(bytes, check) : csvRows(file, bytes, operation, check);
}

/** The file's bytes, through `blocks` when given (recorded, or checked against the recorded ones). */
const inputBytes = (file: string, blocks: InputBlocks | undefined): Readable =>
  blocks ? pipeline(createReadStream(file), blocks.read(), () => undefined) : createReadStream(file);

/** Every row of the file, in order: a device, or its problems. */
export async function* readRows(
  file: string,
  operation: InputOperation,
  check: DeviceCheck,
  blocks?: InputBlocks,
): AsyncGenerator<InputRow> {
  for await (const rows of readRowBatches(file, operation, check, blocks)) yield* rows;
}

/**
 * The devices the scan found valid, in order, a batch at a time (as the SDK's batch methods take
 * them, without a promise for each device): every row as it is read, without checking it again,
 * leaving out the lines the scan found invalid (`invalidLines`). With the scan's `blocks`, the
 * read fails (an `InputChangedError`, input-blocks.ts) at the first block of the file that is not what the
 * scan checked, before any row of it is read.
 */
export async function* readDeviceBatches(
  file: string,
  operation: InputOperation,
  invalidLines: ReadonlySet<number>,
  blocks?: InputBlocks,
): AsyncGenerator<InputDevice[]> {
  await checkReadable(file);
  const bytes = inputBytes(file, blocks);
  if (!isJsonLines(file)) return yield* csvDevices(file, bytes, operation, invalidLines);
  for await (const rows of jsonLinesRows(bytes, alreadyChecked)) {
    const devices: InputDevice[] = [];
    for (const row of rows) if (row.device && !invalidLines.has(row.line)) devices.push(row.device);
    if (devices.length > 0) yield devices;
  }
}

/** {@link readDeviceBatches}, one device at a time (for reads that stop early or look devices up). */
export async function* readDevices(
  file: string,
  operation: InputOperation,
  invalidLines: ReadonlySet<number>,
  blocks?: InputBlocks,
): AsyncGenerator<InputDevice> {
  for await (const devices of readDeviceBatches(file, operation, invalidLines, blocks)) yield* devices;
}

/** `line 7, column imei: must be 15 or 16 digits (an IMEI) [pattern]` */
export function formatProblem(problem: RowProblem): string {
  const cell = problem.value === undefined ? "" : ` (${JSON.stringify(problem.value)})`;
  const where = problem.column ? `line ${problem.line}, column ${problem.column}${cell}` : `line ${problem.line}`;
  return `${where}: ${problem.message} [${problem.rule}]`;
}

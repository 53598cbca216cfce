/**
 * The devices of a run, from a CSV file (a header row of identifier kinds and per-device
 * columns) or JSON Lines (one device object a line, as the spec defines it). Every row is
 * checked against the spec with the SDK's own validators (`checkRequestBody`), so a bad row
 * reads as the SDK would refuse it, with its line and column; nothing is sent until the whole
 * file was read and found valid (or `--skip-invalid` says to leave the bad rows out).
 *
 * The file is read as a stream, once to check it and again to send it: a file of millions of
 * devices is never held in memory. Duplicates are found with 53-bit hashes of each identifier
 * (8 bytes per identifier), and a hash seen twice is confirmed by reading the file once more.
 */
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { createInterface } from "node:readline";
import { parse } from "csv-parse";
import { batchDeviceFields, checkRequestBody, deviceIdKinds, deviceIdKey, type Violation } from "../index.js";

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

/** The body a device is checked in: the operation's body with this one device. */
export type DeviceCheck = (device: InputDevice) => Violation[];

/**
 * How rows are checked: inside the operation's real body (template and flags), so a device is
 * judged by exactly the rules the request it goes in will be. `reconcile` sends no body: its
 * devices are checked as an activation's.
 */
export function deviceCheck(operation: InputOperation, body: Record<string, unknown>): DeviceCheck {
  if (operation === "addDevices")
    return (device) => checkRequestBody("addDevices", { ...body, devicesToAdd: [device] });
  if (operation === "goToState") return (device) => checkRequestBody("goToState", { ...body, devices: [device] });
  const shared = operation === "reconcile" ? {} : body;
  return (device) => checkRequestBody("activateDevices", { ...shared, devices: [device] });
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

/** CSV rows: the header names the columns; each row becomes a device of its non-empty cells. */
async function* csvRows(
  file: string,
  operation: InputOperation,
  check: DeviceCheck,
  lines: boolean,
): AsyncGenerator<InputRow> {
  // Line numbers cost csv-parse an object per record (`info`): a pass that needs none goes
  // without, and counts records instead (its rows' `line` is then the record's number).
  const options = { bom: true, info: lines, trim: true, skip_empty_lines: true, relax_column_count: true };
  const parser = createReadStream(file).pipe(parse(options));
  let header: string[] | undefined;
  const kinds = new Set<string>(deviceIdKinds);
  let records = 0;
  for await (const parsed of parser as AsyncIterable<string[] | { record: string[]; info: { lines: number } }>) {
    records += 1;
    const { record, info } = Array.isArray(parsed) ? { record: parsed, info: { lines: records } } : parsed;
    if (!header) {
      header = record.map((name) => name.trim());
      const allowed = allowedColumns(operation);
      const unknown = header.filter((name) => !allowed.includes(name));
      if (unknown.length > 0) {
        throw new InputError(
          `${file}, line ${info.lines}: unknown column ${unknown.map((name) => `"${name}"`).join(", ")}; ` +
            `the columns allowed for ${operation} are ${allowed.join(", ")} (identifier kinds in lower case)`,
        );
      }
      const repeated = header.find((name, i) => header!.indexOf(name) !== i);
      if (repeated) throw new InputError(`${file}, line ${info.lines}: column "${repeated}" is given twice`);
      if (!header.some((name) => kinds.has(name))) {
        throw new InputError(
          `${file}, line ${info.lines}: no identifier column; the header needs at least one of ${deviceIdKinds.join(", ")}`,
        );
      }
      continue;
    }
    const line = info.lines;
    if (record.length > header.length) {
      yield {
        line,
        problems: [{ line, rule: "columns", message: `has ${record.length} cells, the header ${header.length}` }],
      };
      continue;
    }
    const device: InputDevice = { deviceIds: [] };
    const idColumns: string[] = [];
    header.forEach((name, i) => {
      const value = record[i] ?? "";
      if (value === "") return;
      if (kinds.has(name)) {
        device.deviceIds.push({ kind: name, id: value });
        idColumns.push(name);
      } else device[name] = value;
    });
    if (device.deviceIds.length === 0) {
      const message = `has no identifier: fill in at least one of ${header.filter((name) => kinds.has(name)).join(", ")}`;
      yield { line, problems: [{ line, rule: "required", message }] };
      continue;
    }
    const columnOf = (path: string) => {
      const id = /^\/deviceIds\/(\d+)/.exec(path);
      if (id) return idColumns[Number(id[1])] ?? "deviceIds";
      return path.replace(/^\//, "") || "the row";
    };
    const problems = rowProblems(line, check(device), columnOf).map((problem) => {
      const value = problem.column === undefined ? undefined : record[header!.indexOf(problem.column)];
      return value === undefined ? problem : { ...problem, value };
    });
    yield problems.length > 0 ? { line, read: device, problems } : { line, device, read: device, problems };
  }
  if (!header) throw new InputError(`${file}: the file is empty (expected a header row, then one device a row)`);
}

/** JSON Lines rows: each non-empty line a device object, checked as the spec defines it. */
async function* jsonLinesRows(file: string, check: DeviceCheck): AsyncGenerator<InputRow> {
  const lines = createInterface({ input: createReadStream(file), crlfDelay: Infinity });
  let line = 0;
  for await (const text of lines) {
    line += 1;
    if (text.trim() === "") continue;
    let device: InputDevice;
    try {
      device = JSON.parse(text) as InputDevice;
    } catch {
      yield { line, problems: [{ line, rule: "json", message: "is not valid JSON (one device object a line)" }] };
      continue;
    }
    const problems = rowProblems(line, check(device), (path) => path.replace(/^\//, "") || "the device");
    const read = Array.isArray(device?.deviceIds) ? { read: device } : {};
    yield problems.length > 0 ? { line, ...read, problems } : { line, device, ...read, problems };
  }
}

/** Every row of the file, in order: a device, or its problems. */
export async function* readRows(
  file: string,
  operation: InputOperation,
  check: DeviceCheck,
  { lines = true }: { lines?: boolean } = {},
): AsyncGenerator<InputRow> {
  await checkReadable(file);
  yield* isJsonLines(file) ? jsonLinesRows(file, check) : csvRows(file, operation, check, lines);
}

/** The valid devices of the file, in order, leaving out the lines `invalidLines` names (duplicates). */
export async function* readDevices(
  file: string,
  operation: InputOperation,
  check: DeviceCheck,
  invalidLines: ReadonlySet<number>,
): AsyncGenerator<InputDevice> {
  // Without lines to leave out, rows need no line number.
  for await (const row of readRows(file, operation, check, { lines: invalidLines.size > 0 })) {
    if (row.device && !invalidLines.has(row.line)) yield row.device;
  }
}

/** What checking the whole file found. */
export interface InputScan {
  /** Valid devices, those that will be sent. */
  deviceCount: number;
  /** Rows with problems (bad values, duplicates), in line order. */
  problems: RowProblem[];
  /** The lines of the rows with problems: left out of the run with `--skip-invalid`. */
  invalidLines: Set<number>;
  /** The identifier kinds the devices use, in the spec's order: the report's columns. */
  kinds: string[];
}

// Two 32-bit FNV-1a hashes of an identifier, as one 53-bit number: equal identifiers always
// hash alike; different ones collide with a chance of about 2^-53 per pair (then confirmed).
function identifierHash(key: string): number {
  let low = 0x811c9dc5;
  let high = 0x01000193;
  for (let i = 0; i < key.length; i++) {
    const code = key.charCodeAt(i);
    low = Math.imul(low ^ code, 0x01000193) >>> 0;
    high = Math.imul(high ^ code, 0x5bd1e995) >>> 0;
  }
  return (high & 0x1fffff) * 2 ** 32 + low;
}

/**
 * Checks every row; duplicates are devices that share an identifier with an earlier row (two
 * requests for one device would race each other). A row with problems is counted as invalid;
 * with `skipInvalid` the rest of the file still counts as the run's devices.
 */
export async function scanInput(file: string, operation: InputOperation, check: DeviceCheck): Promise<InputScan> {
  const problems: RowProblem[] = [];
  const invalidLines = new Set<number>();
  let hashes = new Float64Array(1 << 16);
  let hashCount = 0;
  let rows = 0;
  const kindsSeen = new Set<string>();
  for await (const row of readRows(file, operation, check)) {
    rows += 1;
    for (const id of row.read?.deviceIds ?? []) if (typeof id?.kind === "string") kindsSeen.add(id.kind);
    if (!row.device) {
      problems.push(...row.problems);
      invalidLines.add(row.line);
      continue;
    }
    for (const id of row.device.deviceIds) {
      if (hashCount === hashes.length) {
        const grown = new Float64Array(hashes.length * 2);
        grown.set(hashes);
        hashes = grown;
      }
      hashes[hashCount++] = identifierHash(deviceIdKey(id));
    }
  }
  if (rows === 0) throw new InputError(`${file}: no devices (expected one device a row after the header)`);
  const sorted = hashes.subarray(0, hashCount).sort();
  const suspects = new Set<number>();
  for (let i = 1; i < sorted.length; i++) if (sorted[i] === sorted[i - 1]) suspects.add(sorted[i]!);
  if (suspects.size > 0) {
    // Read again, holding only the identifiers whose hash was seen twice.
    const firstLine = new Map<string, number>();
    for await (const row of readRows(file, operation, check)) {
      if (!row.device) continue;
      for (const id of row.device.deviceIds) {
        const key = deviceIdKey(id);
        if (!suspects.has(identifierHash(key))) continue;
        const first = firstLine.get(key);
        if (first === undefined) firstLine.set(key, row.line);
        else if (first !== row.line && !invalidLines.has(row.line)) {
          invalidLines.add(row.line);
          problems.push({
            line: row.line,
            column: id.kind,
            rule: "unique",
            message: `repeats the device of line ${first} (${id.kind} ${id.id}): each device once per file`,
          });
        }
      }
    }
    problems.sort((a, b) => a.line - b.line);
  }
  const kinds = deviceIdKinds.filter((kind) => kindsSeen.has(kind));
  return { deviceCount: rows - invalidLines.size, problems, invalidLines, kinds };
}

/** `line 7, column imei: must be 15 or 16 digits (an IMEI) [pattern]` */
export function formatProblem(problem: RowProblem): string {
  const cell = problem.value === undefined ? "" : ` (${JSON.stringify(problem.value)})`;
  const where = problem.column ? `line ${problem.line}, column ${problem.column}${cell}` : `line ${problem.line}`;
  return `${where}: ${problem.message} [${problem.rule}]`;
}

/**
 * Checking a whole input file before anything is sent: every row against the spec (through
 * input.ts's readers), duplicates by 53-bit hashes of each identifier (8 bytes per identifier; a
 * hash seen twice is confirmed by reading the file once more), and the bytes checked recorded
 * (`InputBlocks`) for the read that sends.
 */
import { deviceIdKey, deviceIdKinds } from "../index.js";
import { InputBlocks } from "./input-blocks.js";
import {
  InputError,
  readRowBatches,
  readRows,
  type DeviceCheck,
  type InputOperation,
  type RowProblem,
} from "./input.js";

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
  /** The bytes the scan checked: a read that sends checks that it reads the same ones. */
  blocks: InputBlocks;
}

// Two 32-bit FNV-1a hashes of an identifier's key (`deviceIdKey`: `kind:id`, the kind in lower
// case), as one 53-bit number: equal identifiers always hash alike; different ones collide with a
// chance of about 2^-53 per pair (then confirmed). The hashes of each kind's `kind:` are kept, so
// only the identifier's own characters are hashed per device, and no key string is built.
function identifierHasher(): (kind: string, id: string) => number {
  const kindHashes = new Map<string, [low: number, high: number]>();
  const kindHash = (kind: string): [low: number, high: number] => {
    let state = kindHashes.get(kind);
    if (state) return state;
    let low = 0x811c9dc5;
    let high = 0x01000193;
    // The key of the kind with an empty id: the hash then goes on with the id's characters.
    const prefix = deviceIdKey({ kind, id: "" });
    for (let i = 0; i < prefix.length; i++) {
      const code = prefix.charCodeAt(i);
      low = Math.imul(low ^ code, 0x01000193) >>> 0;
      high = Math.imul(high ^ code, 0x5bd1e995) >>> 0;
    }
    state = [low, high];
    kindHashes.set(kind, state);
    return state;
  };
  return (kind, id) => {
    let [low, high] = kindHash(kind);
    for (let i = 0; i < id.length; i++) {
      const code = id.charCodeAt(i);
      low = Math.imul(low ^ code, 0x01000193) >>> 0;
      high = Math.imul(high ^ code, 0x5bd1e995) >>> 0;
    }
    return (high & 0x1fffff) * 2 ** 32 + low;
  };
}

/**
 * Checks every row; duplicates are devices that share an identifier with an earlier row (two
 * requests for one device would race each other). A row with problems is counted as invalid;
 * with `skipInvalid` the rest of the file still counts as the run's devices.
 */
export async function scanInput(file: string, operation: InputOperation, check: DeviceCheck): Promise<InputScan> {
  const blocks = new InputBlocks(file);
  const problems: RowProblem[] = [];
  const invalidLines = new Set<number>();
  const identifierHash = identifierHasher();
  let hashes = new Float64Array(1 << 16);
  let hashCount = 0;
  let rows = 0;
  const kindsSeen = new Set<string>();
  for await (const batch of readRowBatches(file, operation, check, blocks)) {
    rows += batch.length;
    for (const row of batch) {
      const ids = row.read?.deviceIds;
      if (Array.isArray(ids)) for (const id of ids) if (typeof id?.kind === "string") kindsSeen.add(id.kind);
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
        hashes[hashCount++] = identifierHash(id.kind, id.id);
      }
    }
  }
  if (rows === 0) throw new InputError(`${file}: no devices (expected one device a row after the header)`);
  const sorted = hashes.subarray(0, hashCount).sort();
  const suspects = new Set<number>();
  for (let i = 1; i < sorted.length; i++) if (sorted[i] === sorted[i - 1]) suspects.add(sorted[i]!);
  if (suspects.size > 0) {
    // Read again, holding only the identifiers whose hash was seen twice (and only the bytes
    // read the first time: a file changed meanwhile fails here rather than mislead).
    const firstLine = new Map<string, number>();
    for await (const row of readRows(file, operation, check, blocks)) {
      if (!row.device) continue;
      for (const id of row.device.deviceIds) {
        if (!suspects.has(identifierHash(id.kind, id.id))) continue;
        const key = deviceIdKey(id);
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
  return { deviceCount: rows - invalidLines.size, problems, invalidLines, kinds, blocks };
}

/**
 * The run's journal: JSON lines next to the input (`devices.csv.journal`), written with a
 * synchronous write before anything it records can be lost, so that a crash, a kill or Ctrl-C
 * at any point leaves it saying what was sent. A chunk is recorded as `sending` (with its
 * fingerprint) before its request leaves, then `accepted` (with ThingSpace's requestId) or
 * `failed`; each device's result is recorded as it comes. `--resume` reads it back: an accepted
 * chunk is never sent again, and a chunk `sending` without an answer (its outcome unknown) is
 * settled by looking its devices up before anything is decided.
 */
import { createHash } from "node:crypto";
import {
  closeSync,
  createReadStream,
  existsSync,
  fstatSync,
  ftruncateSync,
  openSync,
  readSync,
  writeSync,
} from "node:fs";
import { createInterface } from "node:readline";
import { InputError } from "./input.js";

/** What a run is, so that a journal is never resumed by another input, operation or body. */
export interface RunIdentity {
  operation: string;
  /** The input's absolute path. */
  input: string;
  /** SHA-256 of the input's bytes. */
  inputDigest: string;
  /** SHA-256 of the body shared by every chunk (template and flags). */
  bodyDigest: string;
  chunkSize: number;
}

/** One device's result, as the report shows it. */
export interface DeviceResult {
  /** `deviceKey` of the device's identifiers. */
  key: string;
  outcome: "succeeded" | "failed" | "pending" | "not-found";
  source: "callback" | "reconciliation" | "response";
  requestId?: string;
  state?: string;
  mdn?: string;
  msisdn?: string;
  ipAddress?: string;
  faultCode?: string;
  faultText?: string;
}

/** What became of a chunk so far. */
export type ChunkRecord =
  | { status: "sending"; fingerprint: string }
  | { status: "accepted"; fingerprint: string; requestId?: string }
  | { status: "failed"; fingerprint: string; error: string }
  /** Its outcome was unknown and a lookup showed it took effect: never sent again. */
  | { status: "took-effect"; fingerprint: string };

type Entry =
  | ({ type: "run" } & RunIdentity)
  | { type: "sending"; index: number; fingerprint: string }
  | { type: "accepted"; index: number; requestId?: string }
  | { type: "failed"; index: number; error: string }
  | { type: "took-effect"; index: number }
  | ({ type: "result" } & DeviceResult);

/** The journal of one run, open for appending. */
export interface Journal {
  readonly path: string;
  /** Each chunk's last record, by index (a resumed run starts with the earlier runs'). */
  readonly chunks: Map<number, ChunkRecord>;
  /** Each device's latest result, by device key. */
  readonly results: Map<string, DeviceResult>;
  sending(index: number, fingerprint: string): void;
  accepted(index: number, requestId: string | undefined): void;
  failed(index: number, error: string): void;
  tookEffect(index: number): void;
  result(result: DeviceResult): void;
  close(): void;
}

/**
 * Cuts off a last line that a crash left without its line feed (what it said never happened), so
 * that the next entry starts a line of its own: appended to the cut line, both would be lost.
 */
function dropCutShortLine(fd: number): void {
  const size = fstatSync(fd).size;
  const block = Buffer.alloc(64 * 1024);
  for (let end = size; end > 0; end -= block.length) {
    const start = Math.max(0, end - block.length);
    readSync(fd, block, 0, end - start, start);
    const newline = block.subarray(0, end - start).lastIndexOf(0x0a);
    if (newline === end - start - 1 && end === size) return; // ends with a line feed
    if (newline !== -1) return ftruncateSync(fd, start + newline + 1);
  }
  ftruncateSync(fd, 0);
}

/** SHA-256 of a JSON value with its keys sorted, so that flag order does not matter. */
export function jsonDigest(value: unknown): string {
  const sorted = (node: unknown): unknown =>
    Array.isArray(node)
      ? node.map(sorted)
      : node !== null && typeof node === "object"
        ? Object.fromEntries(
            Object.keys(node)
              .sort()
              .map((key) => [key, sorted((node as Record<string, unknown>)[key])]),
          )
        : node;
  return createHash("sha256")
    .update(JSON.stringify(sorted(value)))
    .digest("hex");
}

function apply(entry: Entry, chunks: Map<number, ChunkRecord>, results: Map<string, DeviceResult>): void {
  switch (entry.type) {
    case "sending":
      chunks.set(entry.index, { status: "sending", fingerprint: entry.fingerprint });
      return;
    case "accepted":
    case "failed":
    case "took-effect": {
      const fingerprint = chunks.get(entry.index)?.fingerprint ?? "";
      if (entry.type === "accepted")
        chunks.set(entry.index, { status: "accepted", fingerprint, requestId: entry.requestId });
      else if (entry.type === "failed") chunks.set(entry.index, { status: "failed", fingerprint, error: entry.error });
      else chunks.set(entry.index, { status: "took-effect", fingerprint });
      return;
    }
    case "result": {
      const { type: _type, ...result } = entry;
      results.set(result.key, result);
      return;
    }
    default:
  }
}

const sameRun = (a: RunIdentity, b: RunIdentity): string | undefined => {
  if (a.operation !== b.operation) return `it is a journal of ${a.operation}, not ${b.operation}`;
  if (a.input !== b.input || a.inputDigest !== b.inputDigest)
    return `it is a journal of another input (${a.input}, or the file changed since)`;
  if (a.bodyDigest !== b.bodyDigest) return "it was written with other flags or another template";
  if (a.chunkSize !== b.chunkSize) return `it used --chunk-size ${a.chunkSize}`;
  return undefined;
};

/**
 * Opens the journal at `path`: a new one, or with `resume` the existing one of the same run
 * (refused when it belongs to another input, operation or body). An existing journal without
 * `resume` or `restart` is refused: starting over by mistake would send every chunk again.
 */
export async function openJournal(
  path: string,
  identity: RunIdentity,
  mode: { resume: boolean; restart: boolean },
): Promise<Journal> {
  const chunks = new Map<number, ChunkRecord>();
  const results = new Map<string, DeviceResult>();
  const exists = existsSync(path);
  if (exists && !mode.resume && !mode.restart) {
    throw new InputError(
      `${path} exists: an earlier run of this input. --resume continues it (no accepted chunk is sent again); ` +
        "--restart starts over and sends every device again.",
    );
  }
  if (mode.resume && !exists) throw new InputError(`--resume: there is no journal at ${path} to resume`);
  if (mode.resume) {
    let first = true;
    // A line that is not JSON is accepted only as the last one: a crash in the middle of a write
    // cuts the last line short, and what it said never happened. Anywhere else it is damage.
    let cutShort: number | undefined;
    let lineNumber = 0;
    const lines = createInterface({ input: createReadStream(path), crlfDelay: Infinity });
    for await (const text of lines) {
      lineNumber += 1;
      if (text.trim() === "") continue;
      if (cutShort !== undefined) {
        throw new InputError(
          `--resume: ${path} line ${cutShort} is not a journal entry and is not the last line: the journal is ` +
            "damaged, so what was sent cannot be known from it. Look the devices up (reconcile) before --restart.",
        );
      }
      let entry: Entry;
      try {
        entry = JSON.parse(text) as Entry;
      } catch {
        cutShort = lineNumber;
        continue;
      }
      if (first) {
        first = false;
        const mismatch = entry.type === "run" ? sameRun(entry, identity) : "it does not start with a run line";
        if (mismatch) throw new InputError(`--resume: ${path} cannot be resumed: ${mismatch}. --restart starts over.`);
        continue;
      }
      apply(entry, chunks, results);
    }
    if (first)
      throw new InputError(`--resume: ${path} holds no run (a crash as it was created): --restart starts over.`);
  }
  const fd = openSync(path, mode.resume ? "r+" : "w");
  if (mode.resume) dropCutShortLine(fd);
  let position = fstatSync(fd).size;
  const append = (text: string) => {
    position += writeSync(fd, text, position);
  };
  const write = (entry: Entry) => {
    append(`${JSON.stringify(entry)}\n`);
    apply(entry, chunks, results);
  };
  if (!mode.resume) write({ type: "run", ...identity });
  return {
    path,
    chunks,
    results,
    sending: (index, fingerprint) => write({ type: "sending", index, fingerprint }),
    accepted: (index, requestId) => write({ type: "accepted", index, ...(requestId ? { requestId } : {}) }),
    failed: (index, error) => write({ type: "failed", index, error }),
    tookEffect: (index) => write({ type: "took-effect", index }),
    result: (result) => write({ type: "result", ...result }),
    close: () => closeSync(fd),
  };
}

/**
 * Batching: any number of devices sent in requests of at most the spec's limit, one at a time,
 * with every chunk's outcome recorded and re-runs that skip the chunks already done. The shapes
 * here are shared with the callback tracker (a chunk as reported to `onChunk`), and the result
 * lists every chunk without its devices, so memory stays bounded by one chunk.
 */
import { deviceKey } from "../shared/device-key.js";
import { ThingSpaceError } from "./errors.js";
import type { SafeLogger } from "./log.js";

/** The devices of a batch: an array, or any iterable or async iterable (read one chunk at a time). */
export type DeviceSource<Device> = Iterable<Device> | AsyncIterable<Device>;

/** What became of a chunk. */
export type BatchChunkStatus = "accepted" | "failed" | "skipped";

/** One request's worth of devices, as reported to `onChunk` once it was sent (or skipped). */
export interface BatchChunk<Device, Response = unknown> {
  /** 0-based chunk number. */
  index: number;
  devices: readonly Device[];
  status: BatchChunkStatus;
  /** ThingSpace's requestId, when accepted (activate, goToState). */
  requestId?: string;
  /** The whole answer, when accepted (for add: one result per device). */
  response?: Response;
  /** Why it failed: a ThingSpaceError subclass. */
  error?: Error;
}

/** A chunk in the batch's result: no devices, their count and fingerprint instead. */
export interface BatchChunkSummary {
  index: number;
  status: BatchChunkStatus;
  requestId?: string;
  error?: Error;
  deviceCount: number;
  /** Identifies the chunk's devices, so a re-run skips a chunk only if it holds the same devices. */
  fingerprint: string;
}

/** What a batch returns. Counts are device counts: `deviceCount = accepted + failed + skipped`. */
export interface BatchResult {
  /** Devices per chunk this run used; a re-run must use the same to skip chunks. */
  chunkSize: number;
  chunks: BatchChunkSummary[];
  deviceCount: number;
  acceptedCount: number;
  failedCount: number;
  skippedCount: number;
}

/** Reported after each chunk. */
export interface BatchProgress {
  chunksDone: number;
  devicesDone: number;
  acceptedCount: number;
  failedCount: number;
  skippedCount: number;
  /** All the batch's devices, when the input is an array. */
  deviceTotal?: number;
}

/** Options of every batch method. */
export interface BatchOptions<Device, Response = unknown> {
  /** Devices per request, at most the spec's limit (the default). */
  chunkSize?: number;
  /** Called once per chunk after it was sent (accepted or failed) or skipped; awaited. */
  onChunk?: (chunk: BatchChunk<Device, Response>) => void | Promise<void>;
  onProgress?: (progress: BatchProgress) => void;
  /**
   * Chunks not to send again: a previous run's result (its accepted and skipped chunks are
   * skipped when their devices are the same) or chunk indexes.
   */
  skip?: BatchResult | Iterable<number>;
  /** Stops the batch before its next request; the batch then rejects with the signal's reason. */
  signal?: AbortSignal;
}

/** A device as batching sees it: something with identifiers. */
export interface IdentifiedDevice {
  deviceIds: readonly { kind: string; id: string }[];
}

/**
 * `count:hash` of the chunk's device identities (kinds compared case-insensitively, order of a
 * device's identifiers ignored). Cheap, not cryptographic: it only tells a re-run whether chunk
 * `i` still holds the same devices.
 */
export function chunkFingerprint(devices: readonly IdentifiedDevice[]): string {
  // 32-bit FNV-1a over the devices' keys, each followed by a separator.
  let hash = 0x811c9dc5;
  for (const device of devices) {
    const key = `${deviceKey(device.deviceIds)}\n`;
    for (let i = 0; i < key.length; i++) {
      hash ^= key.charCodeAt(i);
      hash = Math.imul(hash, 0x01000193) >>> 0;
    }
  }
  return `${devices.length}:${hash.toString(16).padStart(8, "0")}`;
}

/**
 * Reads devices into arrays of at most `size`, pulling from the source only when the next chunk
 * is needed: with an iterable input, no more than one chunk is ever held.
 */
async function* chunksOf<Device>(source: DeviceSource<Device>, size: number): AsyncGenerator<Device[]> {
  let chunk: Device[] = [];
  for await (const device of source) {
    chunk.push(device);
    if (chunk.length === size) {
      yield chunk;
      chunk = [];
    }
  }
  if (chunk.length > 0) yield chunk;
}

/** Decides, chunk by chunk, whether a re-run skips it. */
type SkipPlan = (index: number, fingerprint: string) => "skip" | "send" | "changed";

function isBatchResult(skip: BatchResult | Iterable<number>): skip is BatchResult {
  return typeof skip === "object" && skip !== null && "chunks" in skip && "chunkSize" in skip;
}

/**
 * Builds the plan from the `skip` option. With a previous result, a chunk is skipped when it
 * was accepted (or skipped) then and holds the same devices now; "changed" means it was done
 * but its devices differ, so it is sent. With indexes, exactly those chunks are skipped.
 */
function skipPlan(skip: BatchResult | Iterable<number> | undefined, chunkSize: number): SkipPlan {
  if (skip === undefined) return () => "send";
  if (!isBatchResult(skip)) {
    const indexes = new Set(skip);
    return (index) => (indexes.has(index) ? "skip" : "send");
  }
  if (skip.chunkSize !== chunkSize) {
    throw new RangeError(
      `skip: the previous run used chunkSize ${skip.chunkSize}, this one ${chunkSize}; ` +
        "use the same chunkSize so that chunks line up",
    );
  }
  const done = new Map<number, string>();
  for (const chunk of skip.chunks) {
    if (chunk.status !== "failed") done.set(chunk.index, chunk.fingerprint);
  }
  return (index, fingerprint) => {
    const previous = done.get(index);
    if (previous === undefined) return "send";
    return previous === fingerprint ? "skip" : "changed";
  };
}

/** How one kind of batch sends a chunk. */
export interface BatchSender<Device, Response> {
  /** The operation's name, for logs: `activateDevices`. */
  operationId: string;
  /** The spec's limit, and the default chunk size. */
  maxChunkSize: number;
  send: (devices: Device[], signal: AbortSignal | undefined) => Promise<Response>;
  requestIdOf: (response: Response) => string | undefined;
}

function resolveChunkSize(requested: number | undefined, max: number): number {
  const size = requested ?? max;
  if (!Number.isInteger(size) || size < 1 || size > max) {
    throw new RangeError(`chunkSize must be an integer from 1 to ${max} (got ${String(requested)})`);
  }
  return size;
}

/**
 * Sends devices in chunks, one request at a time (the pacer spaces activate requests), and
 * records every chunk's outcome: a chunk that fails is reported and the batch goes on, so no
 * other chunk's result is lost. Only the caller's abort, or an `onChunk` that throws, stops it.
 */
export async function runBatch<Device extends IdentifiedDevice, Response>(
  sender: BatchSender<Device, Response>,
  logger: SafeLogger,
  devices: DeviceSource<Device>,
  options: BatchOptions<Device, Response> = {},
): Promise<BatchResult> {
  const chunkSize = resolveChunkSize(options.chunkSize, sender.maxChunkSize);
  const plan = skipPlan(options.skip, chunkSize);
  const result: BatchResult = {
    chunkSize,
    chunks: [],
    deviceCount: 0,
    acceptedCount: 0,
    failedCount: 0,
    skippedCount: 0,
  };
  const deviceTotal = Array.isArray(devices) ? devices.length : undefined;
  const operation = sender.operationId;
  let index = 0;
  for await (const chunkDevices of chunksOf(devices, chunkSize)) {
    options.signal?.throwIfAborted();
    const fingerprint = chunkFingerprint(chunkDevices);
    const decision = plan(index, fingerprint);
    if (decision === "changed") {
      logger.warn("Chunk was done before but now holds other devices; sending it", { operation, index });
    }
    const chunk: BatchChunk<Device, Response> =
      decision === "skip"
        ? { index, devices: chunkDevices, status: "skipped" }
        : await sendChunk(sender, logger, index, chunkDevices, options.signal);
    const summary: BatchChunkSummary = { index, status: chunk.status, deviceCount: chunkDevices.length, fingerprint };
    if (chunk.requestId !== undefined) summary.requestId = chunk.requestId;
    if (chunk.error !== undefined) summary.error = chunk.error;
    result.chunks.push(summary);
    result.deviceCount += chunkDevices.length;
    result[`${chunk.status}Count`] += chunkDevices.length;
    await options.onChunk?.(chunk);
    options.onProgress?.({
      chunksDone: index + 1,
      devicesDone: result.deviceCount,
      acceptedCount: result.acceptedCount,
      failedCount: result.failedCount,
      skippedCount: result.skippedCount,
      ...(deviceTotal === undefined ? {} : { deviceTotal }),
    });
    index += 1;
  }
  const { deviceCount, acceptedCount, failedCount, skippedCount } = result;
  logger.info("Batch finished", { operation, chunks: index, deviceCount, acceptedCount, failedCount, skippedCount });
  return result;
}

async function sendChunk<Device, Response>(
  sender: BatchSender<Device, Response>,
  logger: SafeLogger,
  index: number,
  devices: Device[],
  signal: AbortSignal | undefined,
): Promise<BatchChunk<Device, Response>> {
  const operation = sender.operationId;
  try {
    const response = await sender.send(devices, signal);
    const chunk: BatchChunk<Device, Response> = { index, devices, status: "accepted", response };
    const requestId = sender.requestIdOf(response);
    if (requestId !== undefined) chunk.requestId = requestId;
    logger.info("Chunk accepted", { operation, index, deviceCount: devices.length, requestId });
    return chunk;
  } catch (error) {
    if (signal?.aborted) throw signal.reason;
    const failure =
      error instanceof ThingSpaceError
        ? error
        : new ThingSpaceError(`Chunk ${index} failed unexpectedly (see cause).`, { cause: error });
    logger.warn("Chunk failed", { operation, index, deviceCount: devices.length, error: failure.name });
    return { index, devices, status: "failed", error: failure };
  }
}

/**
 * Batching: any number of devices sent in requests of at most the spec's limit, `concurrency` of
 * them in flight (one by default), with every chunk's outcome recorded and re-runs that skip the
 * chunks already done. The shapes here are shared with the callback tracker (a chunk as reported
 * to `onChunk`), and the result lists every chunk without its devices, so memory stays bounded
 * by the chunks in flight.
 */
import { deviceKey } from "../shared/device-key.js";
import { ThingSpaceError } from "./errors.js";
import type { SafeLogger } from "./log.js";

/**
 * The devices of a batch: an array, or any iterable or async iterable (read one chunk at a time),
 * or an async iterable of arrays of devices (pages, such as the rows of one block of a file: the
 * devices in order, without a promise and a turn of the event loop for each device).
 */
export type DeviceSource<Device> = Iterable<Device> | AsyncIterable<Device> | AsyncIterable<readonly Device[]>;

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
  /** Every chunk started, in chunk order. */
  chunks: BatchChunkSummary[];
  deviceCount: number;
  acceptedCount: number;
  failedCount: number;
  skippedCount: number;
  /** Set when the `stop` signal ended the batch before its last chunk: the chunks after `chunks` were not read. */
  stopped?: true;
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

/** A chunk about to be sent, as `beforeSend` sees it. */
export interface ChunkToSend<Device> {
  index: number;
  devices: readonly Device[];
  /** {@link chunkFingerprint} of its devices. */
  fingerprint: string;
}

/** Options of every batch method. */
export interface BatchOptions<Device, Response = unknown> {
  /** Devices per request, at most the spec's limit (the default). */
  chunkSize?: number;
  /**
   * Requests in flight at most (default 1). Activate requests stay within the client's pacing
   * however many are in flight (the pacer lives in the request loop): more than the pacing
   * limit gains nothing. At most this many chunks are held in memory.
   */
  concurrency?: number;
  /**
   * Awaited before a chunk's request is sent (not for skipped chunks): where a journal records
   * that the chunk is about to be sent. If it throws, the chunk is not sent and the batch rejects
   * once the chunks in flight have finished (and been reported to `onChunk`).
   */
  beforeSend?: (chunk: ChunkToSend<Device>) => void | Promise<void>;
  /**
   * Called once per chunk after it was sent (accepted or failed) or skipped; awaited. With
   * `concurrency` above 1, chunks are reported as they finish (each carries its `index`), not
   * necessarily in chunk order; the result's `chunks` are in chunk order.
   */
  onChunk?: (chunk: BatchChunk<Device, Response>) => void | Promise<void>;
  /** Called after each `onChunk`. */
  onProgress?: (progress: BatchProgress) => void;
  /**
   * Chunks not to send again: a previous run's result (its accepted and skipped chunks are
   * skipped when their devices are the same) or chunk indexes.
   */
  skip?: BatchResult | Iterable<number>;
  /**
   * Aborts the batch: no chunk is started after it aborts, the requests in flight are aborted
   * (their outcome may be unknown), and the batch rejects with the signal's reason.
   */
  signal?: AbortSignal;
  /** Each chunk's call's `validate` option (`DeviceActionOptions`): whether its body is checked before it is sent. */
  validate?: boolean;
  /**
   * Stops the batch gently: no chunk is read or started after it aborts, the chunks in flight
   * finish and are reported, and the batch resolves with `stopped: true` (Ctrl-C in a tool).
   */
  stop?: AbortSignal;
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
  // 32-bit FNV-1a over the devices' keys (`deviceKey`, the one rule for which identifiers are one
  // device), each followed by a separator.
  let hash = 0x811c9dc5;
  for (const device of devices) {
    const key = `${deviceKey(device.deviceIds)}\n`;
    for (let i = 0; i < key.length; i++) hash = Math.imul(hash ^ key.charCodeAt(i), 0x01000193) >>> 0;
  }
  return `${devices.length}:${hash.toString(16).padStart(8, "0")}`;
}

/**
 * Reads devices into arrays of at most `size`, pulling from the source only when the next chunk
 * is needed: with an iterable input, no more than one chunk is ever held.
 */
async function* chunksOf<Device>(source: DeviceSource<Device>, size: number): AsyncGenerator<Device[]> {
  let chunk: Device[] = [];
  // A device is never an array (it has `deviceIds`): an array is a page of devices.
  for await (const item of source as AsyncIterable<Device | readonly Device[]>) {
    const page = Array.isArray(item) ? (item as readonly Device[]) : [item as Device];
    for (const device of page) {
      chunk.push(device);
      if (chunk.length === size) {
        yield chunk;
        chunk = [];
      }
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

function resolveConcurrency(requested: number | undefined): number {
  const concurrency = requested ?? 1;
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new RangeError(`concurrency must be an integer of at least 1 (got ${String(requested)})`);
  }
  return concurrency;
}

/**
 * Sends devices in chunks, up to `concurrency` requests at a time (the pacer spaces activate
 * requests), and records every chunk's outcome: a chunk that fails is reported and the batch
 * goes on, so no other chunk's result is lost. The caller's `signal`, or a `beforeSend` or
 * `onChunk` that throws, stops it (it rejects once the chunks in flight are done); `stop` ends
 * it early with the chunks started so far reported.
 */
export async function runBatch<Device extends IdentifiedDevice, Response>(
  sender: BatchSender<Device, Response>,
  logger: SafeLogger,
  devices: DeviceSource<Device>,
  options: BatchOptions<Device, Response> = {},
): Promise<BatchResult> {
  const chunkSize = resolveChunkSize(options.chunkSize, sender.maxChunkSize);
  const concurrency = resolveConcurrency(options.concurrency);
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
  let chunksDone = 0;
  // The first error that ends the batch (the caller's abort, a throwing hook).
  let failure: { error: unknown } | undefined;

  const runChunk = async (index: number, chunkDevices: Device[]): Promise<void> => {
    const fingerprint = chunkFingerprint(chunkDevices);
    const decision = plan(index, fingerprint);
    if (decision === "changed") {
      logger.warn("Chunk was done before but now holds other devices; sending it", { operation, index });
    }
    let chunk: BatchChunk<Device, Response>;
    if (decision === "skip") chunk = { index, devices: chunkDevices, status: "skipped" };
    else {
      await options.beforeSend?.({ index, devices: chunkDevices, fingerprint });
      chunk = await sendChunk(sender, logger, index, chunkDevices, options.signal);
    }
    const summary: BatchChunkSummary = { index, status: chunk.status, deviceCount: chunkDevices.length, fingerprint };
    if (chunk.requestId !== undefined) summary.requestId = chunk.requestId;
    if (chunk.error !== undefined) summary.error = chunk.error;
    result.chunks[index] = summary;
    result.deviceCount += chunkDevices.length;
    result[`${chunk.status}Count`] += chunkDevices.length;
    // Reported even when the batch is ending because of another chunk: a chunk that was sent
    // and accepted must reach the caller's tracker or journal, or its results would be lost.
    await options.onChunk?.(chunk);
    chunksDone += 1;
    options.onProgress?.({
      chunksDone,
      devicesDone: result.deviceCount,
      acceptedCount: result.acceptedCount,
      failedCount: result.failedCount,
      skippedCount: result.skippedCount,
      ...(deviceTotal === undefined ? {} : { deviceTotal }),
    });
  };

  const inFlight = new Set<Promise<void>>();
  const source = chunksOf(devices, chunkSize);
  let index = 0;
  try {
    for (;;) {
      // A chunk is read only when a request may start: at most `concurrency` chunks are held.
      while (inFlight.size >= concurrency) await Promise.race(inFlight);
      if (failure) break;
      if (options.signal?.aborted) {
        failure = { error: options.signal.reason };
        break;
      }
      if (options.stop?.aborted) {
        result.stopped = true;
        break;
      }
      const next = await source.next();
      if (next.done) break;
      const task: Promise<void> = runChunk(index, next.value).then(
        () => void inFlight.delete(task),
        (error: unknown) => {
          failure ??= { error };
          inFlight.delete(task);
        },
      );
      inFlight.add(task);
      index += 1;
    }
  } catch (error) {
    // The source itself failed (a file that cannot be read): the chunks in flight still finish.
    failure ??= { error };
  }
  await Promise.all(inFlight);
  if (result.stopped || failure) await source.return(undefined);
  if (failure) throw failure.error;
  // Chunks finish in any order; `chunks` is complete and in chunk order once all have.
  result.chunks = result.chunks.filter((chunk) => chunk !== undefined);
  const { deviceCount, acceptedCount, failedCount, skippedCount } = result;
  logger.info("Batch finished", {
    operation,
    chunks: index,
    deviceCount,
    acceptedCount,
    failedCount,
    skippedCount,
    ...(result.stopped ? { stopped: true } : {}),
  });
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

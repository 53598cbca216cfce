import type { SafeLogger } from "../logger.js";
import { ThingSpaceError } from "../errors/thing-space-error.js";
import type { BatchChunk, BatchChunkSummary, BatchOptions, BatchResult, DeviceSource } from "./batch-types.js";
import { chunkFingerprint, type IdentifiedDevice } from "./chunk-fingerprint.js";
import { chunksOf } from "./chunks-of.js";
import { skipPlan } from "./skip-plan.js";

/** How one kind of batch sends a chunk. */
export interface BatchSender<Device, Response> {
  /** The operation's name, for logs: `activateDevices`. */
  operation: string;
  /** The spec's limit, and the default chunk size. */
  maxChunkSize: number;
  send: (devices: Device[], signal: AbortSignal | undefined) => Promise<Response>;
  requestIdOf: (response: Response) => string | undefined;
  logger: SafeLogger;
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
  devices: DeviceSource<Device>,
  options: BatchOptions<Device, Response> = {},
): Promise<BatchResult> {
  const chunkSize = resolveChunkSize(options.chunkSize, sender.maxChunkSize);
  const plan = skipPlan(options.skip, chunkSize);
  const result: BatchResult = { chunkSize, chunks: [], deviceCount: 0, acceptedCount: 0, failedCount: 0, skippedCount: 0 };
  const deviceTotal = Array.isArray(devices) ? devices.length : undefined;
  let index = 0;
  for await (const chunkDevices of chunksOf(devices, chunkSize)) {
    options.signal?.throwIfAborted();
    const fingerprint = chunkFingerprint(chunkDevices);
    const decision = plan(index, fingerprint);
    if (decision === "changed") {
      sender.logger.warn("Chunk was done before but now holds other devices; sending it", { operation: sender.operation, index });
    }
    const chunk: BatchChunk<Device, Response> =
      decision === "skip" ? skipped<Device, Response>(index, chunkDevices) : await sendChunk(sender, index, chunkDevices, options.signal);
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
  sender.logger.info("Batch finished", { operation: sender.operation, chunks: index, ...counts(result) });
  return result;
}

function skipped<Device, Response>(index: number, devices: readonly Device[]): BatchChunk<Device, Response> {
  return { index, devices, status: "skipped" };
}

async function sendChunk<Device, Response>(
  sender: BatchSender<Device, Response>,
  index: number,
  devices: Device[],
  signal: AbortSignal | undefined,
): Promise<BatchChunk<Device, Response>> {
  try {
    const response = await sender.send(devices, signal);
    const chunk: BatchChunk<Device, Response> = { index, devices, status: "accepted", response };
    const requestId = sender.requestIdOf(response);
    if (requestId !== undefined) chunk.requestId = requestId;
    sender.logger.info("Chunk accepted", { operation: sender.operation, index, deviceCount: devices.length, requestId });
    return chunk;
  } catch (error) {
    if (signal?.aborted) throw signal.reason;
    const failure = error instanceof ThingSpaceError ? error : new ThingSpaceError(`Chunk ${index} failed unexpectedly (see cause).`, { cause: error });
    sender.logger.warn("Chunk failed", { operation: sender.operation, index, deviceCount: devices.length, error: failure.name });
    return { index, devices, status: "failed", error: failure };
  }
}

function counts(result: BatchResult): Record<string, number> {
  return { deviceCount: result.deviceCount, acceptedCount: result.acceptedCount, failedCount: result.failedCount, skippedCount: result.skippedCount };
}

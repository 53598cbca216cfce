/**
 * The shapes batching shares with its callers (see the contracts between client and callback
 * tracker): a chunk as reported to `onChunk`, and the result that lists every chunk without
 * its devices, so memory stays bounded by one chunk.
 */

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

import type { DeviceSource } from "./batch-types.js";

/**
 * Reads devices into arrays of at most `size`, pulling from the source only when the next chunk
 * is needed: with an iterable input, no more than one chunk is ever held.
 */
export async function* chunksOf<Device>(source: DeviceSource<Device>, size: number): AsyncGenerator<Device[]> {
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

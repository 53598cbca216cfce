import { deviceKey } from "../../devices/device-key.js";

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

/**
 * The identity of a callback for deduplication: the request, the device and the outcome. One
 * activate request yields a CarrierService and a NiddService message for the same device, so
 * the kind is part of the key.
 */
import type { ParsedCallback } from "./callback-types.js";
import { stackSafeJson } from "./stack-safe-json.js";

/**
 * `requestId`, `deviceKey` and `kind`, joined by newlines. A message that names no device at all
 * is keyed by its content instead (less `callbackCount` and the credentials), so that two such
 * messages are never mistaken for copies of each other. Never throws, whatever the payload's depth.
 */
export function callbackDedupeKey(callback: Pick<ParsedCallback, "requestId" | "deviceKey" | "kind"> & { readonly payload?: unknown }): string {
  const device =
    callback.deviceKey !== "" || callback.payload === undefined
      ? callback.deviceKey
      : `content:${stackSafeJson({ ...(callback.payload as object), callbackCount: undefined, username: undefined, password: undefined })}`;
  return `${callback.requestId}\n${device}\n${callback.kind}`;
}

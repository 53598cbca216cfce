/**
 * The identity of a callback for deduplication: the request, the device and the outcome. One
 * activate request yields a CarrierService and a NiddService message for the same device, so
 * the kind is part of the key.
 */
import type { ParsedCallback } from "./callback-types.js";

/** `requestId`, `deviceKey` and `kind`, joined by newlines (which none of them contains). */
export function callbackDedupeKey(callback: Pick<ParsedCallback, "requestId" | "deviceKey" | "kind">): string {
  return `${callback.requestId}\n${callback.deviceKey}\n${callback.kind}`;
}

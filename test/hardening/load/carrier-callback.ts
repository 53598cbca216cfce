/**
 * Valid CarrierService "device activated" bodies for load tests: the spec's own example with
 * the listener's credentials, a requestId, one device and the delivery's callbackCount.
 */
import { specExample } from "../../support/spec-document.js";

const template = specExample<Record<string, unknown>>("CarrierServiceActivateSucceeded");

/** The listener's registered pair, sent back in every body. */
export const listenerCredentials = { username: "load-listener", password: "load-listener-secret-1" };

/** The `n`th device's IMEI (15 digits, distinct for every n below 10^9). */
export function imeiOf(n: number): string {
  return String(353_000_000_000_000 + n);
}

/** The JSON body ThingSpace would send for device `n` of `requestId`, at delivery `callbackCount`. */
export function carrierCallbackBody(n: number, requestId: string, callbackCount: number): string {
  return JSON.stringify({
    ...template,
    ...listenerCredentials,
    requestId,
    deviceIds: [{ kind: "IMEI", id: imeiOf(n) }],
    callbackCount,
    maxCallbackThreshold: 4,
  });
}

/**
 * Identity of devices across requests and callbacks. ThingSpace spells identifier kinds in any
 * case in callbacks (`IMEI`, `iccId`), so kinds are compared in lower case.
 */
import type { components } from "../../generated/openapi-types.js";

type ReportedDeviceId = components["schemas"]["ReportedDeviceId"];

/** An identifier kind as identities compare it (`IMEI`, `imei` and `Imei` are one kind). */
export function comparableKind(kind: string): string {
  return kind.toLowerCase();
}

/** `imei:990013907835573`: one identifier, kind in lower case. */
export function deviceIdKey(deviceId: Pick<ReportedDeviceId, "kind" | "id">): string {
  return `${comparableKind(deviceId.kind)}:${deviceId.id}`;
}

/** A stable key for a device from all its identifiers, in any order and any kind case. */
export function deviceKey(deviceIds: readonly Pick<ReportedDeviceId, "kind" | "id">[]): string {
  // One or two identifiers is nearly every device: the same key without an array to sort
  // (batching computes it for every device of every chunk).
  if (deviceIds.length === 1) return deviceIdKey(deviceIds[0]!);
  if (deviceIds.length === 2) {
    const first = deviceIdKey(deviceIds[0]!);
    const second = deviceIdKey(deviceIds[1]!);
    return first <= second ? `${first}|${second}` : `${second}|${first}`;
  }
  return deviceIds.map(deviceIdKey).sort().join("|");
}

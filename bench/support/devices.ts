/** Realistic, valid device identifiers for benchmarks: a 4G device is an IMEI and an ICCID. */
import type { components } from "../../generated/openapi-types.js";

type Device = components["schemas"]["DeviceWithIpAddress"];

/** The n-th 4G device: deterministic, valid for the spec's IMEI and ICCID formats. */
export function deviceNumber(n: number): Device {
  return {
    deviceIds: [
      { kind: "imei", id: String(350000000000000 + n) },
      { kind: "iccid", id: `8914${String(n).padStart(16, "0")}` },
    ],
  };
}

export function devices(count: number): Device[] {
  return Array.from({ length: count }, (_, n) => deviceNumber(n));
}

/** An async iterable of `count` devices, generated lazily so none is kept. */
export async function* deviceStream(count: number): AsyncGenerator<Device> {
  for (let n = 0; n < count; n++) yield deviceNumber(n);
}

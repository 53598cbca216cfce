/**
 * Valid, deterministic 4G devices (an IMEI and an ICCID each) for demos, benchmarks and tests:
 * device `n` always has the same identifiers, and they pass the spec's formats.
 */
import type { components } from "../../generated/openapi-types.js";

type Device = components["schemas"]["DeviceWithIpAddress"];

/** The n-th example device (0 ≤ n < 10^14). */
export function exampleDevice(n: number): Device {
  return {
    deviceIds: [
      { kind: "imei", id: String(350000000000000 + n) },
      { kind: "iccid", id: `8914${String(n).padStart(16, "0")}` },
    ],
  };
}

/** `count` example devices from `start` on. */
export function exampleDevices(count: number, start = 0): Device[] {
  return Array.from({ length: count }, (_, i) => exampleDevice(start + i));
}

/** The same devices as an async iterable, generated lazily so that none is kept. */
export async function* exampleDeviceStream(count: number, start = 0): AsyncGenerator<Device> {
  for (let i = 0; i < count; i++) yield exampleDevice(start + i);
}

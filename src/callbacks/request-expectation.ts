/**
 * What one request expects back: its devices, matched to callbacks by any identifier they
 * share (a request may name a device by IMEI and ICCID while the callback reports only the
 * IMEI), kinds compared in lower case.
 */
import { deviceIdKey } from "../devices/device-key.js";
import type { ParsedCallback } from "./callback-types.js";

/** A device as a request lists it: the shape of the client's batch chunks' devices. */
export interface ExpectedDevice {
  readonly deviceIds: readonly { readonly kind: string; readonly id: string }[];
}

/** How one expected device turned out. */
export interface DeviceOutcome<D extends ExpectedDevice = ExpectedDevice> {
  readonly device: D;
  readonly outcome: "succeeded" | "failed";
  /** The callback that reported the device (activate or goToState result, or a fault). */
  readonly callback: ParsedCallback;
  /** NIDD configuration messages for the device, which do not complete it by themselves. */
  readonly nidd: readonly ParsedCallback[];
}

/** What `record` did with a callback. */
export type RecordResult = "matched" | "duplicate" | "unexpected" | "buffered";

// NIDD configuration accompanies an activation; the CarrierService message is what completes it.
const supplementaryKinds = new Set<ParsedCallback["kind"]>(["niddConfigCreated", "niddConfigFailed"]);

/** The devices of one request and the callbacks received for them so far. */
export class RequestExpectation<D extends ExpectedDevice> {
  readonly devices: D[] = [];
  readonly unexpected: ParsedCallback[] = [];
  private readonly index = new Map<string, number>();
  private readonly outcomes = new Map<number, ParsedCallback>();
  private readonly niddByDevice = new Map<number, ParsedCallback[]>();

  /** Adds devices to expect (a request may be registered in several parts). */
  add(devices: Iterable<D>): void {
    for (const device of devices) {
      if (!Array.isArray(device?.deviceIds)) throw new TypeError("each expected device needs deviceIds: [{ kind, id }, ...]");
      const position = this.devices.push(device) - 1;
      for (const id of device.deviceIds) {
        const key = deviceIdKey(id);
        if (!this.index.has(key)) this.index.set(key, position);
      }
    }
  }

  /** Files a callback under the device it reports on. */
  record(callback: ParsedCallback): Exclude<RecordResult, "buffered"> {
    const position = callback.allDeviceIds.map((id) => this.index.get(deviceIdKey(id))).find((p) => p !== undefined);
    if (position === undefined) {
      this.unexpected.push(callback);
      return "unexpected";
    }
    if (supplementaryKinds.has(callback.kind)) {
      const list = this.niddByDevice.get(position) ?? [];
      if (list.some((seen) => seen.kind === callback.kind)) return "duplicate";
      this.niddByDevice.set(position, [...list, callback]);
      return "matched";
    }
    if (this.outcomes.has(position)) return "duplicate";
    this.outcomes.set(position, callback);
    return "matched";
  }

  /** True once every device has its result. */
  get complete(): boolean {
    return this.outcomes.size === this.devices.length;
  }

  /** Outcomes of the devices reported so far, in request order. */
  reported(): DeviceOutcome<D>[] {
    return this.devices.flatMap((device, position) => {
      const callback = this.outcomes.get(position);
      return callback ? [{ device, outcome: callback.outcome, callback, nidd: this.niddByDevice.get(position) ?? [] }] : [];
    });
  }

  /** Devices with no result yet, in request order. */
  missing(): D[] {
    return this.devices.filter((_, position) => !this.outcomes.has(position));
  }
}

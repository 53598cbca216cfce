import { describe, expect, it } from "vitest";
import { exampleDevice, exampleDeviceStream, exampleDevices } from "../../../src/simulator/index.js";
import { validatorFor } from "../../support/spec-document.js";

describe("exampleDevices", () => {
  it("are valid for the spec and distinct", () => {
    const devices = exampleDevices(1_000);
    const validate = validatorFor("ActivateDevicesRequest");
    expect(validate({ devices, servicePlan: "plan", mdnZipCode: "98801" })).toBe(true);
    expect(new Set(devices.map((d) => d.deviceIds[0]!.id)).size).toBe(1_000);
    expect(exampleDevice(7)).toEqual({
      deviceIds: [
        { kind: "imei", id: "350000000000007" },
        { kind: "iccid", id: "89140000000000000007" },
      ],
    });
  });

  it("stream the same devices lazily", async () => {
    const streamed = [];
    for await (const device of exampleDeviceStream(3, 5)) streamed.push(device);
    expect(streamed).toEqual(exampleDevices(3, 5));
  });
});

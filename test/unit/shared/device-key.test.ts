import { describe, expect, it } from "vitest";
import { deviceIdKey, deviceKey } from "../../../src/shared/device-key.js";

describe("deviceKey", () => {
  it("ignores kind case and identifier order", () => {
    expect(
      deviceKey([
        { kind: "IMEI", id: "990013907835573" },
        { kind: "iccId", id: "89141390780800784259" },
      ]),
    ).toBe(
      deviceKey([
        { kind: "iccid", id: "89141390780800784259" },
        { kind: "imei", id: "990013907835573" },
      ]),
    );
    expect(deviceIdKey({ kind: "EID", id: "1" })).toBe("eid:1");
  });
});

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { deviceIdKey, deviceKey } from "../../../src/shared/device-key.js";

const deviceId = fc.record({
  kind: fc.constantFrom("imei", "IMEI", "iccId", "eid", "mdn", "MSISDN"),
  id: fc.string({ maxLength: 6 }),
});

describe("deviceKey's short cuts for one and two identifiers", () => {
  it("give the key of the general rule: lower-case keys, sorted, joined by |", () => {
    fc.assert(
      fc.property(fc.array(deviceId, { minLength: 1, maxLength: 4 }), (ids) => {
        expect(deviceKey(ids)).toBe(ids.map(deviceIdKey).sort().join("|"));
      }),
    );
  });

  it("orders two identifiers whatever order they come in", () => {
    const imei = { kind: "imei", id: "990013907835573" };
    const iccid = { kind: "ICCID", id: "89141390780800784259" };
    expect(deviceKey([imei, iccid])).toBe("iccid:89141390780800784259|imei:990013907835573");
    expect(deviceKey([iccid, imei])).toBe("iccid:89141390780800784259|imei:990013907835573");
  });
});

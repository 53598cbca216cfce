import { describe, expect, it } from "vitest";
import { callbackDedupeKey } from "../../../src/callbacks/dedupe.js";
import { parseCallback } from "../../../src/callbacks/parse.js";
import { specExample } from "../../support/spec-document.js";

function keyOf(body: object): string {
  const result = parseCallback(body, { service: "CarrierService" });
  if (!result.ok) throw new Error("fixture is invalid");
  return callbackDedupeKey(result.callback);
}

describe("callbackDedupeKey", () => {
  const base = specExample<Record<string, unknown>>("CarrierServiceActivateFailed");

  it("is the same for every copy of a message, whatever its callbackCount and kind case", () => {
    expect(keyOf({ ...base, callbackCount: 3, deviceIds: [{ kind: "IMEI", id: "990013907884259" }] })).toBe(
      keyOf(base),
    );
    expect(keyOf(base)).toBe("595f5c44-c31c-4552-8670-020a1545a84d\nimei:990013907884259\nactivateFailed");
  });

  it("differs by request, device and kind", () => {
    const keys = new Set([
      keyOf(base),
      keyOf({ ...base, requestId: "other" }),
      keyOf({ ...base, deviceIds: [{ kind: "imei", id: "990013907835573" }] }),
      keyOf(specExample("CarrierServiceActivateSucceeded")),
    ]);
    expect(keys.size).toBe(4);
  });

  it("keys a message naming no device by its content, never by the credentials", () => {
    const anonymous = { ...base, deviceIds: [], username: "listener", password: "s3cret" };
    const other = { ...anonymous, faultResponse: { faultcode: "REQUEST_FAILED.UnexpectedError", faultstring: "x" } };
    expect(keyOf(anonymous)).not.toBe(keyOf(other));
    expect(keyOf({ ...anonymous, callbackCount: 2 })).toBe(keyOf(anonymous));
    expect(keyOf(anonymous)).not.toContain("s3cret");
  });
});

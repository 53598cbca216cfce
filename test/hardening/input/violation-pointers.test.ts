/** Regression: violations name unknown fields with escaped JSON Pointer tokens (RFC 6901). */
import { describe, expect, it } from "vitest";
import { validateAddDevicesRequest, validateRegisterCallbackRequest } from "../../../generated/validators.js";
import { toViolations } from "../../../src/shared/violations.js";
import { specExample } from "../../support/spec-document.js";

describe("violations name unknown fields with escaped JSON Pointer tokens", () => {
  it("an unknown field named a/b is /a~1b and one named ~x is /~0x (RFC 6901), not a path into a field a", () => {
    const body = { name: "CarrierService", url: "https://listener.example/cb", "a/b": 1, "~x": 2 };
    expect(validateRegisterCallbackRequest(body)).toBe(false);
    expect(toViolations(validateRegisterCallbackRequest.errors).map((v) => [v.path, v.rule])).toEqual([
      ["/a~1b", "additionalProperties"],
      ["/~0x", "additionalProperties"],
    ]);
  });

  it("also inside arrays", () => {
    const body = specExample<{ devicesToAdd: Record<string, unknown>[] }>("AddDevicesTwo4GDevices");
    body.devicesToAdd[1]!["x/y~z"] = true;
    expect(validateAddDevicesRequest(body)).toBe(false);
    expect(toViolations(validateAddDevicesRequest.errors)).toEqual([
      {
        path: "/devicesToAdd/1/x~1y~0z",
        rule: "additionalProperties",
        message: "/devicesToAdd/1/x~1y~0z is not a known field (check its spelling)",
      },
    ]);
  });
});

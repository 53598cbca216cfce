import { describe, expect, it } from "vitest";
import { formatViolations, toViolations } from "../../../src/shared/violations.js";
import { specExample, validatorFor } from "../../support/spec-document.js";

describe("toViolations", () => {
  it("names the missing field's own path, the rule and drops bare if-errors", () => {
    const validate = validatorFor("ActivateDevicesRequest");
    const body = specExample<Record<string, unknown>>("ActivateDevicesWithIpAddresses");
    delete body.carrierIpPoolName;
    validate(body);
    expect(toViolations(validate.errors)).toEqual([
      { path: "/carrierIpPoolName", rule: "required", message: "/carrierIpPoolName is required" },
    ]);
  });

  it("lists allowed values for enums and points at a misspelt field", () => {
    const validate = validatorFor("AddDevicesRequest");
    const body = specExample<Record<string, unknown>>("AddDevicesTwo4GDevices");
    body.state = "active";
    body.acountName = "x";
    validate(body);
    expect(toViolations(validate.errors)).toEqual([
      {
        path: "/acountName",
        rule: "additionalProperties",
        message: "/acountName is not a known field (check its spelling)",
      },
      { path: "/state", rule: "enum", message: '/state must be one of "preactive"', allowed: ["preactive"] },
    ]);
  });

  it("reports a bad identifier kind once, on the kind, with the allowed kinds", () => {
    const validate = validatorFor("AddDevicesRequest");
    validate({
      state: "preactive",
      devicesToAdd: [{ deviceIds: [{ kind: "IMEI", id: "990013907835573" }, { id: "5" }] }],
    });
    expect(toViolations(validate.errors).map((v) => [v.path, v.rule])).toEqual([
      ["/devicesToAdd/0/deviceIds/0/kind", "enum"],
      ["/devicesToAdd/0/deviceIds/1/kind", "required"],
    ]);
  });

  it("formats one line per violation", () => {
    expect(
      formatViolations([
        {
          path: "/devices/0/deviceIds/0/id",
          rule: "pattern",
          message: "/devices/0/deviceIds/0/id must match ^[0-9]{15,16}$",
        },
      ]),
    ).toBe("- /devices/0/deviceIds/0/id must match ^[0-9]{15,16}$ [pattern]");
  });
});

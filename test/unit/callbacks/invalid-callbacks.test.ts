import { describe, expect, it } from "vitest";
import { parseCallback } from "../../../src/callbacks/parse.js";
import type { CallbackService } from "../../../src/callbacks/types.js";
import { specExample } from "../../support/spec-document.js";

type Body = Record<string, any>;
interface Case {
  rule: string;
  base: string;
  service: CallbackService;
  mutate: (body: Body) => void;
  /** Every violation expected, as [path, keyword]. */
  violations: [string, string][];
}

const cases: Case[] = [
  {
    rule: "requestId is required",
    base: "CarrierServiceActivateSucceeded",
    service: "CarrierService",
    mutate: (b) => {
      delete b.requestId;
    },
    violations: [["/requestId", "required"]],
  },
  {
    rule: "requestId is not empty",
    base: "CarrierServiceActivateSucceeded",
    service: "CarrierService",
    mutate: (b) => {
      b.requestId = "";
    },
    violations: [["/requestId", "minLength"]],
  },
  {
    rule: "status is required",
    base: "CarrierServiceActivateSucceeded",
    service: "CarrierService",
    mutate: (b) => {
      delete b.status;
    },
    violations: [["/status", "required"]],
  },
  {
    rule: "deviceIds is a list",
    base: "CarrierServiceActivateSucceeded",
    service: "CarrierService",
    mutate: (b) => {
      b.deviceIds = { kind: "imei" };
    },
    violations: [["/deviceIds", "type"]],
  },
  {
    rule: "an identifier's kind is not empty",
    base: "CarrierServiceActivateSucceeded",
    service: "CarrierService",
    mutate: (b) => {
      b.deviceIds[0].kind = "";
    },
    violations: [["/deviceIds/0/kind", "minLength"]],
  },
  {
    rule: "an identifier's id is a string",
    base: "CarrierServiceActivateSucceeded",
    service: "CarrierService",
    mutate: (b) => {
      b.deviceIds[0].id = 352452060026934;
    },
    violations: [["/deviceIds/0/id", "type"]],
  },
  {
    rule: "a success carries activateResponse",
    base: "CarrierServiceActivateSucceeded",
    service: "CarrierService",
    mutate: (b) => {
      b.deviceResponse = {};
    },
    violations: [
      ["/deviceResponse/activateResponse", "required"],
      ["/faultResponse", "required"],
      ["", "oneOf"],
    ],
  },
  {
    rule: "deviceCredential is an object or a list",
    base: "CarrierServiceActivateSucceeded",
    service: "CarrierService",
    mutate: (b) => {
      b.deviceResponse.activateResponse.deviceCredential = "x";
    },
    violations: [
      ["/deviceResponse/activateResponse/deviceCredential", "type"],
      ["/deviceResponse/activateResponse/deviceCredential", "type"],
      ["/deviceResponse/activateResponse/deviceCredential", "oneOf"],
    ],
  },
  {
    rule: "featureCodes is a list",
    base: "CarrierServiceActivateSucceeded",
    service: "CarrierService",
    mutate: (b) => {
      b.deviceResponse.activateResponse.featureCodes = {};
    },
    violations: [["/deviceResponse/activateResponse/featureCodes", "type"]],
  },
  {
    rule: "callbackCount counts from 1",
    base: "CarrierServiceActivateSucceeded",
    service: "CarrierService",
    mutate: (b) => {
      b.callbackCount = 0;
    },
    violations: [["/callbackCount", "minimum"]],
  },
  {
    rule: "a string maxCallbackThreshold is all digits",
    base: "CarrierServiceActivateSucceeded",
    service: "CarrierService",
    mutate: (b) => {
      b.maxCallbackThreshold = "four";
    },
    violations: [["/maxCallbackThreshold", "pattern"]],
  },
  {
    rule: "username is a string",
    base: "CarrierServiceActivateSucceeded",
    service: "CarrierService",
    mutate: (b) => {
      b.username = 7;
    },
    violations: [["/username", "type"]],
  },
  {
    rule: "a fault has a faultcode",
    base: "CarrierServiceActivateFailed",
    service: "CarrierService",
    mutate: (b) => {
      delete b.faultResponse.faultcode;
    },
    violations: [["/faultResponse/faultcode", "required"]],
  },
  {
    rule: "faultResponse is an object",
    base: "CarrierServiceActivateFailed",
    service: "StateService",
    mutate: (b) => {
      b.faultResponse = "Device not found.";
    },
    violations: [["/faultResponse", "type"]],
  },
  {
    rule: "a NIDD status is ConfigCreated, ConfigFailed or ConfigCreationFailed",
    base: "NiddServiceConfigCreated",
    service: "NiddService",
    mutate: (b) => {
      b.status = "Bogus";
    },
    violations: [
      ["/status", "const"],
      ["/status", "enum"],
      ["", "oneOf"],
    ],
  },
  {
    rule: "a NIDD message names its device",
    base: "NiddServiceConfigCreated",
    service: "NiddService",
    mutate: (b) => {
      delete b.niddResponse.niddConfigResponse.deviceIds;
    },
    violations: [["/niddResponse/niddConfigResponse/deviceIds", "required"]],
  },
  {
    rule: "a NIDD reason is text",
    base: "NiddServiceConfigFailed",
    service: "NiddService",
    mutate: (b) => {
      b.niddResponse.niddConfigResponse.reason = 5;
    },
    violations: [["/niddResponse/niddConfigResponse/reason", "type"]],
  },
  {
    rule: "a reported identifier has a kind",
    base: "StateServiceGoToStateSucceeded",
    service: "StateService",
    mutate: (b) => {
      delete b.deviceResponse.goToStateResponse.deviceIds[0].kind;
    },
    violations: [["/deviceResponse/goToStateResponse/deviceIds/0/kind", "required"]],
  },
  {
    rule: "stateName is text",
    base: "StateServiceGoToStateSucceeded",
    service: "StateService",
    mutate: (b) => {
      b.deviceResponse.goToStateResponse.stateName = 1;
    },
    violations: [["/deviceResponse/goToStateResponse/stateName", "type"]],
  },
  {
    rule: "a goToState result is not an activate result",
    base: "StateServiceGoToStateSucceeded",
    service: "CarrierService",
    mutate: () => {},
    violations: [
      ["/deviceResponse/activateResponse", "required"],
      ["/faultResponse", "required"],
      ["", "oneOf"],
    ],
  },
];

describe("parseCallback rejects invalid callbacks with the JSON path of each fault", () => {
  it.each(cases)("$rule", ({ base, service, mutate, violations }) => {
    const body = specExample<Body>(base);
    mutate(body);
    const result = parseCallback(JSON.stringify(body), { service });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.violations.map((v) => [v.path, v.rule])).toEqual(violations);
    for (const violation of result.violations)
      expect(violation.message).toContain(violation.path === "" ? "the body" : violation.path);
  });

  it.each([
    {
      rule: "maxCallbackThreshold may be a digit string (goToState page)",
      base: "StateServiceGoToStateSucceeded",
      mutate: (b: Body) => {
        b.maxCallbackThreshold = "4";
      },
    },
    {
      rule: "unknown fields are tolerated",
      base: "CarrierServiceActivateSucceeded",
      mutate: (b: Body) => {
        b.newField = { any: "thing" };
      },
    },
    {
      rule: "kinds ThingSpace adds later are tolerated",
      base: "CarrierServiceActivateFailed",
      mutate: (b: Body) => {
        b.deviceIds.push({ kind: "SUPI", id: "x" });
      },
    },
    {
      rule: "ConfigCreationFailed is the table's spelling of ConfigFailed",
      base: "NiddServiceConfigFailed",
      mutate: (b: Body) => {
        b.status = "ConfigCreationFailed";
      },
    },
  ])("accepts: $rule", ({ base, mutate }) => {
    const body = specExample<Body>(base);
    mutate(body);
    expect(parseCallback(body).ok).toBe(true);
  });
});

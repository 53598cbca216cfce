import { Ajv2020 } from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
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

  it.each([
    ["esn", "11 digits (an ESN)"],
    ["meid", "14 hexadecimal digits (an MEID)"],
    ["imei", "15 or 16 digits (an IMEI)"],
    ["iccid", "18 to 20 digits (an ICCID)"],
    ["eid", "32 digits (an EID)"],
    ["mdn", "10 digits (an MDN)"],
    ["msisdn", "10 to 15 digits (an MSISDN: E.164 without the +)"],
    ["imsi", "15 digits (an IMSI)"],
    ["min", "10 digits (an MIN)"],
  ])("says in words what a %s identifier must be, keeping the rule", (kind, words) => {
    const validate = validatorFor("ActivateDevicesRequest");
    validate({ servicePlan: "plan", mdnZipCode: "98801", devices: [{ deviceIds: [{ kind, id: "12x" }] }] });
    expect(toViolations(validate.errors)).toEqual([
      { path: "/devices/0/deviceIds/0/id", rule: "pattern", message: `/devices/0/deviceIds/0/id must be ${words}` },
    ]);
  });

  it("says in words what every format of a request allows: ZIP codes, address, names, cost center, IP, email", () => {
    const validate = validatorFor("ActivateDevicesRequest");
    const body = specExample<Record<string, any>>("ActivateDevicesWithIpAddresses");
    body.mdnZipCode = "9880";
    body.costCenterCode = "cost/center";
    body.devices[0].ipAddress = "0.10.10.10";
    const { customerName, address } = body.primaryPlaceOfUse;
    customerName.firstName = "Zaffod?";
    customerName.lastName = "";
    Object.assign(address, { state: "Texas", zip: "7801", zip4: "12", phone: "555-1234", emailAddress: "at-nowhere" });
    validate(body);
    expect(toViolations(validate.errors).map((v) => `${v.message} [${v.rule}]`)).toEqual([
      "/devices/0/ipAddress must be an IPv4 address: four numbers from 0 to 255 joined by dots, the first not 0 [pattern]",
      "/mdnZipCode must be a five-digit ZIP code [pattern]",
      "/costCenterCode must be 1 to 36 letters, digits, spaces, dashes, exclamation points or pound signs [pattern]",
      "/primaryPlaceOfUse/customerName/firstName must be 1 to 20 letters, digits, spaces, dashes, exclamation points or pound signs [pattern]",
      "/primaryPlaceOfUse/customerName/lastName must be 1 to 25 letters, digits, spaces, dashes, exclamation points or pound signs [pattern]",
      "/primaryPlaceOfUse/address/state must be a state's two-letter code in capitals (ISO 3166-2:US, such as TX or DC) [pattern]",
      "/primaryPlaceOfUse/address/zip must be a five-digit ZIP code, or ZIP+4 written 12345-6789 [pattern]",
      "/primaryPlaceOfUse/address/zip4 must be 4 digits (the ZIP+4 extension) [pattern]",
      "/primaryPlaceOfUse/address/phone must be 10 digits (a phone number) [pattern]",
      "/primaryPlaceOfUse/address/emailAddress must be an email address [format]",
    ]);
  });

  it("gives one violation for a field that fails both its format and its pattern", () => {
    const validate = validatorFor("ActivateDevicesRequest");
    const body = specExample<Record<string, any>>("ActivateDevicesWithIpAddresses");
    body.devices[0].ipAddress = "ten.0.0.1";
    validate(body);
    expect(validate.errors!.map((error) => error.keyword)).toEqual(["pattern", "format"]);
    expect(toViolations(validate.errors)).toEqual([
      {
        path: "/devices/0/ipAddress",
        rule: "pattern",
        message:
          "/devices/0/ipAddress must be an IPv4 address: four numbers from 0 to 255 joined by dots, the first not 0",
      },
    ]);
  });

  it("words the rules of exported bodies and callbacks too: a listener URL, maxCallbackThreshold", () => {
    const register = validatorFor("RegisterCallbackRequest");
    register({ name: "CarrierService", url: "ftp://listener.example/cb" });
    expect(toViolations(register.errors)).toEqual([
      { path: "/url", rule: "pattern", message: "/url must be an absolute http:// or https:// URL" },
    ]);
    const callback = validatorFor("ActivateSucceededCallback");
    callback({ ...specExample<object>("CarrierServiceActivateSucceeded"), maxCallbackThreshold: "four" });
    expect(toViolations(callback.errors)).toEqual([
      {
        path: "/maxCallbackThreshold",
        rule: "pattern",
        message: "/maxCallbackThreshold must be a whole number of at least 1, or a string of its digits",
      },
    ]);
  });

  it("falls back to the rule itself for a pattern or format the spec does not word", () => {
    const validate = new Ajv2020({ allErrors: true });
    addFormats.default(validate);
    const check = validate.compile({
      type: "object",
      properties: { code: { type: "string", pattern: "^[A-Z]+$" }, at: { type: "string", format: "date" } },
    });
    check({ code: "abc", at: "yesterday" });
    expect(toViolations(check.errors).map((v) => v.message)).toEqual([
      "/code must match ^[A-Z]+$",
      "/at must be a valid date",
    ]);
  });

  it("formats one line per violation", () => {
    expect(
      formatViolations([
        {
          path: "/devices/0/deviceIds/0/id",
          rule: "pattern",
          message: "/devices/0/deviceIds/0/id must be 15 or 16 digits (an IMEI)",
        },
        { path: "/state", rule: "enum", message: '/state must be one of "preactive"', allowed: ["preactive"] },
      ]),
    ).toBe(
      "- /devices/0/deviceIds/0/id must be 15 or 16 digits (an IMEI) [pattern]\n" +
        '- /state must be one of "preactive" [enum]',
    );
  });
});

/**
 * `x-allowed`: the spec's words for what each `pattern` and `format` allows, carried by
 * `npm run generate` into the table violation messages read (scripts/compile-validators.ts).
 */
import { describe, expect, it } from "vitest";
import { allowedBySchemaPath } from "../../../generated/validators.js";
import { compileValidatorModule } from "../../../scripts/compile-validators.js";
import { specDocument } from "../../support/spec-document.js";

type Schemas = Record<string, Record<string, any>>;

/** The bundled spec with `change` applied to a copy of its component schemas. */
function specWith(change: (schemas: Schemas) => void): Record<string, unknown> {
  const document = structuredClone(specDocument) as unknown as { components: { schemas: Schemas } };
  change(document.components.schemas);
  return document;
}

describe("the spec's x-allowed, in the generated validators", () => {
  it("words every pattern and format the validators check, by the schema path ajv reports", () => {
    expect(allowedBySchemaPath).toEqual({
      "#/$defs/Address/properties/emailAddress/format": "an email address",
      "#/$defs/Address/properties/phone/pattern": "10 digits (a phone number)",
      "#/$defs/Address/properties/state/pattern":
        "a state's two-letter code in capitals (ISO 3166-2:US, such as TX or DC)",
      "#/$defs/Address/properties/zip/pattern": "a five-digit ZIP code, or ZIP+4 written 12345-6789",
      "#/$defs/Address/properties/zip4/pattern": "4 digits (the ZIP+4 extension)",
      "#/$defs/CallbackEnvelope/properties/maxCallbackThreshold/pattern":
        "a whole number of at least 1, or a string of its digits",
      "#/$defs/CostCenterCode/pattern": "1 to 36 letters, digits, spaces, dashes, exclamation points or pound signs",
      "#/$defs/CustomerName/properties/firstName/pattern":
        "1 to 20 letters, digits, spaces, dashes, exclamation points or pound signs",
      "#/$defs/CustomerName/properties/lastName/pattern":
        "1 to 25 letters, digits, spaces, dashes, exclamation points or pound signs",
      "#/$defs/EidDeviceId/properties/id/pattern": "32 digits (an EID)",
      "#/$defs/EsnDeviceId/properties/id/pattern": "11 digits (an ESN)",
      "#/$defs/IccidDeviceId/properties/id/pattern": "18 to 20 digits (an ICCID)",
      "#/$defs/ImeiDeviceId/properties/id/pattern": "15 or 16 digits (an IMEI)",
      "#/$defs/ImsiDeviceId/properties/id/pattern": "15 digits (an IMSI)",
      "#/$defs/IpAddress/format": "an IPv4 address: four numbers from 0 to 255 joined by dots, the first not 0",
      "#/$defs/IpAddress/pattern": "an IPv4 address: four numbers from 0 to 255 joined by dots, the first not 0",
      "#/$defs/MdnDeviceId/properties/id/pattern": "10 digits (an MDN)",
      "#/$defs/MeidDeviceId/properties/id/pattern": "14 hexadecimal digits (an MEID)",
      "#/$defs/MinDeviceId/properties/id/pattern": "10 digits (an MIN)",
      "#/$defs/MsisdnDeviceId/properties/id/pattern": "10 to 15 digits (an MSISDN: E.164 without the +)",
      "#/$defs/ZipCode/pattern": "a five-digit ZIP code",
      "#/properties/earliest/format": "an RFC 3339 date and time, such as 2026-11-28T18:00:00Z",
      "#/properties/latest/format": "an RFC 3339 date and time, such as 2026-11-28T18:00:00Z",
      "#/properties/url/format": "an absolute http:// or https:// URL",
      "#/properties/url/pattern": "an absolute http:// or https:// URL",
    });
  });

  it("keeps x-allowed out of the validators' code: only the table carries the words", () => {
    const { code } = compileValidatorModule(specDocument);
    const [validators, table] = code.split("export const allowedBySchemaPath = ");
    expect(validators).not.toContain("15 or 16 digits");
    expect(validators).not.toContain("x-allowed");
    expect(table).toContain('"#/$defs/ImeiDeviceId/properties/id/pattern":"15 or 16 digits (an IMEI)"');
  });

  it("refuses to generate a pattern without words, naming where it is", () => {
    const document = specWith((schemas) => delete schemas.ZipCode!["x-allowed"]);
    expect(() => compileValidatorModule(document)).toThrow(
      "spec: the rule at #/$defs/ZipCode/pattern has no x-allowed: say beside it, in words, what it allows",
    );
  });

  it("refuses an x-allowed that stands beside no pattern or format", () => {
    const document = specWith(
      (schemas) => (schemas.CustomField!.properties.value["x-allowed"] = "at most 50 characters"),
    );
    expect(() => compileValidatorModule(document)).toThrow(
      "spec: the x-allowed of CustomField/properties/value stands beside no pattern or format",
    );
  });

  it("refuses two different descriptions that ajv would report at the same schema path", () => {
    // LoginRequest is compiled as a validator of its own: its rules are reported from "#", as
    // RegisterCallbackRequest's are.
    const document = specWith((schemas) => {
      schemas.LoginRequest!.properties.url = { type: "string", pattern: "^https://", "x-allowed": "an https URL" };
    });
    expect(() => compileValidatorModule(document)).toThrow(
      "spec: LoginRequest/properties/url and RegisterCallbackRequest/properties/url report their rules at the same " +
        "path #/properties/url/pattern with different x-allowed: move one into a component schema of its own",
    );
  });
});

/**
 * parseCallback against arbitrary input and mutated spec examples: it never throws, agrees with
 * the generated validators, names a JSON path for every violation, and never accepts a payload
 * missing a field the spec requires.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseCallback, type CallbackService } from "../../../src/callbacks/index.js";
import { validatorFor } from "../../support/spec-document.js";
import { mutationsOf } from "./support/json-mutation.js";
import { requiredFieldPaths, withoutField } from "./support/required-deletions.js";
import { callbackExamples, runs } from "./support/spec-payloads.js";
import { expectWellFormedViolations, isPlainJson } from "./support/violation-checks.js";

const services: CallbackService[] = ["CarrierService", "NiddService", "StateService"];
const hints: (CallbackService | undefined)[] = [undefined, ...services];
const acceptedBy = (service: CallbackService, value: unknown) => validatorFor(`${service}Callback`)(value);

/** parseCallback's verdict on `value` for `service`, checked against the validators and the paths. */
function expectConsistent(value: unknown, service: CallbackService | undefined): boolean {
  const result = parseCallback(value, { service });
  const expected = service ? acceptedBy(service, value) : services.some((s) => acceptedBy(s, value));
  expect(result.ok).toBe(expected);
  if (result.ok) {
    if (service) expect(result.callback.service).toBe(service);
    expect(result.callback.payload).toBe(value);
    expect(typeof result.callback.deviceKey).toBe("string");
  } else {
    expectWellFormedViolations(result.violations, isPlainJson(value) ? { value } : undefined);
  }
  return result.ok;
}

const exotic = fc.anything({
  maxDepth: 4,
  withBigInt: true,
  withBoxedValues: true,
  withDate: true,
  withMap: true,
  withSet: true,
  withNullPrototype: true,
  withObjectString: true,
  withSparseArray: true,
  withTypedArray: true,
});

describe("parseCallback on arbitrary input", () => {
  it("never throws on any JavaScript value, and agrees with the generated validators", () => {
    fc.assert(
      fc.property(exotic, fc.constantFrom(...hints), (value, service) => {
        expectConsistent(value, service);
      }),
      runs(300),
    );
  });

  it("reads any text or bytes: invalid JSON is one violation at the body, valid JSON is judged like the parsed value", () => {
    const texts = fc.oneof(
      fc.string(),
      fc.string({ unit: "binary" }),
      fc.jsonValue().map((v) => JSON.stringify(v)),
    );
    fc.assert(
      fc.property(texts, fc.constantFrom(...hints), (text, service) => {
        const fromText = parseCallback(text, { service });
        const fromBytes = parseCallback(new TextEncoder().encode(text), { service });
        expect(fromBytes).toEqual(fromText);
        let parsed: { value: unknown } | undefined;
        try {
          parsed = { value: JSON.parse(text) as unknown };
        } catch {
          parsed = undefined;
        }
        if (!parsed) {
          expect(fromText).toEqual({
            ok: false,
            violations: [{ path: "", rule: "json", message: expect.any(String) }],
          });
          return;
        }
        // A string is always read as JSON text, so a JSON string's value cannot stand for itself.
        if (typeof parsed.value === "string") return;
        const fromValue = parseCallback(parsed.value, { service });
        expect(fromText.ok).toBe(fromValue.ok);
        if (!fromText.ok && !fromValue.ok) expect(fromText.violations).toEqual(fromValue.violations);
      }),
      runs(150),
    );
  });

  it("rejects bytes that are not UTF-8 with one encoding violation", () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 64 }), (bytes) => {
        let utf8 = true;
        try {
          new TextDecoder("utf-8", { fatal: true }).decode(bytes);
        } catch {
          utf8 = false;
        }
        const result = parseCallback(bytes);
        expect(result.ok).toBe(false);
        if (result.ok) return;
        expectWellFormedViolations(result.violations);
        if (!utf8)
          expect(result.violations).toEqual([
            { path: "", rule: "encoding", message: "the body is not valid UTF-8 text" },
          ]);
      }),
      runs(200),
    );
  });
});

describe("parseCallback on mutations of the spec's callback examples", () => {
  for (const example of callbackExamples) {
    it(`${example.name}: never throws; accepted exactly when the ${example.service} validator accepts`, () => {
      let accepted = 0;
      let rejected = 0;
      fc.assert(
        fc.property(mutationsOf(example.value), fc.constantFrom(example.service, undefined), ({ value }, service) => {
          if (expectConsistent(value, service)) accepted++;
          else rejected++;
          // The same payload as JSON text is judged the same way.
          if (value !== undefined)
            expect(parseCallback(JSON.stringify(value), { service }).ok).toBe(parseCallback(value, { service }).ok);
        }),
        runs(200),
      );
      // Both outcomes were exercised: the mutations are neither all harmless nor all fatal.
      expect(accepted).toBeGreaterThan(0);
      expect(rejected).toBeGreaterThan(0);
    });
  }
});

describe("a payload without a field the spec requires is never accepted", () => {
  for (const example of callbackExamples) {
    const paths = requiredFieldPaths(example.schema, example.value);

    it(`${example.name}: each of its ${paths.length} required fields, deleted, is rejected and named`, () => {
      expect(parseCallback(example.value, { service: example.service }).ok).toBe(true);
      expect(paths).toEqual(expect.arrayContaining(["/requestId", "/status"]));
      for (const path of paths) {
        const value = withoutField(example.value, path);
        expect(acceptedBy(example.service, value), path).toBe(false);
        for (const service of [example.service, undefined]) {
          const result = parseCallback(value, { service });
          expect(result.ok, `${path} deleted, service ${String(service)}`).toBe(false);
          if (result.ok) continue;
          expectWellFormedViolations(result.violations, { value });
          expect(result.violations, path).toContainEqual(expect.objectContaining({ path, rule: "required" }));
        }
      }
    });
  }

  it("derives the required fields from the spec's schemas, oneOf branches included", () => {
    const failed = callbackExamples.find((e) => e.name === "CarrierServiceActivateFailed")!;
    expect(requiredFieldPaths(failed.schema, failed.value).sort()).toEqual([
      "/deviceIds",
      "/deviceIds/0/id",
      "/deviceIds/0/kind",
      "/faultResponse",
      "/faultResponse/faultcode",
      "/faultResponse/faultstring",
      "/requestId",
      "/status",
    ]);
  });
});

describe("parseCallback on huge and deeply nested input", () => {
  const failed = callbackExamples.find((e) => e.name === "CarrierServiceActivateFailed")!.value as Record<
    string,
    unknown
  >;
  let deepText = "0";
  for (let i = 0; i < 20_000; i++) deepText = `[${deepText}]`;

  it("accepts a valid callback carrying an unknown field nested 20,000 deep, as text and as a value", () => {
    const text = JSON.stringify({ ...failed, extra: 0 }).replace('"extra":0', `"extra":${deepText}`);
    expect(parseCallback(text, { service: "CarrierService" })).toMatchObject({
      ok: true,
      callback: { kind: "activateFailed" },
    });
    expect(parseCallback(JSON.parse(text), { service: "CarrierService" }).ok).toBe(true);
  });

  it("rejects a 20,000-deep array and a 1 MB string without throwing", () => {
    expect(parseCallback(deepText)).toEqual({
      ok: false,
      violations: expect.arrayContaining([expect.objectContaining({ path: "", rule: "type" })]),
    });
    const huge = {
      ...failed,
      requestId: "r".repeat(1_000_000),
      deviceIds: Array.from({ length: 2_000 }, () => ({ kind: "imei" })),
    };
    const result = parseCallback(huge, { service: "CarrierService" });
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expectWellFormedViolations(result.violations, { value: huge });
      expect(result.violations).toContainEqual(
        expect.objectContaining({ path: "/deviceIds/1999/id", rule: "required" }),
      );
      // No violation repeats the megabyte of input.
      expect(JSON.stringify(result.violations).length).toBeLessThan(1_000_000);
    }
  });

  it("rejects an object of 100,000 keys without throwing", () => {
    const wide = Object.fromEntries(Array.from({ length: 100_000 }, (_, i) => [`k${i}`, i]));
    const result = parseCallback(wide);
    expect(result.ok).toBe(false);
    if (!result.ok) expectWellFormedViolations(result.violations, { value: wide });
  });
});

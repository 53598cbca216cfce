/**
 * The generated request validators, and the simulator that uses them, against arbitrary input
 * and mutated spec examples: no throw, a JSON path for every violation, no required field missing
 * from an accepted body, and the simulator answers in ThingSpace's format, never a 5xx.
 */
import fc from "fast-check";
import type { ValidateFunction } from "ajv";
import { afterAll, describe, expect, it } from "vitest";
import { simulatorErrorCodes } from "../../../src/simulator/index.js";
import { toViolations } from "../../../src/shared/violations.js";
import { generatedValidators as validators, validatorFor } from "../../support/spec-document.js";
import { mutationsOf } from "./support/json-mutation.js";
import { requiredFieldPaths, withoutField } from "./support/required-deletions.js";
import { simulatorSession } from "./support/simulator-session.js";
import { requestExamples, runs } from "./support/spec-payloads.js";
import { expectWellFormedViolations, isPlainJson } from "./support/violation-checks.js";

const requestValidatorNames = Object.keys(validators).filter((name) => name.endsWith("Request"));
const knownCodes: string[] = Object.values(simulatorErrorCodes);
const routes: Record<string, { method: string; path: string }> = {
  addDevices: { method: "POST", path: "/m2m/v1/devices/actions/add" },
  activateDevices: { method: "POST", path: "/m2m/v1/devices/actions/activate" },
  goToState: { method: "PUT", path: "/m2m/v1/devices/actions/goToState" },
  registerCallback: { method: "POST", path: "/m2m/v1/callbacks/TestAccount-1" },
  listDevices: { method: "POST", path: "/m2m/v1/devices/actions/list" },
};

/**
 * Validates and returns the violations (none when valid), checked for paths into `value` when it
 * is plain JSON (ajv also reads inherited properties, such as a typed array's `filter` method).
 */
function verdict(
  validate: ValidateFunction,
  value: unknown,
): { valid: boolean; violations: ReturnType<typeof toViolations> } {
  const valid = validate(value);
  const violations = toViolations(validate.errors);
  if (valid) expect(violations).toEqual([]);
  else expectWellFormedViolations(violations, isPlainJson(value) ? { value } : undefined);
  return { valid, violations };
}

describe("generated request validators on arbitrary input", () => {
  it("covers every request schema of the spec", () => {
    expect(requestValidatorNames.sort()).toEqual([
      "validateActivateDevicesRequest",
      "validateAddDevicesRequest",
      "validateGoToStateRequest",
      "validateListDevicesRequest",
      "validateLoginRequest",
      "validateOAuthRevokeRequest",
      "validateOAuthTokenRequest",
      "validateRegisterCallbackRequest",
    ]);
  });

  it("never throw, and every violation names a JSON path into the input", () => {
    const values = fc.oneof(
      fc.anything({
        maxDepth: 4,
        withBigInt: true,
        withBoxedValues: true,
        withMap: true,
        withNullPrototype: true,
        withSparseArray: true,
        withTypedArray: true,
      }),
      fc.dictionary(
        fc.constantFrom(
          "devices",
          "devicesToAdd",
          "deviceIds",
          "username",
          "password",
          "name",
          "url",
          "grant_type",
          "__proto__",
          "a/b",
        ),
        fc.jsonValue({ maxDepth: 3 }),
      ),
    );
    fc.assert(
      fc.property(values, fc.constantFrom(...requestValidatorNames), (value, name) => {
        verdict(validators[name]!, value);
      }),
      runs(500),
    );
  });
});

describe("generated request validators on mutations of the spec's request examples", () => {
  for (const example of requestExamples) {
    it(`${example.name}: never throw; violations name paths into the body`, () => {
      const validate = validatorFor(example.schema);
      expect(validate(example.value)).toBe(true);
      let rejected = 0;
      fc.assert(
        fc.property(mutationsOf(example.value), ({ value }) => {
          if (!verdict(validate, value).valid) rejected++;
        }),
        runs(200),
      );
      expect(rejected).toBeGreaterThan(100);
    });

    const paths = requiredFieldPaths(example.schema, example.value);
    // A list query requires nothing (every field is optional): only a query naming one device
    // (its deviceId's kind and id) or a filter has required fields, checked below.
    if (paths.length === 0 && example.schema === "ListDevicesRequest") continue;
    it(`${example.name}: each of its ${paths.length} required fields, deleted, is rejected with a required violation at its path`, () => {
      // A registration requires two fields (name and url), a list query's deviceId or filter two; the device bodies more.
      const fewest = { RegisterCallbackRequest: 2, ListDevicesRequest: 2 }[example.schema] ?? 4;
      expect(paths.length).toBeGreaterThanOrEqual(fewest);
      const validate = validatorFor(example.schema);
      for (const path of paths) {
        const value = withoutField(example.value, path);
        const { valid, violations } = verdict(validate, value);
        expect(valid, path).toBe(false);
        expect(violations, path).toContainEqual(expect.objectContaining({ path, rule: "required" }));
      }
    });
  }
});

describe("the simulator on mutated request bodies", async () => {
  const { simulator, send } = await simulatorSession();
  afterAll(() => simulator.close());

  for (const example of requestExamples) {
    const route = routes[example.operationId]!;
    it(`${example.name}: answers 200, or 400 with a ThingSpace error code, never a 5xx; refuses whatever the validator refuses`, async () => {
      const validate = validatorFor(example.schema);
      const statuses = new Set<number>();
      await fc.assert(
        fc.asyncProperty(mutationsOf(example.value), async ({ value }) => {
          const response = await send(route.method, route.path, value);
          statuses.add(response.status);
          // A list query is answered 202 when more pages follow.
          expect(route.path.endsWith("/list") ? [200, 202, 400] : [200, 400]).toContain(response.status);
          const body = (await response.json()) as { errorCode?: unknown; errorMessage?: unknown };
          if (!validate(value)) expect(response.status).toBe(400);
          if (response.status === 400) {
            expect(knownCodes).toContain(body.errorCode);
            expect(typeof body.errorMessage).toBe("string");
          }
        }),
        runs(150),
      );
      expect(statuses.has(400)).toBe(true);
    });

    it(`${example.name}: refuses the body without any of its required fields`, async () => {
      for (const path of requiredFieldPaths(example.schema, example.value)) {
        const response = await send(route.method, route.path, withoutField(example.value, path));
        expect(response.status, path).toBe(400);
        const body = (await response.json()) as { errorCode: string; errorMessage: string };
        expect(knownCodes).toContain(body.errorCode);
        expect(body.errorMessage, path).toContain(`${path} is required`);
      }
    });
  }
});

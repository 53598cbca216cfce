/** What every rejection in the package must look like, checked against the input it rejected. */
import { expect } from "vitest";
import type { Violation } from "../../../../src/shared/violations.js";
import { parentOf, pointsInto, tokensOf } from "./json-pointer.js";

const missingRules = new Set(["required", "dependentRequired"]);

/**
 * Each violation names a JSON Pointer ("" is the whole body) and a rule, with a message. Given
 * the parsed `instance`, the pointer must also name what is wrong in it: an existing value, or
 * for a missing field, a field absent from an existing object.
 */
export function expectWellFormedViolations(
  violations: readonly Violation[],
  instance?: { readonly value: unknown },
): void {
  expect(violations.length).toBeGreaterThan(0);
  for (const violation of violations) {
    expect(typeof violation.path).toBe("string");
    expect(tokensOf(violation.path), `path ${JSON.stringify(violation.path)} is a JSON Pointer`).toBeDefined();
    expect(violation.rule).toMatch(/^[A-Za-z]+$/);
    expect(typeof violation.message).toBe("string");
    expect(violation.message.length).toBeGreaterThan(0);
    if (!instance) continue;
    if (missingRules.has(violation.rule)) {
      expect(pointsInto(instance.value, parentOf(violation.path)), `parent of ${violation.path} exists`).toBe(true);
      expect(pointsInto(instance.value, violation.path), `${violation.path} is missing`).toBe(false);
    } else {
      expect(
        pointsInto(instance.value, violation.path),
        `${violation.path} (${violation.rule}) names a value of the input`,
      ).toBe(true);
    }
  }
}

/** Whether `value` is plain JSON data (what JSON.parse can return), so a pointer can be resolved in it. */
export function isPlainJson(value: unknown): boolean {
  if (value === null || typeof value === "string" || typeof value === "boolean") return true;
  if (typeof value === "number") return Number.isFinite(value);
  if (Array.isArray(value))
    return (
      Object.getPrototypeOf(value) === Array.prototype &&
      Object.keys(value).length === value.length &&
      value.every(isPlainJson)
    );
  if (typeof value !== "object") return false;
  const prototype = Object.getPrototypeOf(value) as unknown;
  return (prototype === Object.prototype || prototype === null) && Object.values(value).every(isPlainJson);
}

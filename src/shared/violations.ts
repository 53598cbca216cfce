/**
 * Turns ajv's errors into violations a person can act on: the JSON path of the field, the
 * rule it broke and what is allowed. Shared by request validation (client, simulator) and
 * callback parsing, so every rejection in the package reads the same.
 */
import type { ErrorObject } from "ajv";
import { allowedBySchemaPath } from "../../generated/validators.js";

export interface Violation {
  /** JSON Pointer of the offending field ("" is the whole body), e.g. `/devices/0/deviceIds/1/id`. */
  path: string;
  /** The JSON Schema keyword that failed: `required`, `pattern`, `enum`, `maxItems` … */
  rule: string;
  /** What is wrong and what is allowed, naming the field. */
  message: string;
  /** The allowed values, for `enum` and `const` rules. */
  allowed?: readonly unknown[];
}

// These only wrap the errors that say what is wrong: a bare "must match 'then' schema" never
// helps the reader, and a discriminator error ("tag kind must be in oneOf") always comes with
// the `enum` or `required` error on the tag itself, which lists the allowed values.
const wrapperKeywords = new Set(["if", "discriminator"]);

// A property name becomes one JSON Pointer token (RFC 6901): an unknown field named "a/b" must
// read "/a~1b", or the path would point at a field "b" inside "a".
const pointerToken = (name: unknown): string => String(name).replace(/~/g, "~0").replace(/\//g, "~1");

function pointerFor(error: ErrorObject): string {
  const params = error.params as Record<string, unknown>;
  if (error.keyword === "required" || error.keyword === "dependentRequired") {
    return `${error.instancePath}/${pointerToken(params.missingProperty)}`;
  }
  if (error.keyword === "additionalProperties") {
    return `${error.instancePath}/${pointerToken(params.additionalProperty)}`;
  }
  return error.instancePath;
}

function describe(error: ErrorObject, path: string): { message: string; allowed?: unknown[] } {
  const params = error.params as Record<string, unknown>;
  const field = path === "" ? "the body" : path;
  switch (error.keyword) {
    case "required":
      return { message: `${field} is required` };
    case "additionalProperties":
      return { message: `${field} is not a known field (check its spelling)` };
    case "enum": {
      const allowed = params.allowedValues as unknown[];
      return { message: `${field} must be one of ${allowed.map((v) => JSON.stringify(v)).join(", ")}`, allowed };
    }
    case "const": {
      const allowed = [params.allowedValue];
      return { message: `${field} must be ${JSON.stringify(params.allowedValue)}`, allowed };
    }
    // The spec says in words what each pattern and format allows (`x-allowed`); the rule
    // itself is only the fallback, for a validator compiled from some other schema.
    case "pattern": {
      const inWords = allowedBySchemaPath[error.schemaPath];
      return { message: inWords ? `${field} must be ${inWords}` : `${field} must match ${String(params.pattern)}` };
    }
    case "format": {
      const inWords = allowedBySchemaPath[error.schemaPath];
      return { message: `${field} must be ${inWords ?? `a valid ${String(params.format)}`}` };
    }
    case "maxItems":
      return { message: `${field} must have at most ${String(params.limit)} items` };
    case "minItems":
      return { message: `${field} must have at least ${String(params.limit)} item(s)` };
    case "maxLength":
      return { message: `${field} must be at most ${String(params.limit)} characters` };
    case "minLength":
      return { message: `${field} must be at least ${String(params.limit)} character(s)` };
    case "type":
      return { message: `${field} must be of type ${String(params.type)}` };
    case "anyOf":
      return { message: `${field} must satisfy one of the alternatives listed with it` };
    case "oneOf":
      return { message: `${field} must match exactly one of its variants` };
    case "not":
      return { message: `${field} combines fields that cannot be used together` };
    default:
      return { message: `${field} ${error.message ?? `breaks the ${error.keyword} rule`}` };
  }
}

/**
 * Converts ajv errors into violations, dropping wrappers that carry no information and repeats
 * of a message already given for the same field (an IP address that fails both its `format`
 * and its `pattern` reads "must be an IPv4 address …" once).
 */
export function toViolations(errors: readonly ErrorObject[] | null | undefined): Violation[] {
  const violations: Violation[] = [];
  const given = new Set<string>();
  for (const error of errors ?? []) {
    if (wrapperKeywords.has(error.keyword)) continue;
    const path = pointerFor(error);
    const { message, allowed } = describe(error, path);
    if (given.has(message)) continue;
    given.add(message);
    violations.push(allowed ? { path, rule: error.keyword, message, allowed } : { path, rule: error.keyword, message });
  }
  return violations;
}

/** One line per violation, for error messages. */
export function formatViolations(violations: readonly Violation[]): string {
  return violations.map((v) => `- ${v.message} [${v.rule}]`).join("\n");
}

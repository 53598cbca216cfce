/**
 * Reads an M2M request's JSON body and checks it with the spec's generated validator, answering
 * in ThingSpace's format when it is not acceptable. Count limits run first so that a request of
 * 201 devices gets ThingSpace's `INPUT_INVALID.NumberofDevices`, not a schema message.
 */
import type { ValidateFunction } from "ajv";
import { formatViolations, toViolations, type Violation } from "../validation/violations.js";
import { simulatorErrorCodes } from "./error-codes.js";
import { errorResponse } from "./error-response.js";

/** At most this many violations are listed in one error message. */
const listedViolations = 20;

/** A body that passed, or the error response to send. */
export type BodyOutcome<T> = { ok: true; body: T } | { ok: false; response: Response };

/** A check of the parsed body that runs before schema validation. */
export type BodyPrecheck = (body: unknown) => Response | undefined;

/** Answers `code` when `body[field]` is an array longer than `limit`. */
export function countLimit(field: string, limit: number, code: string, what: string): BodyPrecheck {
  return (body) => {
    const value = typeof body === "object" && body !== null ? (body as Record<string, unknown>)[field] : undefined;
    if (!Array.isArray(value) || value.length <= limit) return undefined;
    return errorResponse(code, `/${field} has ${value.length} devices; ${what} takes at most ${limit} per request.`);
  };
}

// ThingSpace has specific codes for identifiers; anything else gets its documented catch-all.
function codeFor(violations: readonly Violation[]): string {
  if (violations.some((v) => /\/deviceIds\/\d+\/kind$/.test(v.path))) return simulatorErrorCodes.deviceKindInvalid;
  if (violations.some((v) => /\/deviceIds\/\d+\/id$/.test(v.path))) return simulatorErrorCodes.deviceIdentifierInvalid;
  return simulatorErrorCodes.unexpectedError;
}

/** Parses and validates the body; never echoes its content (it may hold credentials). */
export async function readJsonBody<T>(
  request: Request,
  validate: ValidateFunction<T>,
  ...prechecks: BodyPrecheck[]
): Promise<BodyOutcome<T>> {
  const text = await request.text();
  if (text.trim() === "") {
    return { ok: false, response: errorResponse(simulatorErrorCodes.requestUndefined, "Request cannot be blank. Send a JSON body.") };
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return {
      ok: false,
      response: errorResponse(simulatorErrorCodes.unexpectedError, "The request body is not valid JSON (check quotes and commas)."),
    };
  }
  for (const precheck of prechecks) {
    const response = precheck(body);
    if (response) return { ok: false, response };
  }
  if (!validate(body)) {
    const violations = toViolations(validate.errors);
    const listed = formatViolations(violations.slice(0, listedViolations));
    const more = violations.length > listedViolations ? `\n… and ${violations.length - listedViolations} more` : "";
    return {
      ok: false,
      response: errorResponse(codeFor(violations), `The request body does not match the API:\n${listed}${more}`),
    };
  }
  return { ok: true, body };
}

import type { ValidateFunction } from "ajv";
import { toViolations } from "../../validation/violations.js";
import { ValidationError } from "../errors/validation-error.js";

/**
 * Checks a request body with its generated validator and throws a {@link ValidationError}
 * listing every violation, before anything is sent.
 */
export function validateRequest(operation: string, validate: ValidateFunction, body: unknown): void {
  if (!validate(body)) throw new ValidationError(operation, toViolations(validate.errors));
}

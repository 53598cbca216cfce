import { ThingSpaceError } from "./thing-space-error.js";
import { formatViolations, type Violation } from "../../validation/violations.js";

/**
 * A request body broke the spec's rules, so it was not sent. `violations` lists every problem
 * with its JSON path, the rule and the allowed values; the message has one line per violation.
 */
export class ValidationError extends ThingSpaceError {
  override name = "ValidationError";
  /** The operation whose body was refused, e.g. `activateDevices`. */
  readonly operation: string;
  readonly violations: readonly Violation[];

  constructor(operation: string, violations: readonly Violation[]) {
    const count = violations.length === 1 ? "1 violation" : `${violations.length} violations`;
    super(`Invalid ${operation} request (${count}); nothing was sent:\n${formatViolations(violations)}`);
    this.operation = operation;
    this.violations = violations;
  }

  protected override details(): Record<string, unknown> {
    return { operation: this.operation, violations: this.violations };
  }
}

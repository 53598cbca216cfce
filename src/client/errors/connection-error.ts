import { ThingSpaceError } from "./thing-space-error.js";

/**
 * The request never reached ThingSpace (connection refused, unknown host …), even after the
 * retries: nothing happened, so sending it again is safe.
 */
export class ConnectionError extends ThingSpaceError {
  override name = "ConnectionError";
  readonly operation: string;
  /** The platform's error code, e.g. `ECONNREFUSED`. */
  readonly code?: string;
  /** How many times the request was tried. */
  readonly attempts: number;

  constructor(fields: { operation: string; code?: string; attempts: number }, options?: { cause?: unknown }) {
    const code = fields.code ? ` (${fields.code})` : "";
    super(
      `Could not connect to ThingSpace for ${fields.operation}${code} after ${fields.attempts} attempt(s). ` +
        "The request never reached the server: it is safe to send again. Check the baseUrl option and the network.",
      options,
    );
    this.operation = fields.operation;
    if (fields.code !== undefined) this.code = fields.code;
    this.attempts = fields.attempts;
  }

  protected override details(): Record<string, unknown> {
    return { operation: this.operation, code: this.code, attempts: this.attempts };
  }
}

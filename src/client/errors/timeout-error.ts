import { OutcomeUnknownError } from "./outcome-unknown-error.js";

/**
 * No answer arrived within the client's `timeoutMs`. The request had been sent, so it is also
 * an {@link OutcomeUnknownError}: it may have taken effect and is never replayed automatically.
 */
export class TimeoutError extends OutcomeUnknownError {
  override name = "TimeoutError";
  readonly timeoutMs: number;

  constructor(fields: { operation: string; timeoutMs: number; howToCheck: string }) {
    super({ operation: fields.operation, reason: "timeout", howToCheck: fields.howToCheck });
    this.timeoutMs = fields.timeoutMs;
    this.message = `${fields.operation} got no answer within ${fields.timeoutMs} ms; it may have taken effect, so it was not sent again. ${fields.howToCheck}`;
  }

  protected override details(): Record<string, unknown> {
    return { ...super.details(), timeoutMs: this.timeoutMs };
  }
}

import { ThingSpaceError } from "./thing-space-error.js";
import { answerFields, summarizeAnswer } from "./answer-fields.js";
import type { ErrorClass } from "./parse-error-code.js";

/** Why the outcome is unknown. */
export type OutcomeUnknownReason = "timeout" | "server-error" | "connection-lost";

/** The context of an {@link OutcomeUnknownError}. */
export interface OutcomeUnknownFields {
  operation: string;
  reason: OutcomeUnknownReason;
  /** What to check before sending the call again. */
  howToCheck: string;
  status?: number;
  errorCode?: string;
  errorMessage?: string;
}

const reasons: Record<OutcomeUnknownReason, string> = {
  timeout: "got no answer in time",
  "server-error": "failed on ThingSpace's side",
  "connection-lost": "lost its connection",
};

/**
 * The request was sent but its outcome is unknown (no answer in time, a 5xx, a connection lost
 * mid-way): it may have taken effect. The SDK never replays such a call on its own; the message
 * and `howToCheck` say how to find out.
 */
export class OutcomeUnknownError extends ThingSpaceError {
  override name = "OutcomeUnknownError";
  readonly operation: string;
  readonly reason: OutcomeUnknownReason;
  readonly howToCheck: string;
  declare readonly status?: number;
  declare readonly errorCode?: string;
  declare readonly errorMessage?: string;
  declare readonly errorClass?: ErrorClass;
  declare readonly service?: string;

  constructor(fields: OutcomeUnknownFields, options?: { cause?: unknown }) {
    const answer = fields.status === undefined ? "" : ` (${summarizeAnswer({ status: fields.status, errorCode: fields.errorCode })})`;
    super(
      `${fields.operation} ${reasons[fields.reason]}${answer}; it may have taken effect, so it was not sent again. ${fields.howToCheck}`,
      options,
    );
    this.operation = fields.operation;
    this.reason = fields.reason;
    this.howToCheck = fields.howToCheck;
    Object.assign(this, answerFields(fields));
  }

  protected override details(): Record<string, unknown> {
    return { operation: this.operation, reason: this.reason, howToCheck: this.howToCheck, ...answerFields(this) };
  }
}

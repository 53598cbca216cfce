import { ThingSpaceError } from "./thing-space-error.js";
import { answerFields, summarizeAnswer } from "./answer-fields.js";
import type { ErrorClass } from "./parse-error-code.js";

/** What ThingSpace answered: the HTTP status and, when the body was `{errorCode, errorMessage}`, both. */
export interface ApiErrorFields {
  /** The call, e.g. `POST /api/m2m/v1/devices/actions/activate`. */
  operation: string;
  status: number;
  errorCode?: string;
  errorMessage?: string;
}

/**
 * ThingSpace refused the request (HTTP 4xx, or 503 once retries ran out): it did not take
 * effect. `errorClass` is parsed from `errorCode` even behind a service prefix
 * (`UnifiedWebService.REQUEST_FAILED.AccountNotFound` → `REQUEST_FAILED`).
 */
export class ThingSpaceApiError extends ThingSpaceError {
  override name = "ThingSpaceApiError";
  readonly operation: string;
  declare readonly status: number;
  declare readonly errorCode?: string;
  declare readonly errorMessage?: string;
  /** `INPUT_INVALID`, `REQUEST_FAILED`, `REQUEST_ONHOLD` or `REQUEST_CANCELLED`, when the code names one. */
  declare readonly errorClass?: ErrorClass;
  /** The service prefix of the code (`UnifiedWebService`), when there is one. */
  declare readonly service?: string;

  constructor(fields: ApiErrorFields, options?: { cause?: unknown }) {
    super(`ThingSpace refused ${fields.operation} with ${summarizeAnswer(fields)}.`, options);
    this.operation = fields.operation;
    Object.assign(this, answerFields(fields));
  }

  protected override details(): Record<string, unknown> {
    return { operation: this.operation, ...answerFields(this) };
  }
}

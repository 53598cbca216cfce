import { ThingSpaceError } from "./thing-space-error.js";
import { parseErrorCode, type ErrorClass } from "./parse-error-code.js";

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
  readonly status: number;
  readonly errorCode?: string;
  readonly errorMessage?: string;
  /** `INPUT_INVALID`, `REQUEST_FAILED`, `REQUEST_ONHOLD` or `REQUEST_CANCELLED`, when the code names one. */
  readonly errorClass?: ErrorClass;
  /** The service prefix of the code (`UnifiedWebService`), when there is one. */
  readonly service?: string;

  constructor(fields: ApiErrorFields, options?: { cause?: unknown }) {
    super(describeAnswer("ThingSpace refused", fields), options);
    this.operation = fields.operation;
    this.status = fields.status;
    if (fields.errorCode !== undefined) {
      this.errorCode = fields.errorCode;
      const parsed = parseErrorCode(fields.errorCode);
      if (parsed.errorClass) this.errorClass = parsed.errorClass;
      if (parsed.service) this.service = parsed.service;
    }
    if (fields.errorMessage !== undefined) this.errorMessage = fields.errorMessage;
  }

  protected override details(): Record<string, unknown> {
    return {
      operation: this.operation,
      status: this.status,
      errorCode: this.errorCode,
      errorMessage: this.errorMessage,
      errorClass: this.errorClass,
      service: this.service,
    };
  }
}

/** `ThingSpace refused POST /x with HTTP 400 REQUEST_FAILED.DeviceNotFound: "Device not found".` */
export function describeAnswer(lead: string, fields: ApiErrorFields): string {
  const code = fields.errorCode ? ` ${fields.errorCode}` : "";
  const text = fields.errorMessage ? `: ${JSON.stringify(fields.errorMessage)}` : "";
  return `${lead} ${fields.operation} with HTTP ${fields.status}${code}${text}.`;
}

import { ThingSpaceError } from "./thing-space-error.js";
import { answerFields } from "./answer-fields.js";
import type { ErrorClass } from "./parse-error-code.js";

/** Where authentication failed: the OAuth token, the M2M login, or a call whose tokens were refused. */
export type AuthenticationStage = "token" | "login" | "request";

/** The context of an {@link AuthenticationError}. */
export interface AuthenticationErrorFields {
  stage: AuthenticationStage;
  /** True when the client refuses to log in again until `resetAuthentication()` is called. */
  locked?: boolean;
  status?: number;
  errorCode?: string;
  errorMessage?: string;
}

/**
 * The client could not authenticate. After a failed login the client is `locked`: five failed
 * logins in a row lock the ThingSpace account, so it never logs in again on its own; fix the
 * credentials and call `client.resetAuthentication()`.
 */
export class AuthenticationError extends ThingSpaceError {
  override name = "AuthenticationError";
  readonly stage: AuthenticationStage;
  readonly locked: boolean;
  declare readonly status?: number;
  declare readonly errorCode?: string;
  declare readonly errorMessage?: string;
  declare readonly errorClass?: ErrorClass;
  declare readonly service?: string;

  constructor(message: string, fields: AuthenticationErrorFields, options?: { cause?: unknown }) {
    super(message, options);
    this.stage = fields.stage;
    this.locked = fields.locked ?? false;
    Object.assign(this, answerFields(fields));
  }

  protected override details(): Record<string, unknown> {
    return { stage: this.stage, locked: this.locked, ...answerFields(this) };
  }
}

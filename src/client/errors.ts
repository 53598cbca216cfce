/**
 * Every error the client throws: one base class, a few subclasses carrying what a caller acts
 * on (the operation, ThingSpace's status and code, the violations, what to check). Which one an
 * unsuccessful answer becomes is decided in `refusals.ts`. None of them ever holds a secret
 * (client secret, password, token, callback credential).
 */
import type { ValidateFunction } from "ajv";
import { formatViolations, toViolations, type Violation } from "../shared/violations.js";
import type { Operation } from "./operations.js";

/**
 * The one base class of every error the SDK throws, so `catch (e) { if (e instanceof
 * ThingSpaceError) … }` covers them all. Subclasses add the context a caller acts on.
 */
export class ThingSpaceError extends Error {
  override name = "ThingSpaceError";
  /** The spec's operationId of the call that failed (`activateDevices`), when the error concerns one call. */
  readonly operationId?: string;

  constructor(message: string, options?: { cause?: unknown; operationId?: string }) {
    super(message, options && "cause" in options ? { cause: options.cause } : undefined);
    if (options?.operationId !== undefined) this.operationId = options.operationId;
  }

  /**
   * What `JSON.stringify(error)` writes: the name, the message, the subclass's own fields and
   * the cause's name and message only (a cause may be a platform error with arbitrary fields).
   */
  toJSON(): Record<string, unknown> {
    const json: Record<string, unknown> = { name: this.name, message: this.message };
    if (this.operationId !== undefined) json.operationId = this.operationId;
    Object.assign(json, this.details());
    if (this.cause instanceof Error) json.cause = { name: this.cause.name, message: this.cause.message };
    return json;
  }

  /** The fields a subclass adds to its JSON form. */
  protected details(): Record<string, unknown> {
    return {};
  }
}

/** The classes ThingSpace files its error codes under. */
export const errorClasses = ["INPUT_INVALID", "REQUEST_FAILED", "REQUEST_ONHOLD", "REQUEST_CANCELLED"] as const;

/** One of {@link errorClasses}. */
export type ErrorClass = (typeof errorClasses)[number];

/** The parts of an error code; `errorClass` is undefined when the code names none of the classes. */
export interface ParsedErrorCode {
  /** The service prefix, e.g. `UnifiedWebService`, when there is one. */
  service?: string;
  errorClass?: ErrorClass;
  /** What follows the class, e.g. `SessionToken.Expired`. */
  detail: string;
}

/**
 * Splits ThingSpace's `errorCode` into service, class and detail. Codes are `CLASS.Detail`,
 * sometimes behind a service prefix (`UnifiedWebService.REQUEST_FAILED.AccountNotFound`), so
 * the class is found by name rather than by position.
 */
export function parseErrorCode(code: string): ParsedErrorCode {
  const parts = code.split(".");
  const index = parts.findIndex((part) => (errorClasses as readonly string[]).includes(part));
  if (index === -1) return { detail: code };
  const parsed: ParsedErrorCode = { errorClass: parts[index] as ErrorClass, detail: parts.slice(index + 1).join(".") };
  if (index > 0) parsed.service = parts.slice(0, index).join(".");
  return parsed;
}

/** What ThingSpace's answer said: the status and, when the body carried them, its code and message. */
export interface Answer {
  status?: number;
  errorCode?: string;
  errorMessage?: string;
  /** OAuth's `error_uri`: a page about the error. */
  errorUri?: string;
}

/** The fields of an answer, with the code's class and service parsed; absent ones left out. */
function answerFields(answer: Answer): Answer & { errorClass?: ErrorClass; service?: string } {
  const parsed = answer.errorCode === undefined ? undefined : parseErrorCode(answer.errorCode);
  const fields: Answer & { errorClass?: ErrorClass; service?: string } = {};
  if (answer.status !== undefined) fields.status = answer.status;
  if (answer.errorCode !== undefined) fields.errorCode = answer.errorCode;
  if (answer.errorMessage !== undefined) fields.errorMessage = answer.errorMessage;
  if (answer.errorUri !== undefined) fields.errorUri = answer.errorUri;
  if (parsed?.errorClass !== undefined) fields.errorClass = parsed.errorClass;
  if (parsed?.service !== undefined) fields.service = parsed.service;
  return fields;
}

/** `HTTP 400 REQUEST_FAILED.DeviceNotFound: "Device not found"`, for messages. */
export function summarizeAnswer(answer: Answer & { status: number }): string {
  const code = answer.errorCode ? ` ${answer.errorCode}` : "";
  const text = answer.errorMessage ? `: ${JSON.stringify(answer.errorMessage)}` : "";
  return `HTTP ${answer.status}${code}${text}`;
}

/**
 * An error that carries what ThingSpace answered, when it answered: the status, its code with
 * the code's class and service prefix parsed, and its message.
 */
export abstract class ErrorWithAnswer extends ThingSpaceError {
  declare readonly status?: number;
  declare readonly errorCode?: string;
  declare readonly errorMessage?: string;
  /** The address of a page about the error, when the OAuth server gave one (`error_uri`). */
  declare readonly errorUri?: string;
  /** `INPUT_INVALID`, `REQUEST_FAILED`, `REQUEST_ONHOLD` or `REQUEST_CANCELLED`, when the code names one. */
  declare readonly errorClass?: ErrorClass;
  /** The service prefix of the code (`UnifiedWebService`), when there is one. */
  declare readonly service?: string;

  constructor(message: string, answer: Answer & { operationId?: string }, options?: { cause?: unknown }) {
    super(message, { ...options, operationId: answer.operationId });
    Object.assign(this, answerFields(answer));
  }

  protected override details(): Record<string, unknown> {
    return { ...answerFields(this) };
  }
}

/** What ThingSpace answered: the HTTP status and, when the body was `{errorCode, errorMessage}`, both. */
export interface ApiErrorFields {
  /** The call, e.g. `POST /api/m2m/v1/devices/actions/activate`. */
  operation: string;
  operationId?: string;
  status: number;
  errorCode?: string;
  errorMessage?: string;
}

/**
 * ThingSpace refused the request (HTTP 4xx, or 503 once retries ran out): it did not take
 * effect. `errorClass` is parsed from `errorCode` even behind a service prefix
 * (`UnifiedWebService.REQUEST_FAILED.AccountNotFound` → `REQUEST_FAILED`).
 */
export class ThingSpaceApiError extends ErrorWithAnswer {
  override name = "ThingSpaceApiError";
  readonly operation: string;
  declare readonly status: number;

  constructor(fields: ApiErrorFields, options?: { cause?: unknown }) {
    super(`ThingSpace refused ${fields.operation} with ${summarizeAnswer(fields)}.`, fields, options);
    this.operation = fields.operation;
  }

  protected override details(): Record<string, unknown> {
    return { operation: this.operation, ...super.details() };
  }
}

/**
 * Which request of a call failed: the OAuth token request, the M2M login, or the call itself
 * (for an {@link AuthenticationError} of stage `request`, a call whose tokens were refused).
 */
export type RequestStage = "token" | "login" | "request";

/** Where authentication failed: the OAuth token, the M2M login, or a call whose tokens were refused. */
export type AuthenticationStage = RequestStage;

/** The context of an {@link AuthenticationError}. */
export interface AuthenticationErrorFields extends Answer {
  stage: AuthenticationStage;
  /**
   * True when the client refuses to log in again until `client.resetAuthentication()` is
   * called: the client's own safeguard after a failed login, not ThingSpace's lock-out.
   */
  resetRequired?: boolean;
  /** True when ThingSpace answered that the user is locked (`UserLocked`): only support unlocks it. */
  userLocked?: boolean;
  /** The call whose tokens were refused (stage `request`). */
  operationId?: string;
}

/**
 * The client could not authenticate. Two different things can stop logins, with a field each:
 * - `resetRequired`: the client's own safeguard. After a failed login it never logs in again on
 *   its own (five failed logins in a row lock the ThingSpace user), until
 *   `client.resetAuthentication()` is called once the credentials are fixed.
 * - `userLocked`: ThingSpace said the user is locked (`UserLocked`); support must unlock it.
 */
export class AuthenticationError extends ErrorWithAnswer {
  override name = "AuthenticationError";
  readonly stage: AuthenticationStage;
  readonly resetRequired: boolean;
  readonly userLocked: boolean;

  constructor(message: string, fields: AuthenticationErrorFields, options?: { cause?: unknown }) {
    super(message, fields, options);
    this.stage = fields.stage;
    this.resetRequired = fields.resetRequired ?? false;
    this.userLocked = fields.userLocked ?? false;
  }

  protected override details(): Record<string, unknown> {
    return { stage: this.stage, resetRequired: this.resetRequired, userLocked: this.userLocked, ...super.details() };
  }
}

/** Why the outcome is unknown. */
export type OutcomeUnknownReason = "timeout" | "server-error" | "connection-lost";

/**
 * What a call whose outcome is unknown acted on: enough for `client.checkOutcome(error)` to look
 * its devices up, and nothing else of its body (identifiers, account and target state are no
 * secrets).
 */
export interface CallTarget {
  /** The devices the call listed, each with the identifiers it gave (none for an activate by group or a goToState by filter). */
  readonly devices: readonly { readonly deviceIds: readonly { readonly kind: string; readonly id: string }[] }[];
  /** The account the body named, if it named one. */
  readonly accountName?: string;
  /** The customer-defined state a goToState moves its devices to. */
  readonly stateName?: string;
}

/** The context of an {@link OutcomeUnknownError}. */
export interface OutcomeUnknownFields extends Answer {
  operation: string;
  operationId?: string;
  reason: OutcomeUnknownReason;
  /** What to check before sending the call again. */
  howToCheck: string;
  /** What the call acted on, for the calls that change devices. */
  target?: CallTarget;
  /** False for a call that changes nothing (a read, the token request): the message then says only that it was not sent again. */
  canTakeEffect?: boolean;
}

const notSentAgain = (canTakeEffect: boolean | undefined): string =>
  canTakeEffect === false ? "it was not sent again." : "it may have taken effect, so it was not sent again.";

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
export class OutcomeUnknownError extends ErrorWithAnswer {
  override name = "OutcomeUnknownError";
  readonly operation: string;
  readonly reason: OutcomeUnknownReason;
  readonly howToCheck: string;
  /** The devices (and account, and target state) of the call, for `client.checkOutcome(error)`; set for add, activate and goToState. */
  readonly target?: CallTarget;

  constructor(fields: OutcomeUnknownFields, options?: { cause?: unknown }) {
    const answer =
      fields.status === undefined
        ? ""
        : ` (${summarizeAnswer({ status: fields.status, errorCode: fields.errorCode })})`;
    super(
      `${fields.operation} ${reasons[fields.reason]}${answer}; ${notSentAgain(fields.canTakeEffect)} ${fields.howToCheck}`,
      fields,
      options,
    );
    this.operation = fields.operation;
    this.reason = fields.reason;
    this.howToCheck = fields.howToCheck;
    if (fields.target !== undefined) this.target = fields.target;
  }

  protected override details(): Record<string, unknown> {
    const details: Record<string, unknown> = {
      operation: this.operation,
      reason: this.reason,
      howToCheck: this.howToCheck,
      ...super.details(),
    };
    // A log line gets the count, not up to 10,000 devices' identifiers.
    if (this.target !== undefined) {
      const { devices, ...rest } = this.target;
      details.target = { ...rest, deviceCount: devices.length };
    }
    return details;
  }
}

/**
 * No answer arrived within the client's `timeoutMs`. The request had been sent, so it is also
 * an {@link OutcomeUnknownError}: it may have taken effect and is never replayed automatically.
 */
export class TimeoutError extends OutcomeUnknownError {
  override name = "TimeoutError";
  readonly timeoutMs: number;

  constructor(
    fields: Pick<OutcomeUnknownFields, "operation" | "operationId" | "howToCheck" | "target" | "canTakeEffect"> & {
      timeoutMs: number;
    },
  ) {
    const { timeoutMs, ...call } = fields;
    super({ ...call, reason: "timeout" });
    this.timeoutMs = timeoutMs;
    const waited = `got no answer within ${fields.timeoutMs} ms`;
    this.message = `${fields.operation} ${waited}; ${notSentAgain(fields.canTakeEffect)} ${fields.howToCheck}`;
  }

  protected override details(): Record<string, unknown> {
    return { ...super.details(), timeoutMs: this.timeoutMs };
  }
}

/** How a {@link ConnectionError} names the request that could not be sent. */
const stageRequests: Record<RequestStage, string> = {
  token: "the OAuth token request",
  login: "the M2M login",
  request: "the call",
};

/**
 * The request never reached ThingSpace (connection refused, unknown host …), even after the
 * retries: nothing happened, so sending the call again is safe. `stage` says which request could
 * not be sent: the OAuth token request, the login, or the call itself.
 */
export class ConnectionError extends ThingSpaceError {
  override name = "ConnectionError";
  readonly operation: string;
  /** The request that could not be sent: `token`, `login` or `request` (the call itself). */
  readonly stage: RequestStage;
  /** The platform's error code, e.g. `ECONNREFUSED`. */
  readonly code?: string;
  /** How many times the request was tried. */
  readonly attempts: number;

  constructor(
    fields: { operation: string; operationId?: string; stage?: RequestStage; code?: string; attempts: number },
    options?: { cause?: unknown },
  ) {
    const stage = fields.stage ?? "request";
    const code = fields.code ? `, ${fields.code}` : "";
    const attempts = fields.attempts === 1 ? "1 attempt" : `${fields.attempts} attempts`;
    super(
      `Could not connect to ThingSpace for ${stageRequests[stage]} (${fields.operation}${code}) after ${attempts}. ` +
        "It never reached ThingSpace: it is safe to send again. Check the baseUrl option and the network.",
      { ...options, operationId: fields.operationId },
    );
    this.operation = fields.operation;
    this.stage = stage;
    if (fields.code !== undefined) this.code = fields.code;
    this.attempts = fields.attempts;
  }

  protected override details(): Record<string, unknown> {
    return { operation: this.operation, stage: this.stage, code: this.code, attempts: this.attempts };
  }
}

/**
 * The client's configuration is missing or wrong (e.g. environment variables read by
 * `clientOptionsFromEnv`): nothing was sent. `problems` has one line per problem, naming the
 * variable and what it must be; every problem is reported at once.
 */
export class ConfigurationError extends ThingSpaceError {
  override name = "ConfigurationError";
  /** One line per problem, e.g. `THINGSPACE_PASSWORD is not set: the M2M user's password`. */
  readonly problems: readonly string[];

  constructor(what: string, problems: readonly string[]) {
    const count = problems.length === 1 ? "1 problem" : `${problems.length} problems`;
    super(`${what} (${count}):\n${problems.map((problem) => `- ${problem}`).join("\n")}`);
    this.problems = problems;
  }

  protected override details(): Record<string, unknown> {
    return { problems: this.problems };
  }
}

/**
 * A request body broke the spec's rules, so it was not sent. `violations` lists every problem
 * with its JSON path, the rule and the allowed values; the message has one line per violation.
 */
export class ValidationError extends ThingSpaceError {
  override name = "ValidationError";
  /** The operation whose body was refused, e.g. `activateDevices` (its operationId). */
  readonly operation: string;
  readonly violations: readonly Violation[];

  constructor(operation: string, violations: readonly Violation[]) {
    const count = violations.length === 1 ? "1 violation" : `${violations.length} violations`;
    super(`Invalid ${operation} request (${count}); nothing was sent:\n${formatViolations(violations)}`, {
      operationId: operation,
    });
    this.operation = operation;
    this.violations = violations;
  }

  protected override details(): Record<string, unknown> {
    return { operation: this.operation, violations: this.violations };
  }
}

/**
 * Checks a request body with its generated validator and throws a {@link ValidationError}
 * listing every violation, before anything is sent.
 */
export function assertValidBody(operation: Operation, validate: ValidateFunction, body: unknown): void {
  if (!validate(body)) throw new ValidationError(operation.operationId, toViolations(validate.errors));
}

/**
 * How messages name a call: its method and the path it was sent to (account name included), or
 * the spec's path when the URL is unknown (a fetch stub's `Response` may have none).
 */
export function callName(operation: Operation, url: string): string {
  return `${operation.method} ${url ? new URL(url).pathname : operation.schemaPath}`;
}

/**
 * Reading ThingSpace's refusals: what an unsuccessful answer's body says (ThingSpace's
 * `{errorCode, errorMessage}`, OAuth's `{error, error_description}`, plain text), scrubbed of
 * the client's secrets, and which error of `errors.ts` it becomes, with the advice its message
 * gives (check the credentials, wait for support to unlock the user, reset authentication).
 * Kept apart from the error classes: they are what a caller catches, this is how the client
 * decides which one to throw.
 */
import {
  AuthenticationError,
  OutcomeUnknownError,
  ThingSpaceApiError,
  callName,
  parseErrorCode,
  summarizeAnswer,
  type Answer,
  type ThingSpaceError,
} from "./errors.js";
import type { SecretRedactor } from "./log.js";
import type { Operation } from "./operations.js";

/** True for the codes that mean the M2M session token is expired, malformed or unknown. */
export function isSessionTokenCode(code: string | undefined): boolean {
  return code !== undefined && parseErrorCode(code).detail.startsWith("SessionToken.");
}

/**
 * Reads whatever error body an answer carried: ThingSpace's `{errorCode, errorMessage}`, an
 * OAuth `{error, error_description, error_uri}`, or plain text. Anything else gives no field.
 */
export function readErrorBody(body: unknown): { errorCode?: string; errorMessage?: string; errorUri?: string } {
  if (typeof body === "string") {
    const text = body.trim();
    return text ? { errorMessage: text } : {};
  }
  if (!body || typeof body !== "object") return {};
  const record = body as Record<string, unknown>;
  const code = record.errorCode ?? record.error;
  const message = record.errorMessage ?? record.error_description;
  const result: { errorCode?: string; errorMessage?: string; errorUri?: string } = {};
  if (typeof code === "string") result.errorCode = code;
  if (typeof message === "string") result.errorMessage = message;
  if (typeof record.error_uri === "string") result.errorUri = record.error_uri;
  return result;
}

const maxMessageLength = 500;

/**
 * An unsuccessful answer's status and error fields, scrubbed of the client's secrets (a server
 * may echo one in either field) and only then shortened, so no part of a secret survives a cut.
 */
export function readRefusal(status: number, body: unknown, redactor: SecretRedactor): Answer & { status: number } {
  const { errorCode, errorMessage, errorUri } = readErrorBody(body);
  const message = redactor.redactOptional(errorMessage);
  const uri = redactor.redactOptional(errorUri);
  return {
    status,
    errorCode: redactor.redactOptional(errorCode),
    errorMessage:
      message !== undefined && message.length > maxMessageLength ? `${message.slice(0, maxMessageLength)}…` : message,
    ...(uri === undefined
      ? {}
      : { errorUri: uri.length > maxMessageLength ? `${uri.slice(0, maxMessageLength)}…` : uri }),
  };
}

/**
 * True for ThingSpace's answer that the M2M user is locked (`…UserLocked`, behind any prefix):
 * five failed logins in a row lock it until support unlocks it.
 */
export function isUserLockedCode(code: string | undefined): boolean {
  return code !== undefined && /(^|\.)UserLocked$/i.test(code);
}

// Why the client stops logging in after a failure, in every message that says so.
const noMoreLogins =
  "the client does not log in again until you call client.resetAuthentication(), " +
  "since five failed logins in a row lock the ThingSpace user.";

const refusedLoginAdvice = `Check the username and password options; ${noMoreLogins}`;

const userLockedAdvice =
  "ThingSpace has locked this user (after failed logins): contact Verizon ThingSpace support to unlock it, " +
  "then call client.resetAuthentication(). Until then the client does not log in again.";

// A login whose answer never came may still have counted as a failure, but it says nothing
// about the credentials.
const unansweredLoginAdvice =
  "It may have counted as a failed login, so the client does not log in again on its own " +
  "(five failed logins in a row lock the ThingSpace user): once ThingSpace answers again, call client.resetAuthentication().";

/**
 * The typed error for an unsuccessful answer (after the transport's retries and its one replay
 * after a refused token), `body` being the answer as openapi-fetch parsed it and `sent` the
 * request body the call site sent (what an outcome-unknown error says the call acted on):
 * - to the token request or the login → {@link AuthenticationError} of that stage (after a
 *   refused login the client needs `resetAuthentication()`; `userLocked` when ThingSpace says so);
 * - a refused token (401, `SessionToken.*`) → {@link AuthenticationError} of stage `request`;
 * - a 5xx other than 503 on a call that can take effect → {@link OutcomeUnknownError};
 * - anything else → {@link ThingSpaceApiError}.
 */
export function errorFromResponse(
  operation: Operation,
  response: Response,
  body: unknown,
  redactor: SecretRedactor,
  sent?: unknown,
): ThingSpaceError {
  const refusal = readRefusal(response.status, body, redactor);
  if (operation.authStage === "token") {
    // A 429 or 5xx says nothing about the credentials: the next call simply asks again.
    const advice =
      response.status === 429 || response.status >= 500
        ? "ThingSpace's OAuth server is unavailable or busy; the next call asks for a token again."
        : "Check the clientId and clientSecret options (the application's key and secret).";
    const more = refusal.errorUri === undefined ? "" : ` More: ${refusal.errorUri}`;
    return new AuthenticationError(
      `ThingSpace refused the OAuth token request with ${summarizeAnswer(refusal)}. ${advice}${more}`,
      {
        stage: "token",
        ...refusal,
      },
    );
  }
  if (operation.authStage === "login") {
    const userLocked = isUserLockedCode(refusal.errorCode);
    const advice = userLocked ? userLockedAdvice : refusedLoginAdvice;
    return new AuthenticationError(`ThingSpace refused the M2M login with ${summarizeAnswer(refusal)}. ${advice}`, {
      stage: "login",
      resetRequired: true,
      userLocked,
      ...refusal,
    });
  }
  const fields = { operation: callName(operation, response.url), operationId: operation.operationId, ...refusal };
  if (response.status === 401 || isSessionTokenCode(fields.errorCode)) {
    return new AuthenticationError(
      `ThingSpace refused the tokens of ${fields.operation} with ${summarizeAnswer(fields)}. ` +
        "A new token was already tried once; check the credentials.",
      { stage: "request", ...fields },
    );
  }
  if (response.status >= 500 && response.status !== 503 && operation.canTakeEffect) {
    return new OutcomeUnknownError({
      ...fields,
      reason: "server-error",
      howToCheck: operation.howToCheck,
      target: operation.targetOf?.(sent),
    });
  }
  return new ThingSpaceApiError(fields);
}

/**
 * The error for a token request or a login that was sent but got no answer (a timeout, a
 * connection lost mid-way; a connection never made is a {@link ConnectionError} of its stage).
 * A login without an answer may have counted towards the lock-out, so the client needs a reset.
 */
export function unansweredAuthentication(
  operation: Operation,
  error: unknown,
  redactor: SecretRedactor,
): AuthenticationError {
  const reason = redactor.redact((error as Error).message);
  if (operation.authStage === "token") {
    return new AuthenticationError(
      `Could not get an OAuth access token: ${reason}`,
      { stage: "token" },
      { cause: error },
    );
  }
  return new AuthenticationError(
    `The M2M login got no answer: ${reason} ${unansweredLoginAdvice}`,
    { stage: "login", resetRequired: true },
    { cause: error },
  );
}

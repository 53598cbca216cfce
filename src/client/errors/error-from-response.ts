import type { SecretRedactor } from "../secret-redactor.js";
import { AuthenticationError } from "./authentication-error.js";
import { readRefusal } from "./error-body.js";
import { howToCheck } from "./how-to-check.js";
import { OutcomeUnknownError } from "./outcome-unknown-error.js";
import { isSessionTokenCode } from "./parse-error-code.js";
import { ThingSpaceApiError } from "./thing-space-api-error.js";
import { summarizeAnswer } from "./answer-fields.js";
import type { ThingSpaceError } from "./thing-space-error.js";

/**
 * The typed error for an unsuccessful answer (after the auth middleware's one replay and the
 * transport's retries):
 * - a refused token (401, `SessionToken.*`) → {@link AuthenticationError};
 * - a 5xx other than 503 on a call that changes something → {@link OutcomeUnknownError};
 * - anything else → {@link ThingSpaceApiError}.
 */
export function errorFromResponse(
  answer: { method: string; schemaPath: string; response: Response; body: unknown },
  redactor: SecretRedactor,
): ThingSpaceError {
  const { method, response, body } = answer;
  // The URL names the real path (account name included); a fetch stub's Response may have none.
  const pathname = response.url ? new URL(response.url).pathname : answer.schemaPath;
  const operation = `${method} ${pathname}`;
  const fields = { operation, ...readRefusal(response.status, body, redactor) };
  if (response.status === 401 || isSessionTokenCode(fields.errorCode)) {
    return new AuthenticationError(
      `ThingSpace refused the tokens of ${operation} with ${summarizeAnswer(fields)}. A new token was already tried once; check the credentials.`,
      { stage: "request", ...fields },
    );
  }
  if (response.status >= 500 && response.status !== 503 && method !== "GET") {
    return new OutcomeUnknownError({ ...fields, reason: "server-error", howToCheck: howToCheck(method, pathname) });
  }
  return new ThingSpaceApiError(fields);
}

/**
 * Reads whatever error body an answer carried: ThingSpace's `{errorCode, errorMessage}`, an
 * OAuth `{error, error_description}`, or plain text. Anything else gives neither field.
 */
export function readErrorBody(body: unknown): { errorCode?: string; errorMessage?: string } {
  if (typeof body === "string") {
    const text = body.trim();
    return text ? { errorMessage: text } : {};
  }
  if (!body || typeof body !== "object") return {};
  const record = body as Record<string, unknown>;
  const code = record.errorCode ?? record.error;
  const message = record.errorMessage ?? record.error_description;
  const result: { errorCode?: string; errorMessage?: string } = {};
  if (typeof code === "string") result.errorCode = code;
  if (typeof message === "string") result.errorMessage = message;
  return result;
}

const maxMessageLength = 500;

/**
 * An unsuccessful answer's status and error fields, scrubbed of the client's secrets (a server
 * may echo one in either field) and only then shortened, so no part of a secret survives a cut.
 */
export function readRefusal(
  status: number,
  body: unknown,
  redactor: { redactOptional(text: string | undefined): string | undefined },
): { status: number; errorCode?: string; errorMessage?: string } {
  const { errorCode, errorMessage } = readErrorBody(body);
  const message = redactor.redactOptional(errorMessage);
  return {
    status,
    errorCode: redactor.redactOptional(errorCode),
    errorMessage: message !== undefined && message.length > maxMessageLength ? `${message.slice(0, maxMessageLength)}…` : message,
  };
}

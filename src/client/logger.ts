import type { SecretRedactor } from "./secret-redactor.js";

/** Where the client reports what it does. `console` fits; every method is optional. */
export interface ThingSpaceLogger {
  debug?(message: string, details?: Record<string, unknown>): void;
  info?(message: string, details?: Record<string, unknown>): void;
  warn?(message: string, details?: Record<string, unknown>): void;
  error?(message: string, details?: Record<string, unknown>): void;
}

/** The logger the client uses internally: every level present, every line scrubbed of secrets. */
export type SafeLogger = Required<ThingSpaceLogger>;

/**
 * Wraps the user's logger so that no line carries a secret: details are only ever counts, codes
 * and paths, and the whole line is passed through the redactor anyway.
 */
export function createSafeLogger(logger: ThingSpaceLogger | undefined, redactor: SecretRedactor): SafeLogger {
  const level =
    (name: keyof ThingSpaceLogger) =>
    (message: string, details?: Record<string, unknown>): void => {
      const write = logger?.[name];
      if (!write) return;
      const safeMessage = redactor.redact(message);
      if (details === undefined) write.call(logger, safeMessage);
      else write.call(logger, safeMessage, redactValue(details, redactor) as Record<string, unknown>);
    };
  return { debug: level("debug"), info: level("info"), warn: level("warn"), error: level("error") };
}

// Scrubs every string inside a value (on the values themselves: a secret with a quote would
// no longer match once escaped in JSON).
function redactValue(value: unknown, redactor: SecretRedactor): unknown {
  if (typeof value === "string") return redactor.redact(value);
  if (Array.isArray(value)) return value.map((item) => redactValue(item, redactor));
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, redactValue(item, redactor)]));
  }
  return value;
}

/**
 * What leaves the client as text: the user's logger, wrapped so that no line carries a secret,
 * and the redactor that scrubs the client's secrets from log lines and from error messages built
 * from ThingSpace's answers.
 */

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
 * Scrubs the client's secrets out of any text that leaves it (log lines, error messages built
 * from ThingSpace's answers). Errors never store secrets in the first place; this is the second
 * line of defence against a server that echoes a token or a password back in an error message.
 */
export class SecretRedactor {
  readonly #secrets: string[] = [];

  /** How many secrets are remembered: tokens change every hour, old ones matter less. */
  static readonly capacity = 32;

  /** Remembers a secret (values shorter than 4 characters are too common to scrub safely). */
  add(...secrets: (string | undefined)[]): void {
    for (const secret of secrets) {
      if (!secret || secret.length < 4 || this.#secrets.includes(secret)) continue;
      this.#secrets.push(secret);
      if (this.#secrets.length > SecretRedactor.capacity) this.#secrets.shift();
    }
  }

  /** The text with every remembered secret replaced by `[redacted]`. */
  redact(text: string): string {
    let result = text;
    // Longest first, so a secret that contains another is scrubbed whole.
    for (const secret of [...this.#secrets].sort((a, b) => b.length - a.length)) {
      result = result.split(secret).join("[redacted]");
    }
    return result;
  }

  /** `redact` for optional text. */
  redactOptional(text: string | undefined): string | undefined {
    return text === undefined ? undefined : this.redact(text);
  }
}

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

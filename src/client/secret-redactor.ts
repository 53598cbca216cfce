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

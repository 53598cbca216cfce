/**
 * The one base class of every error the SDK throws, so `catch (e) { if (e instanceof
 * ThingSpaceError) … }` covers them all. Subclasses add the context a caller acts on; none of
 * them ever holds a secret (client secret, password, token, callback credential).
 */
export class ThingSpaceError extends Error {
  override name = "ThingSpaceError";

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }

  /**
   * What `JSON.stringify(error)` writes: the name, the message, the subclass's own fields and
   * the cause's name and message only (a cause may be a platform error with arbitrary fields).
   */
  toJSON(): Record<string, unknown> {
    const json: Record<string, unknown> = { name: this.name, message: this.message, ...this.details() };
    if (this.cause instanceof Error) json.cause = { name: this.cause.name, message: this.cause.message };
    return json;
  }

  /** The fields a subclass adds to its JSON form. */
  protected details(): Record<string, unknown> {
    return {};
  }
}

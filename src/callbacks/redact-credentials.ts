/**
 * A copy of a callback body without its credentials, for hooks and logs: the body carries the
 * registered `username` and `password` in clear.
 */

/** The body with `username` and `password` (when present) replaced by "[redacted]". */
export function redactCredentials(body: unknown): unknown {
  if (typeof body !== "object" || body === null || Array.isArray(body)) return body;
  const copy: Record<string, unknown> = { ...body };
  for (const name of ["username", "password"]) if (name in copy) copy[name] = "[redacted]";
  return copy;
}

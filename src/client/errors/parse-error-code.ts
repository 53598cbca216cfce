/**
 * Splits ThingSpace's `errorCode` into its parts. Codes are `CLASS.Detail`, sometimes behind a
 * service prefix (`UnifiedWebService.REQUEST_FAILED.AccountNotFound`), so the class is found by
 * name rather than by position.
 */

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

/** Parses `UnifiedWebService.REQUEST_FAILED.AccountNotFound` into service, class and detail. */
export function parseErrorCode(code: string): ParsedErrorCode {
  const parts = code.split(".");
  const index = parts.findIndex((part) => (errorClasses as readonly string[]).includes(part));
  if (index === -1) return { detail: code };
  const parsed: ParsedErrorCode = { errorClass: parts[index] as ErrorClass, detail: parts.slice(index + 1).join(".") };
  if (index > 0) parsed.service = parts.slice(0, index).join(".");
  return parsed;
}

/** True for the codes that mean the M2M session token is expired, malformed or unknown. */
export function isSessionTokenCode(code: string | undefined): boolean {
  return code !== undefined && parseErrorCode(code).detail.startsWith("SessionToken.");
}

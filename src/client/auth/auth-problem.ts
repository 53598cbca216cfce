import { isSessionTokenCode } from "../errors/parse-error-code.js";
import { readErrorBody } from "../errors/error-body.js";

/**
 * Which token ThingSpace refused, if any: `session` for a `SessionToken.*` code (expired,
 * malformed or unknown session), `bearer` for any other 401. Reads a copy of the body, so the
 * caller still gets the original.
 */
export async function authProblemOf(response: Response): Promise<"session" | "bearer" | undefined> {
  if (response.status !== 400 && response.status !== 401) return undefined;
  let body: unknown;
  try {
    body = JSON.parse(await response.clone().text());
  } catch {
    body = undefined;
  }
  if (isSessionTokenCode(readErrorBody(body).errorCode)) return "session";
  return response.status === 401 ? "bearer" : undefined;
}

/**
 * The two tokens every M2M call carries: the OAuth bearer token (401 when missing or not valid)
 * and the `VZ-M2M-Token` session token (ThingSpace's `SessionToken` codes, HTTP 400).
 */
import { simulatorErrorCodes } from "./error-codes.js";
import { errorResponse } from "./error-response.js";
import type { SimulatorContext } from "./simulator-context.js";

/** The error response when the bearer token is missing or not valid, else undefined. */
export function checkBearer(request: Request, context: SimulatorContext): Response | undefined {
  const header = request.headers.get("authorization");
  const token = header?.match(/^Bearer\s+(\S+)\s*$/i)?.[1];
  if (!token) {
    return errorResponse(
      simulatorErrorCodes.accessTokenMissing,
      "Missing Credentials: send Authorization: Bearer <access token from /ts/v1/oauth2/token>.",
      401,
    );
  }
  if (!context.tokens.isValid(token)) {
    return errorResponse(
      simulatorErrorCodes.accessTokenInvalid,
      "Invalid Credentials: the access token is unknown, revoked or expired; get a new one.",
      401,
    );
  }
  return undefined;
}

/** The session token of the request, if any. */
export function sessionTokenOf(request: Request): string | undefined {
  return request.headers.get("vz-m2m-token")?.trim() || undefined;
}

/** The error response when the session token is missing, unknown or expired, else undefined. */
export function checkSession(request: Request, context: SimulatorContext): Response | undefined {
  const token = sessionTokenOf(request);
  if (!token) {
    return errorResponse(
      simulatorErrorCodes.sessionTokenInvalid,
      "Missing session token: send VZ-M2M-Token with the sessionToken from /session/login.",
    );
  }
  let valid = context.sessions.touch(token);
  // An injected expiry counts only calls that would otherwise have passed.
  if (valid && context.faults.sessionCallExpires()) {
    context.sessions.expireAll();
    valid = false;
  }
  if (!valid) {
    return errorResponse(simulatorErrorCodes.sessionTokenExpired, "Session token expired. Log in again and resend the request.");
  }
  return undefined;
}

/**
 * The two tokens every M2M call carries, issued and checked. The OAuth server issues the bearer
 * token (`POST /ts/v1/oauth2/token`: client credentials in HTTP Basic, form body
 * `grant_type=client_credentials`) and revokes it (`POST /ts/v1/oauth2/revoke`, form body
 * `token=…`); `POST /m2m/v1/session/login` and `/logout` start and end the `VZ-M2M-Token`
 * session. A missing or invalid bearer token is answered 401, a session token with
 * ThingSpace's `SessionToken` codes (HTTP 400).
 */
import {
  validateLoginRequest,
  validateOAuthRevokeRequest,
  validateOAuthTokenRequest,
} from "../../../generated/validators.js";
import { sameSecret } from "../../shared/secrets.js";
import type { Schemas } from "../../shared/spec.js";
import { formatViolations, toViolations } from "../../shared/violations.js";
import {
  errorResponse,
  jsonResponse,
  oauthErrorResponse,
  readBodyText,
  readJsonBody,
  simulatorErrorCodes,
} from "../responses.js";
import type { RouteHandler, SimulatorContext } from "../router.js";

// The client must authenticate with HTTP Basic; the answer never says which half was wrong.
async function checkClient(request: Request, context: SimulatorContext): Promise<Response | undefined> {
  const encoded = request.headers.get("authorization")?.match(/^Basic\s+(\S+)\s*$/i)?.[1];
  const decoded = encoded === undefined ? "" : Buffer.from(encoded, "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  const clientId = colon > 0 ? decoded.slice(0, colon) : "";
  const secret = colon > 0 ? decoded.slice(colon + 1) : "";
  if (!clientId || !secret) {
    return oauthErrorResponse(
      "invalid_client",
      "Missing Credentials: send Authorization: Basic base64(clientId:clientSecret).",
      401,
    );
  }
  const clients = context.options.clients;
  const expected = clients && Object.hasOwn(clients, clientId) ? clients[clientId] : undefined;
  if (clients && (expected === undefined || !(await sameSecret(expected, secret)))) {
    return oauthErrorResponse(
      "invalid_client",
      "Invalid Credentials: the client id or the client secret is wrong.",
      401,
    );
  }
  return undefined;
}

async function readForm(request: Request): Promise<Record<string, string> | Response> {
  const type = request.headers.get("content-type") ?? "application/x-www-form-urlencoded";
  if (!type.toLowerCase().startsWith("application/x-www-form-urlencoded")) {
    return oauthErrorResponse(
      "invalid_request",
      `Send the body as application/x-www-form-urlencoded, not ${type}.`,
      400,
    );
  }
  const read = await readBodyText(request);
  if (!read.ok) return oauthErrorResponse("invalid_request", read.message, read.status);
  // RFC 6749 section 3.2: a parameter sent without a value counts as omitted.
  return Object.fromEntries([...new URLSearchParams(read.text)].filter(([, value]) => value !== ""));
}

/** `POST /ts/v1/oauth2/token`: an optional `scope`; other parameters are ignored (RFC 6749 section 3.2). */
export const getAccessToken: RouteHandler = async (request, context) => {
  const failure = context.faults.oauthFailure();
  if (failure === 401)
    return oauthErrorResponse("invalid_client", "Client authentication failed (injected fault).", 401);
  if (failure !== undefined) {
    return oauthErrorResponse("temporarily_unavailable", "The OAuth server failed (injected fault).", failure);
  }
  const refused = await checkClient(request, context);
  if (refused) return refused;
  const form = await readForm(request);
  if (form instanceof Response) return form;
  if (!validateOAuthTokenRequest(form)) {
    if (form.grant_type === undefined)
      return oauthErrorResponse("invalid_request", "Missing grant_type parameter value.", 400);
    if (form.grant_type !== "client_credentials") {
      return oauthErrorResponse("unsupported_grant_type", "grant_type must be client_credentials.", 400);
    }
    return oauthErrorResponse("invalid_request", formatViolations(toViolations(validateOAuthTokenRequest.errors)), 400);
  }
  const { accessToken, expiresIn } = context.tokens.issue();
  // Any scope asked for is granted as asked (the simulator knows no scopes of its own).
  const body: Schemas["OAuthTokenResponse"] = {
    access_token: accessToken,
    token_type: "Bearer",
    expires_in: expiresIn,
    scope: form.scope ?? "default",
  };
  return jsonResponse(body);
};

/** `POST /ts/v1/oauth2/revoke`: unknown tokens are accepted too, as RFC 7009 asks. */
export const revokeAccessToken: RouteHandler = async (request, context) => {
  const refused = await checkClient(request, context);
  if (refused) return refused;
  const form = await readForm(request);
  if (form instanceof Response) return form;
  if (!validateOAuthRevokeRequest(form)) {
    return oauthErrorResponse(
      "invalid_request",
      formatViolations(toViolations(validateOAuthRevokeRequest.errors)),
      400,
    );
  }
  context.tokens.revoke(form.token);
  return new Response(null, { status: 200 });
};

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

// The session token of the request, if any.
function sessionTokenOf(request: Request): string | undefined {
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
    return errorResponse(
      simulatorErrorCodes.sessionTokenExpired,
      "Session token expired. Log in again and resend the request.",
    );
  }
  return undefined;
}

/** `POST /session/login`: with users configured, a wrong pair fails (and five in a row lock the user). */
export const logIn: RouteHandler = async (request, context) => {
  const parsed = await readJsonBody(request, validateLoginRequest);
  if (!parsed.ok) return parsed.response;
  const outcome = await context.sessions.logIn(parsed.body.username, parsed.body.password);
  if (!outcome.ok) return errorResponse(outcome.errorCode, outcome.errorMessage);
  const body: Schemas["SessionTokenResponse"] = { sessionToken: outcome.sessionToken };
  return jsonResponse(body);
};

/** `POST /session/logout`: ends the session of `VZ-M2M-Token` (already checked by the router). */
export const logOut: RouteHandler = async (request, context) => {
  const sessionToken = sessionTokenOf(request)!;
  context.sessions.logOut(sessionToken);
  const body: Schemas["SessionTokenResponse"] = { sessionToken };
  return jsonResponse(body);
};

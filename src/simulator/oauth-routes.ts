/**
 * The OAuth server: `POST /ts/v1/oauth2/token` (client credentials, HTTP Basic, form body
 * `grant_type=client_credentials`) and `POST /ts/v1/oauth2/revoke` (form body `token=…`).
 */
import { validateOAuthRevokeRequest, validateOAuthTokenRequest } from "../../generated/validators.js";
import type { components } from "../../generated/openapi-types.js";
import { formatViolations, toViolations } from "../validation/violations.js";
import { jsonResponse, oauthErrorResponse } from "./error-response.js";
import { sameSecret } from "./same-secret.js";
import type { RouteHandler, SimulatorContext } from "./simulator-context.js";

type OAuthTokenResponse = components["schemas"]["OAuthTokenResponse"];


// The client must authenticate with HTTP Basic; the answer never says which half was wrong.
function checkClient(request: Request, context: SimulatorContext): Response | undefined {
  const encoded = request.headers.get("authorization")?.match(/^Basic\s+(\S+)\s*$/i)?.[1];
  const decoded = encoded === undefined ? "" : Buffer.from(encoded, "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  const clientId = colon > 0 ? decoded.slice(0, colon) : "";
  const secret = colon > 0 ? decoded.slice(colon + 1) : "";
  if (!clientId || !secret) {
    return oauthErrorResponse("invalid_client", "Missing Credentials: send Authorization: Basic base64(clientId:clientSecret).", 401);
  }
  const clients = context.options.clients;
  const expected = clients && Object.hasOwn(clients, clientId) ? clients[clientId] : undefined;
  if (clients && (expected === undefined || !sameSecret(expected, secret))) {
    return oauthErrorResponse("invalid_client", "Invalid Credentials: the client id or the client secret is wrong.", 401);
  }
  return undefined;
}

async function readForm(request: Request): Promise<Record<string, string> | Response> {
  const type = request.headers.get("content-type") ?? "application/x-www-form-urlencoded";
  if (!type.toLowerCase().startsWith("application/x-www-form-urlencoded")) {
    return oauthErrorResponse("invalid_request", `Send the body as application/x-www-form-urlencoded, not ${type}.`, 400);
  }
  return Object.fromEntries(new URLSearchParams(await request.text()));
}

/** `POST /ts/v1/oauth2/token`. */
export const getAccessToken: RouteHandler = async (request, context) => {
  const failure = context.faults.oauthFailure();
  if (failure === 401) return oauthErrorResponse("invalid_client", "Client authentication failed (injected fault).", 401);
  if (failure !== undefined) return oauthErrorResponse("temporarily_unavailable", "The OAuth server failed (injected fault).", failure);
  const refused = checkClient(request, context);
  if (refused) return refused;
  const form = await readForm(request);
  if (form instanceof Response) return form;
  if (!validateOAuthTokenRequest(form)) {
    if (form.grant_type === undefined) return oauthErrorResponse("invalid_request", "Missing grant_type parameter value.", 400);
    if (form.grant_type !== "client_credentials") {
      return oauthErrorResponse("unsupported_grant_type", "grant_type must be client_credentials.", 400);
    }
    return oauthErrorResponse("invalid_request", formatViolations(toViolations(validateOAuthTokenRequest.errors)), 400);
  }
  const { accessToken, expiresIn } = context.tokens.issue();
  const body: OAuthTokenResponse = { access_token: accessToken, token_type: "Bearer", expires_in: expiresIn, scope: "default" };
  return jsonResponse(body);
};

/** `POST /ts/v1/oauth2/revoke`: unknown tokens are accepted too, as RFC 7009 asks. */
export const revokeAccessToken: RouteHandler = async (request, context) => {
  const refused = checkClient(request, context);
  if (refused) return refused;
  const form = await readForm(request);
  if (form instanceof Response) return form;
  if (!validateOAuthRevokeRequest(form)) {
    return oauthErrorResponse("invalid_request", formatViolations(toViolations(validateOAuthRevokeRequest.errors)), 400);
  }
  context.tokens.revoke(form.token);
  return new Response(null, { status: 200 });
};

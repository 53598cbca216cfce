/**
 * Responses in ThingSpace's formats: `{errorCode, errorMessage}` for the M2M API, and RFC 6749
 * `{error, error_description}` for the OAuth server.
 */
import type { components } from "../../generated/openapi-types.js";

type ErrorResponse = components["schemas"]["ErrorResponse"];
type OAuthError = components["schemas"]["OAuthError"];

/** A JSON response with the given status and extra headers. */
export function jsonResponse(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json", ...headers },
  });
}

/** An M2M error: HTTP 400 unless said otherwise, body `{errorCode, errorMessage}`. */
export function errorResponse(
  errorCode: string,
  errorMessage: string,
  status = 400,
  headers: Record<string, string> = {},
): Response {
  const body: ErrorResponse = { errorCode, errorMessage };
  return jsonResponse(body, status, headers);
}

/** An OAuth error (`invalid_client`, `unsupported_grant_type` …). */
export function oauthErrorResponse(error: string, description: string, status: number): Response {
  const body: OAuthError = { error, error_description: description };
  return jsonResponse(body, status);
}

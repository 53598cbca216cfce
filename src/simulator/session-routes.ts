/** `POST /m2m/v1/session/login` and `POST /m2m/v1/session/logout`. */
import { validateLoginRequest } from "../../generated/validators.js";
import type { components } from "../../generated/openapi-types.js";
import { errorResponse, jsonResponse } from "./error-response.js";
import { readJsonBody } from "./read-json-body.js";
import { sessionTokenOf } from "./request-auth.js";
import type { RouteHandler } from "./simulator-context.js";

type SessionTokenResponse = components["schemas"]["SessionTokenResponse"];

/** Starts a session; with users configured, a wrong pair fails (and five in a row lock the user). */
export const logIn: RouteHandler = async (request, context) => {
  const parsed = await readJsonBody(request, validateLoginRequest);
  if (!parsed.ok) return parsed.response;
  const outcome = context.sessions.logIn(parsed.body.username, parsed.body.password);
  if (!outcome.ok) return errorResponse(outcome.errorCode, outcome.errorMessage);
  const body: SessionTokenResponse = { sessionToken: outcome.sessionToken };
  return jsonResponse(body);
};

/** Ends the session of `VZ-M2M-Token` (already checked by the router). */
export const logOut: RouteHandler = async (request, context) => {
  const sessionToken = sessionTokenOf(request)!;
  context.sessions.logOut(sessionToken);
  const body: SessionTokenResponse = { sessionToken };
  return jsonResponse(body);
};

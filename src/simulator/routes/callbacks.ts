/**
 * Callback registration: `POST /m2m/v1/callbacks/{accountName}` registers (or replaces) a
 * service's listener, `GET` lists them, `DELETE …/name/{serviceName}` removes one.
 */
import { validateRegisterCallbackRequest } from "../../../generated/validators.js";
import type { Schemas } from "../../shared/spec.js";
import { errorResponse, jsonResponse, readJsonBody, simulatorErrorCodes } from "../responses.js";
import type { RouteHandler } from "../router.js";

/** `POST /callbacks/{accountName}`. */
export const registerCallback: RouteHandler = async (request, context, { accountName }) => {
  const parsed = await readJsonBody(request, validateRegisterCallbackRequest);
  if (!parsed.ok) return parsed.response;
  const { name, url, username = "", password = "" } = parsed.body;
  context.registry.register(accountName!, name, { url, username, password });
  const body: Schemas["CallbackRegistration"] = { accountName: accountName!, name };
  return jsonResponse(body);
};

/** `GET /callbacks/{accountName}`: URLs only, never the credentials. */
export const listCallbacks: RouteHandler = async (_request, context, { accountName }) => {
  const body: Schemas["CallbackRegistrationList"] = context.registry.list(accountName!);
  return jsonResponse(body);
};

/** `DELETE /callbacks/{accountName}/name/{serviceName}`. */
export const deleteCallback: RouteHandler = async (_request, context, { accountName, serviceName }) => {
  if (!context.registry.remove(accountName!, serviceName as Schemas["CallbackServiceName"])) {
    return errorResponse(
      simulatorErrorCodes.callbackNotRegistered,
      `No ${serviceName} callback is registered for account ${accountName}; GET /callbacks/${accountName} lists them.`,
    );
  }
  const body: Schemas["CallbackDeletion"] = { accountName: accountName!, serviceName: serviceName! };
  return jsonResponse(body);
};

/**
 * Callback registration: `POST /m2m/v1/callbacks/{accountName}` registers (or replaces) a
 * service's listener, `GET` lists them, `DELETE …/name/{serviceName}` removes one. Answers name
 * the service `serviceName`, as Verizon's models and examples do.
 */
import { validateRegisterCallbackRequest } from "../../../generated/validators.js";
import { serviceNameViolation } from "../../shared/callback-service-near-miss.js";
import type { Schemas } from "../../shared/spec.js";
import { errorResponse, jsonResponse, readJsonBody, simulatorErrorCodes } from "../responses.js";
import type { RouteHandler } from "../router.js";

/** `POST /callbacks/{accountName}`. */
export const registerCallback: RouteHandler = async (request, context, { accountName }) => {
  const parsed = await readJsonBody(request, validateRegisterCallbackRequest);
  if (!parsed.ok) return parsed.response;
  const { name, url, username = "", password = "" } = parsed.body;
  // A misspelt typed service would leave that service without a listener: refused, as the SDK does.
  const misspelt = serviceNameViolation("/name", name);
  if (misspelt) return errorResponse(simulatorErrorCodes.serviceNameInvalid, misspelt.message);
  context.registry.register(accountName!, name, { url, username, password });
  const body: Schemas["CallbackActionResult"] = { accountName: accountName!, serviceName: name };
  return jsonResponse(body);
};

/** `GET /callbacks/{accountName}`: every registration with its URL and credentials, as ThingSpace lists them. */
export const listCallbacks: RouteHandler = async (_request, context, { accountName }) => {
  const body: Schemas["CallbackRegistrationList"] = context.registry.list(accountName!);
  return jsonResponse(body);
};

/** `DELETE /callbacks/{accountName}/name/{serviceName}`. */
export const deleteCallback: RouteHandler = async (_request, context, { accountName, serviceName }) => {
  if (!context.registry.remove(accountName!, serviceName!)) {
    return errorResponse(
      simulatorErrorCodes.callbackNotRegistered,
      `No ${serviceName} callback is registered for account ${accountName}; GET /callbacks/${accountName} lists them.`,
    );
  }
  const body: Schemas["CallbackActionResult"] = { accountName: accountName!, serviceName: serviceName! };
  return jsonResponse(body);
};

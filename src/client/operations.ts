import type { ValidateFunction } from "ajv";
import {
  validateActivateDevicesRequest,
  validateAddDevicesRequest,
  validateGoToStateRequest,
  validateRegisterCallbackRequest,
} from "../../generated/validators.js";
import type { ClientContext } from "./client-context.js";
import type { ThingSpaceClient } from "./thing-space-client.js";
import { AuthenticationError } from "./errors/authentication-error.js";
import { ValidationError } from "./errors/validation-error.js";
import { isSessionTokenCode } from "./errors/parse-error-code.js";
import { validateRequest } from "./validation/validate-request.js";
import { unwrapResponse } from "./unwrap-response.js";

/** The single-call methods of {@link ThingSpaceClient}. */
export type Operations = Pick<
  ThingSpaceClient,
  "addDevices" | "activateDevices" | "goToState" | "registerCallback" | "listCallbacks" | "deleteCallback" | "logout"
>;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null) return false;
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

/** Builds the single-call methods on the wired openapi-fetch client. */
export function createOperations(ctx: ClientContext): Operations {
  const { raw, redactor, logger } = ctx;
  // The client's default account goes into bodies that take one and leave it out. Only plain
  // objects get it, by spreading (a parsed `__proto__` key stays an own field the validator
  // rejects, where Object.assign would turn it into the copy's prototype); anything else goes
  // to validation unchanged.
  const withAccount = <Body extends { accountName?: string }>(body: Body): Body =>
    isPlainObject(body) && body.accountName === undefined && ctx.accountName !== undefined ? { ...body, accountName: ctx.accountName } : body;
  const check = (operation: string, validate: ValidateFunction, body: unknown): void => {
    if (ctx.validate) validateRequest(operation, validate, body);
  };
  const accountOf = (operation: string, accountName: string | undefined): string => {
    const account = accountName ?? ctx.accountName;
    if (account === undefined || account === "") {
      throw new ValidationError(operation, [
        {
          path: "/accountName",
          rule: "required",
          message: "accountName (path parameter) is required: pass { accountName } or set the client's accountName option",
        },
      ]);
    }
    return account;
  };

  return {
    async addDevices(body, options = {}) {
      const sent = withAccount(body);
      check("addDevices", validateAddDevicesRequest, sent);
      const call = { method: "POST", schemaPath: "/devices/actions/add", redactor, logger };
      return unwrapResponse(call, raw.POST("/devices/actions/add", { body: sent, signal: options.signal }));
    },
    async activateDevices(body, options = {}) {
      const sent = withAccount(body);
      check("activateDevices", validateActivateDevicesRequest, sent);
      const call = { method: "POST", schemaPath: "/devices/actions/activate", redactor, logger };
      return unwrapResponse(call, raw.POST("/devices/actions/activate", { body: sent, signal: options.signal }));
    },
    async goToState(body, options = {}) {
      check("goToState", validateGoToStateRequest, body);
      const call = { method: "PUT", schemaPath: "/devices/actions/goToState", redactor, logger };
      return unwrapResponse(call, raw.PUT("/devices/actions/goToState", { body, signal: options.signal }));
    },
    async registerCallback(body, options = {}) {
      if (isPlainObject(body)) redactor.add(body.username, body.password);
      const accountName = accountOf("registerCallback", options.accountName);
      check("registerCallback", validateRegisterCallbackRequest, body);
      const call = { method: "POST", schemaPath: "/callbacks/{accountName}", redactor, logger };
      return unwrapResponse(call, raw.POST("/callbacks/{accountName}", { params: { path: { accountName } }, body, signal: options.signal }));
    },
    async listCallbacks(options = {}) {
      const accountName = accountOf("listCallbacks", options.accountName);
      const call = { method: "GET", schemaPath: "/callbacks/{accountName}", redactor, logger };
      return unwrapResponse(call, raw.GET("/callbacks/{accountName}", { params: { path: { accountName } }, signal: options.signal }));
    },
    async deleteCallback(serviceName, options = {}) {
      const accountName = accountOf("deleteCallback", options.accountName);
      const schemaPath = "/callbacks/{accountName}/name/{serviceName}";
      return unwrapResponse(
        { method: "DELETE", schemaPath, redactor, logger },
        raw.DELETE(schemaPath, { params: { path: { accountName, serviceName } }, signal: options.signal }),
      );
    },
    async logout(options = {}) {
      // Without a session there is nothing to end, and logging in just to log out would be absurd.
      const session = ctx.session.peek();
      if (session === undefined) return;
      try {
        const call = { method: "POST", schemaPath: "/session/logout", redactor, logger };
        await unwrapResponse(call, raw.POST("/session/logout", { signal: options.signal }));
        ctx.logger.info("M2M session ended");
      } catch (error) {
        // A session that already expired is as ended as it gets.
        if (!(error instanceof AuthenticationError && isSessionTokenCode(error.errorCode))) throw error;
      } finally {
        ctx.session.forget(session);
      }
    },
  };
}

/**
 * Picks the generated validators for a callback body: the service's own (the spec's `oneOf`),
 * and the one branch its shape points at, whose errors read far better than the `oneOf`'s
 * (which repeats every shared error once per branch).
 */
import type { ValidateFunction } from "ajv";
import {
  validateActivateSucceededCallback,
  validateCarrierServiceCallback,
  validateDeviceFailedCallback,
  validateGoToStateSucceededCallback,
  validateNiddConfigCreatedCallback,
  validateNiddConfigFailedCallback,
  validateNiddServiceCallback,
  validateStateServiceCallback,
} from "../../generated/validators.js";
import type { CallbackService } from "./callback-types.js";

/** The validator of each service's payload, as the spec's webhooks declare it. */
export const serviceValidators: Readonly<Record<CallbackService, ValidateFunction>> = {
  CarrierService: validateCarrierServiceCallback,
  NiddService: validateNiddServiceCallback,
  StateService: validateStateServiceCallback,
};

/** The services a body may come from, judged by its shape only (it is not validated yet). */
export type CallbackShape = { readonly services: readonly CallbackService[]; readonly branch?: ValidateFunction };

const allServices: readonly CallbackService[] = ["CarrierService", "NiddService", "StateService"];

function field(value: unknown, name: string): unknown {
  return typeof value === "object" && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)[name]
    : undefined;
}

function niddBranch(body: unknown): ValidateFunction | undefined {
  const status = field(body, "status");
  if (status === "ConfigCreated") return validateNiddConfigCreatedCallback;
  if (status === "ConfigFailed" || status === "ConfigCreationFailed") return validateNiddConfigFailedCallback;
  return undefined;
}

/** Where a body seems to come from, and which branch validator explains it best. */
export function callbackShape(body: unknown): CallbackShape {
  if (field(body, "niddResponse") !== undefined) return { services: ["NiddService"], branch: niddBranch(body) };
  const deviceResponse = field(body, "deviceResponse");
  if (field(deviceResponse, "activateResponse") !== undefined) {
    return { services: ["CarrierService"], branch: validateActivateSucceededCallback };
  }
  if (field(deviceResponse, "goToStateResponse") !== undefined) {
    return { services: ["StateService"], branch: validateGoToStateSucceededCallback };
  }
  if (deviceResponse !== undefined) return { services: ["CarrierService", "StateService"] };
  if (field(body, "faultResponse") !== undefined) {
    return { services: ["CarrierService", "StateService"], branch: validateDeviceFailedCallback };
  }
  return { services: allServices };
}

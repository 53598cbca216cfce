/**
 * Validates a callback body against the spec and tells which message it is. Never throws on any
 * body: invalid input comes back as violations with JSON paths.
 */
import type { ValidateFunction } from "ajv";
import type { components } from "../../generated/openapi-types.js";
import {
  validateActivateSucceededCallback,
  validateDeviceFailedCallback,
  validateGoToStateSucceededCallback,
  validateNiddConfigCreatedCallback,
  validateNiddConfigFailedCallback,
} from "../../generated/validators.js";
import { toViolations, type Violation } from "../validation/violations.js";
import { callbackShape, serviceValidators } from "./callback-validators.js";
import type { CallbackService, ParseCallbackResult, ParsedCallback } from "./callback-types.js";
import { normalizedCallback } from "./normalized-callback.js";
import { parseJsonBody } from "./parse-json-body.js";

/** Options of `parseCallback`. */
export interface ParseCallbackOptions {
  /**
   * The service whose URL received the body. A `faultResponse` body does not say which
   * operation failed: with `CarrierService` it is `activateFailed`, with `StateService`
   * `goToStateFailed`; without a service it is `deviceFailed`. The body must also match this
   * service's schema (a NIDD message on the StateService URL is invalid).
   */
  readonly service?: CallbackService;
}

const services = Object.keys(serviceValidators) as CallbackService[];

function unique(violations: readonly Violation[]): Violation[] {
  const seen = new Set<string>();
  return violations.filter((v) => {
    const key = `${v.path}\u0000${v.rule}\u0000${v.message}`;
    return seen.has(key) ? false : (seen.add(key), true);
  });
}

function errorsOf(validate: ValidateFunction, body: unknown): Violation[] {
  validate(body);
  return toViolations(validate.errors);
}

/** The clearest explanation of why `body` is none of `candidates`' callbacks. */
function explain(body: unknown, candidates: readonly CallbackService[]): Violation[] {
  const shape = callbackShape(body);
  if (shape.branch && candidates.some((s) => shape.services.includes(s))) {
    const branchErrors = errorsOf(shape.branch, body);
    if (branchErrors.length > 0) return unique(branchErrors);
  }
  const all = unique(candidates.flatMap((s) => errorsOf(serviceValidators[s], body)));
  return all.length > 0 ? all : [{ path: "", rule: "oneOf", message: "the body is not a callback of this service" }];
}

type Schemas = components["schemas"];
type DeviceFailedCallback = Schemas["DeviceFailedCallback"];

/**
 * A `faultResponse` message. Without a hint it cannot be told apart between CarrierService and
 * StateService (both accept the same body): `deviceFailed`.
 */
function failure(service: "CarrierService" | "StateService", hinted: boolean, body: DeviceFailedCallback): ParsedCallback {
  if (!hinted) return normalizedCallback("deviceFailed", undefined, "failed", body, body.deviceIds);
  return service === "CarrierService"
    ? normalizedCallback("activateFailed", service, "failed", body, body.deviceIds)
    : normalizedCallback("goToStateFailed", service, "failed", body, body.deviceIds);
}

/** A service's validator: valid when exactly one of its `oneOf` variants passes. */
type ServiceValidator = ValidateFunction & { readonly variants?: readonly ValidateFunction[] };

const variantValidators: readonly ValidateFunction[] = [
  validateActivateSucceededCallback,
  validateGoToStateSucceededCallback,
  validateNiddConfigCreatedCallback,
  validateNiddConfigFailedCallback,
  validateDeviceFailedCallback,
];

/**
 * The variant `body` is if it is a valid callback of the service: each variant validated once
 * (the generated `variants`), rather than the service's `oneOf` and then the variant again.
 */
function matchingVariant(validate: ServiceValidator, body: unknown): ValidateFunction | undefined {
  if (!validate.variants) return validate(body) ? variantValidators.find((variant) => variant(body)) : undefined;
  let match: ValidateFunction | undefined;
  for (const variant of validate.variants) {
    if (!variant(body)) continue;
    if (match) return undefined; // more than one: the `oneOf` fails
    match = variant;
  }
  return match;
}

/** The variant of `body` if it is a valid `service` callback. */
function classify(body: unknown, service: CallbackService, hinted: boolean): ParsedCallback | undefined {
  const variant = matchingVariant(serviceValidators[service], body);
  if (variant === validateActivateSucceededCallback) {
    const message = body as Schemas["ActivateSucceededCallback"];
    return normalizedCallback("activateSucceeded", "CarrierService", "succeeded", message, message.deviceIds, message.deviceResponse.activateResponse.deviceIds);
  }
  if (variant === validateGoToStateSucceededCallback) {
    const message = body as Schemas["GoToStateSucceededCallback"];
    return normalizedCallback("goToStateSucceeded", "StateService", "succeeded", message, message.deviceIds, message.deviceResponse.goToStateResponse.deviceIds);
  }
  if (variant === validateNiddConfigCreatedCallback) {
    const message = body as Schemas["NiddConfigCreatedCallback"];
    return normalizedCallback("niddConfigCreated", "NiddService", "succeeded", message, message.niddResponse.niddConfigResponse.deviceIds);
  }
  if (variant === validateNiddConfigFailedCallback) {
    const message = body as Schemas["NiddConfigFailedCallback"];
    return normalizedCallback("niddConfigFailed", "NiddService", "failed", message, message.niddResponse.niddConfigResponse.deviceIds);
  }
  if (variant === validateDeviceFailedCallback && service !== "NiddService") return failure(service, hinted, body as DeviceFailedCallback);
  return undefined;
}

/**
 * Validates a callback body with the generated validators and returns which message it is.
 *
 * `body` is the raw body text (a string is always read as JSON text) or UTF-8 bytes, or an
 * already parsed JSON value. The payload is kept verbatim; `deviceIds`, `allDeviceIds` and
 * `deviceKey` give the identifiers with kinds in lower case.
 *
 * @throws TypeError only when `options.service` is not a known service (a programming error);
 * no body ever makes it throw.
 */
export function parseCallback(body: unknown, options: ParseCallbackOptions = {}): ParseCallbackResult {
  const service = options.service;
  if (service !== undefined && !services.includes(service)) {
    throw new TypeError(`options.service must be one of ${services.join(", ")}`);
  }
  try {
    let value = body;
    if (typeof body === "string" || body instanceof Uint8Array || body instanceof ArrayBuffer) {
      const json = parseJsonBody(body);
      if (!json.ok) return { ok: false, violations: [json.violation] };
      value = json.value;
    }
    const candidates = service ? [service] : callbackShape(value).services;
    for (const candidate of candidates) {
      const callback = classify(value, candidate, service !== undefined);
      if (callback) return { ok: true, callback };
    }
    return { ok: false, violations: explain(value, candidates) };
  } catch {
    // A hostile value (a getter that throws, a cycle deeper than the stack) is invalid input too.
    return { ok: false, violations: [{ path: "", rule: "type", message: "the body could not be read as a JSON object" }] };
  }
}

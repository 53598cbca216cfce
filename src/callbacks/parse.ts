/**
 * Validates a callback body against the spec and tells which message it is. Never throws on any
 * body: invalid input comes back as violations with JSON paths.
 *
 * Reading order: the service validators and the shape that picks the branch whose errors
 * explain best; building a parsed callback from a validated payload (identifiers in lower case,
 * credentials kept out of its JSON and inspect views); classifying and explaining; then
 * `parseCallback` itself.
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
import { parseJson } from "../shared/body.js";
import { deviceKey } from "../shared/device-key.js";
import type { Schemas } from "../shared/spec.js";
import { toViolations, type Violation } from "../shared/violations.js";
import type {
  CallbackKind,
  CallbackOfKind,
  CallbackService,
  ParseCallbackResult,
  ParsedCallback,
  ReportedDeviceId,
} from "./types.js";

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

// ---------------------------------------------------------------------------------------------
// Which validators: the service's own (the spec's `oneOf`), and the one branch the body's shape
// points at, whose errors read far better than the `oneOf`'s (which repeats every shared error
// once per branch).

/** The validator of each service's payload, as the spec's webhooks declare it. */
const serviceValidators: Readonly<Record<CallbackService, ValidateFunction>> = {
  CarrierService: validateCarrierServiceCallback,
  NiddService: validateNiddServiceCallback,
  StateService: validateStateServiceCallback,
};

const services = Object.keys(serviceValidators) as CallbackService[];

/** The services a body may come from, judged by its shape only (it is not validated yet). */
type CallbackShape = { readonly services: readonly CallbackService[]; readonly branch?: ValidateFunction };

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
function callbackShape(body: unknown): CallbackShape {
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
  return { services };
}

// ---------------------------------------------------------------------------------------------
// Building a parsed callback from a validated payload: the payload stays as received, while the
// identifiers are offered with lower-case kinds, as ThingSpace spells kinds in any case.

/**
 * A copy of a callback body without its credentials, for hooks and logs: the body carries the
 * registered `username` and `password` in clear. `username` and `password` (when present) are
 * replaced by "[redacted]".
 */
export function redactCredentials(body: unknown): unknown {
  if (typeof body !== "object" || body === null || Array.isArray(body)) return body;
  const copy: Record<string, unknown> = { ...body };
  for (const name of ["username", "password"]) if (name in copy) copy[name] = "[redacted]";
  return copy;
}

/**
 * The prototype of every parsed callback: logging or serializing one must not print the
 * credentials it carries, while the payload itself stays verbatim for the code that reads it.
 * Shared rather than defined on each callback, which cost more than building the callback.
 */
const safeViews = {
  toJSON(this: { payload: unknown }): object {
    return { ...this, payload: redactCredentials(this.payload) };
  },
  [Symbol.for("nodejs.util.inspect.custom")](this: { toJSON(): object }): object {
    return this.toJSON();
  },
};

/** The variant `kind` of a payload already validated for it. */
function normalizedCallback<K extends CallbackKind>(
  kind: K,
  service: CallbackOfKind<K>["service"],
  outcome: CallbackOfKind<K>["outcome"],
  payload: CallbackOfKind<K>["payload"],
  deviceIds: readonly ReportedDeviceId[],
  reportedInResponse: readonly ReportedDeviceId[] = [],
): CallbackOfKind<K> {
  const own: ReportedDeviceId[] = [];
  const all: ReportedDeviceId[] = [];
  for (let i = 0; i < deviceIds.length + reportedInResponse.length; i++) {
    const reported = i < deviceIds.length ? deviceIds[i]! : reportedInResponse[i - deviceIds.length]!;
    const lowerCase = { kind: reported.kind.toLowerCase(), id: reported.id };
    if (i < deviceIds.length) own.push(lowerCase);
    // A handful of identifiers per message: searching the list beats building keys or a Set.
    if (!all.some((known) => known.kind === lowerCase.kind && known.id === lowerCase.id)) all.push(lowerCase);
  }
  const callback = {
    __proto__: safeViews,
    kind,
    service,
    outcome,
    payload,
    requestId: payload.requestId,
    deviceIds: own,
    allDeviceIds: all,
    // A message whose own list is empty is still identified by the identifiers it reports.
    deviceKey: deviceKey(own.length > 0 ? own : all),
  };
  return callback as unknown as CallbackOfKind<K>;
}

type DeviceFailedCallback = Schemas["DeviceFailedCallback"];

/**
 * A `faultResponse` message. Without a hint it cannot be told apart between CarrierService and
 * StateService (both accept the same body): `deviceFailed`.
 */
function failure(
  service: "CarrierService" | "StateService",
  hinted: boolean,
  body: DeviceFailedCallback,
): ParsedCallback {
  if (!hinted) return normalizedCallback("deviceFailed", undefined, "failed", body, body.deviceIds);
  return service === "CarrierService"
    ? normalizedCallback("activateFailed", service, "failed", body, body.deviceIds)
    : normalizedCallback("goToStateFailed", service, "failed", body, body.deviceIds);
}

// ---------------------------------------------------------------------------------------------
// Classifying a valid body, and explaining an invalid one.

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
    const { deviceIds, deviceResponse } = message;
    const inResponse = deviceResponse.activateResponse.deviceIds;
    return normalizedCallback("activateSucceeded", "CarrierService", "succeeded", message, deviceIds, inResponse);
  }
  if (variant === validateGoToStateSucceededCallback) {
    const message = body as Schemas["GoToStateSucceededCallback"];
    const { deviceIds, deviceResponse } = message;
    const inResponse = deviceResponse.goToStateResponse.deviceIds;
    return normalizedCallback("goToStateSucceeded", "StateService", "succeeded", message, deviceIds, inResponse);
  }
  if (variant === validateNiddConfigCreatedCallback) {
    const message = body as Schemas["NiddConfigCreatedCallback"];
    const deviceIds = message.niddResponse.niddConfigResponse.deviceIds;
    return normalizedCallback("niddConfigCreated", "NiddService", "succeeded", message, deviceIds);
  }
  if (variant === validateNiddConfigFailedCallback) {
    const message = body as Schemas["NiddConfigFailedCallback"];
    const deviceIds = message.niddResponse.niddConfigResponse.deviceIds;
    return normalizedCallback("niddConfigFailed", "NiddService", "failed", message, deviceIds);
  }
  if (variant === validateDeviceFailedCallback && service !== "NiddService") {
    return failure(service, hinted, body as DeviceFailedCallback);
  }
  return undefined;
}

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
      const json = parseJson(body);
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
    return {
      ok: false,
      violations: [{ path: "", rule: "type", message: "the body could not be read as a JSON object" }],
    };
  }
}

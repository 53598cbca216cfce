/**
 * What the simulator says, in ThingSpace's formats: the error codes, in one place; the answers
 * (`{errorCode, errorMessage}` for the M2M API, RFC 6749 `{error, error_description}` for the
 * OAuth server); and the reading of request bodies, which are checked with the spec's generated
 * validators and refused in those formats. No answer ever echoes a body's content: a login body
 * holds a password, a callback registration the listener's credentials.
 */
import type { ValidateFunction } from "ajv";
import { parseJson, readBody } from "../shared/body.js";
import type { Schemas } from "../shared/spec.js";
import { formatViolations, toViolations, type Violation } from "../shared/violations.js";

/**
 * The error codes the simulator answers with, in one place. Codes marked *unconfirmed* are not
 * documented by ThingSpace for the M2M REST API; the simulator's choice is stated in its README
 * section and can be changed here alone.
 */
export const simulatorErrorCodes = {
  /** The session token is missing from `VZ-M2M-Token`. */
  sessionTokenInvalid: "INPUT_INVALID.SessionToken.Invalid",
  /** The session token is unknown, ended by logout, or idle for longer than the timeout. */
  sessionTokenExpired: "REQUEST_FAILED.SessionToken.Expired",
  /** More than 200 devices in one add request. */
  numberOfDevices: "INPUT_INVALID.NumberofDevices",
  /** More than 10,000 devices in one activate or goToState request. */
  maxRequestsExceeded: "INPUT_INVALID.MaxRequestsExceeded",
  /** Activating a device that is already in service (sent in its callback). */
  deviceAlreadyActive: "REQUEST_FAILED.DeviceAlreadyActive",
  /** A device, a device group or a filter that matches nothing. */
  deviceNotFound: "REQUEST_FAILED.DeviceNotFound",
  /** ThingSpace's catch-all, documented for "missing required elements, invalid parameter values". */
  unexpectedError: "REQUEST_FAILED.UnexpectedError",
  /** A device identifier's kind is not one of the kinds ThingSpace knows. */
  deviceKindInvalid: "INPUT_INVALID.Device.Kind.Invalid",
  /** A device identifier's value does not fit its kind. */
  deviceIdentifierInvalid: "INPUT_INVALID.Device.Identifier.Invalid",
  /** The request body is empty. */
  requestUndefined: "INPUT_INVALID.RequestUndefined",
  /** More than 100 activate requests in a rolling minute (*unconfirmed*: no answer is documented). */
  rateLimitExceeded: "REQUEST_FAILED.RateLimitExceeded",
  /** The bearer token is missing (*unconfirmed* code; ThingSpace's gateway answers 401). */
  accessTokenMissing: "INPUT_INVALID.AccessToken.Missing",
  /** The bearer token is unknown, revoked or expired (*unconfirmed* code; 401). */
  accessTokenInvalid: "REQUEST_FAILED.AccessToken.Invalid",
  /** Wrong username or password at login (*unconfirmed*). */
  loginFailed: "REQUEST_FAILED.Login.Failed",
  /** Five failed logins in a row locked the user (*unconfirmed*). */
  userLocked: "REQUEST_FAILED.Login.UserLocked",
  /** Deleting a callback service that is not registered (*unconfirmed*). */
  callbackNotRegistered: "REQUEST_FAILED.Callback.NotRegistered",
  /** Registering a misspelling of a typed callback service, such as `CarrierSevice` (*unconfirmed*). */
  serviceNameInvalid: "INPUT_INVALID.ServiceName.Invalid",
  /** goToState: the device is not in the state of the request's first device (*unconfirmed*). */
  deviceStateMismatch: "REQUEST_FAILED.Device.StateMismatch",
  /** The request status of a requestId the account never got (*unconfirmed*). */
  requestNotFound: "REQUEST_FAILED.Request.NotFound",
  /** No route for this method and path (*unconfirmed*). */
  resourceNotFound: "INPUT_INVALID.Resource.NotFound",
} as const;

/** One of the codes in {@link simulatorErrorCodes}. */
export type SimulatorErrorCode = (typeof simulatorErrorCodes)[keyof typeof simulatorErrorCodes];

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
  const body: Schemas["ErrorResponse"] = { errorCode, errorMessage };
  return jsonResponse(body, status, headers);
}

/** An OAuth error (`invalid_client`, `unsupported_grant_type` …). */
export function oauthErrorResponse(error: string, description: string, status: number): Response {
  const body: Schemas["OAuthError"] = { error, error_description: description };
  return jsonResponse(body, status);
}

/**
 * The largest request body the simulator reads: 16 MiB. A 10,000-device activate body (the
 * spec's most devices per request) is about 1 MB with an IMEI and an ICCID per device, and 6 MB
 * when every device carries the spec's most identifiers (10), so any valid request fits with
 * room to spare, while a runaway sender cannot make the simulator buffer without bound.
 */
const maxBodyBytes = 16 * 1024 * 1024;

// Decoded as Request.text() decodes: bytes that are not UTF-8 become U+FFFD, and the schema
// then says what is wrong with the field, as it did before bodies were read with a limit.
const decoder = new TextDecoder();

/** A body read as text, or why it was not (HTTP status and a message saying what to do). */
type BodyText = { ok: true; text: string } | { ok: false; status: 400 | 413; message: string };

/** Reads the request's body as text, at most {@link maxBodyBytes}. */
export async function readBodyText(request: Request): Promise<BodyText> {
  const read = await readBody(request, maxBodyBytes);
  if (read.ok) return { ok: true, text: decoder.decode(read.bytes) };
  return read.reason === "too-large"
    ? {
        ok: false,
        status: 413,
        message: `The request body is larger than ${maxBodyBytes} bytes (16 MiB): send at most 10,000 devices per request.`,
      }
    : {
        ok: false,
        status: 400,
        message: "The request body could not be read (the connection ended before it was complete).",
      };
}

/** At most this many violations are listed in one error message. */
const listedViolations = 20;

/**
 * A body that passed (parsed, and the text it was parsed from, for a route that keeps the request
 * for later: one string rather than the parsed objects), or the error response to send.
 */
type BodyOutcome<T> = { ok: true; body: T; text: string } | { ok: false; response: Response };

/** A check of the parsed body that runs before schema validation. */
type BodyPrecheck = (body: unknown) => Response | undefined;

/**
 * Answers `code` when `body[field]` is an array longer than `limit`: count limits run before the
 * schema so that a request of 201 devices gets ThingSpace's `INPUT_INVALID.NumberofDevices`, not
 * a schema message.
 */
export function countLimit(field: string, limit: number, code: string, what: string): BodyPrecheck {
  return (body) => {
    const value = typeof body === "object" && body !== null ? (body as Record<string, unknown>)[field] : undefined;
    if (!Array.isArray(value) || value.length <= limit) return undefined;
    return errorResponse(code, `/${field} has ${value.length} devices; ${what} takes at most ${limit} per request.`);
  };
}

// ThingSpace has specific codes for identifiers; anything else gets its documented catch-all.
function codeFor(violations: readonly Violation[]): string {
  if (violations.some((v) => /\/deviceIds\/\d+\/kind$/.test(v.path))) return simulatorErrorCodes.deviceKindInvalid;
  if (violations.some((v) => /\/deviceIds\/\d+\/id$/.test(v.path))) return simulatorErrorCodes.deviceIdentifierInvalid;
  return simulatorErrorCodes.unexpectedError;
}

/** Reads, parses and validates an M2M request's JSON body, answering in ThingSpace's format when it is not acceptable. */
export async function readJsonBody<T>(
  request: Request,
  validate: ValidateFunction<T>,
  ...prechecks: BodyPrecheck[]
): Promise<BodyOutcome<T>> {
  const read = await readBodyText(request);
  if (!read.ok) {
    return { ok: false, response: errorResponse(simulatorErrorCodes.unexpectedError, read.message, read.status) };
  }
  if (read.text.trim() === "") {
    return {
      ok: false,
      response: errorResponse(simulatorErrorCodes.requestUndefined, "Request cannot be blank. Send a JSON body."),
    };
  }
  const parsed = parseJson(read.text);
  if (!parsed.ok) {
    return {
      ok: false,
      response: errorResponse(
        simulatorErrorCodes.unexpectedError,
        "The request body is not valid JSON (check quotes and commas).",
      ),
    };
  }
  const body = parsed.value;
  for (const precheck of prechecks) {
    const response = precheck(body);
    if (response) return { ok: false, response };
  }
  if (!validate(body)) {
    const violations = toViolations(validate.errors);
    const listed = formatViolations(violations.slice(0, listedViolations));
    const more = violations.length > listedViolations ? `\n… and ${violations.length - listedViolations} more` : "";
    return {
      ok: false,
      response: errorResponse(codeFor(violations), `The request body does not match the API:\n${listed}${more}`),
    };
  }
  return { ok: true, body, text: read.text };
}

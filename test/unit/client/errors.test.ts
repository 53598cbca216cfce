import { describe, expect, it } from "vitest";
import {
  parseErrorCode,
  ThingSpaceError,
  ThingSpaceApiError,
  AuthenticationError,
  ValidationError,
  ConnectionError,
  OutcomeUnknownError,
  TimeoutError,
} from "../../../src/client/errors.js";
import { isSessionTokenCode } from "../../../src/client/refusals.js";
import { SecretRedactor, createSafeLogger } from "../../../src/client/log.js";
import { parseRetryAfter, networkErrorCode } from "../../../src/client/transport.js";

describe("parseErrorCode", () => {
  it.each([
    ["REQUEST_FAILED.SessionToken.Expired", { errorClass: "REQUEST_FAILED", detail: "SessionToken.Expired" }],
    ["INPUT_INVALID.NumberofDevices", { errorClass: "INPUT_INVALID", detail: "NumberofDevices" }],
    [
      "UnifiedWebService.REQUEST_FAILED.AccountNotFound",
      { service: "UnifiedWebService", errorClass: "REQUEST_FAILED", detail: "AccountNotFound" },
    ],
    ["REQUEST_ONHOLD.Pending", { errorClass: "REQUEST_ONHOLD", detail: "Pending" }],
    ["A.B.REQUEST_CANCELLED.X.Y", { service: "A.B", errorClass: "REQUEST_CANCELLED", detail: "X.Y" }],
    ["invalid_client", { detail: "invalid_client" }],
  ])("%s", (code, parsed) => {
    expect(parseErrorCode(code)).toEqual(parsed);
  });

  it("recognises session token codes with or without a prefix, and nothing else", () => {
    expect(isSessionTokenCode("INPUT_INVALID.SessionToken.Invalid")).toBe(true);
    expect(isSessionTokenCode("Svc.REQUEST_FAILED.SessionToken.Format")).toBe(true);
    expect(isSessionTokenCode("REQUEST_FAILED.DeviceNotFound")).toBe(false);
    expect(isSessionTokenCode(undefined)).toBe(false);
  });
});

describe("error classes", () => {
  it("share one base class and keep their own names", () => {
    const errors = [
      new ThingSpaceApiError({ operation: "POST /x", status: 400 }),
      new AuthenticationError("no", { stage: "login" }),
      new ValidationError("activateDevices", []),
      new ConnectionError({ operation: "POST /x", attempts: 1 }),
      new OutcomeUnknownError({ operation: "POST /x", reason: "server-error", howToCheck: "Check." }),
      new TimeoutError({ operation: "POST /x", timeoutMs: 10, howToCheck: "Check." }),
    ];
    expect(errors.every((e) => e instanceof ThingSpaceError && e instanceof Error)).toBe(true);
    expect(errors.map((e) => e.name)).toEqual([
      "ThingSpaceApiError",
      "AuthenticationError",
      "ValidationError",
      "ConnectionError",
      "OutcomeUnknownError",
      "TimeoutError",
    ]);
    expect(errors[5]).toBeInstanceOf(OutcomeUnknownError);
  });

  it("ThingSpaceApiError parses the class behind a service prefix and says what was refused", () => {
    const error = new ThingSpaceApiError({
      operation: "POST /api/m2m/v1/devices/actions/activate",
      status: 400,
      errorCode: "UnifiedWebService.REQUEST_FAILED.AccountNotFound",
      errorMessage: "Account not found",
    });
    expect(error).toMatchObject({ errorClass: "REQUEST_FAILED", service: "UnifiedWebService", status: 400 });
    expect(error.message).toBe(
      'ThingSpace refused POST /api/m2m/v1/devices/actions/activate with HTTP 400 UnifiedWebService.REQUEST_FAILED.AccountNotFound: "Account not found".',
    );
    expect(JSON.parse(JSON.stringify(error))).toEqual({
      name: "ThingSpaceApiError",
      message: error.message,
      operation: "POST /api/m2m/v1/devices/actions/activate",
      status: 400,
      errorCode: "UnifiedWebService.REQUEST_FAILED.AccountNotFound",
      errorMessage: "Account not found",
      errorClass: "REQUEST_FAILED",
      service: "UnifiedWebService",
    });
  });

  it("TimeoutError says how long it waited and what to check; its JSON keeps only name and message of a cause", () => {
    const error = new TimeoutError({ operation: "PUT /x", timeoutMs: 30_000, howToCheck: "List the devices." });
    expect(error.message).toBe(
      "PUT /x got no answer within 30000 ms; it may have taken effect, so it was not sent again. List the devices.",
    );
    const wrapped = new AuthenticationError(
      "login timed out",
      { stage: "login", resetRequired: true },
      { cause: error },
    );
    expect(JSON.parse(JSON.stringify(wrapped)).cause).toEqual({ name: "TimeoutError", message: error.message });
  });

  it("an outcome-unknown error carries the call's devices for checkOutcome; its JSON counts them instead of listing them", () => {
    const devices = [
      { deviceIds: [{ kind: "imei", id: "990000000000000" }] },
      { deviceIds: [{ kind: "imei", id: "990000000000001" }] },
    ];
    const error = new TimeoutError({
      operation: "PUT /api/m2m/v1/devices/actions/goToState",
      operationId: "goToState",
      timeoutMs: 1_000,
      howToCheck: "Check.",
      target: { devices, stateName: "In service" },
    });
    expect(error.target).toEqual({ devices, stateName: "In service" });
    expect(JSON.parse(JSON.stringify(error))).toEqual({
      name: "TimeoutError",
      message: error.message,
      operationId: "goToState",
      operation: "PUT /api/m2m/v1/devices/actions/goToState",
      reason: "timeout",
      howToCheck: "Check.",
      target: { stateName: "In service", deviceCount: 2 },
      timeoutMs: 1_000,
    });
  });
});

describe("SecretRedactor", () => {
  it("scrubs every remembered secret, longest first, and ignores values too short to scrub safely", () => {
    const redactor = new SecretRedactor();
    redactor.add("abc", "token-123", "token-123-extended", undefined);
    expect(redactor.redact("abc token-123-extended token-123")).toBe("abc [redacted] [redacted]");
  });

  it("forgets the oldest secrets beyond its capacity", () => {
    const redactor = new SecretRedactor();
    for (let i = 0; i <= SecretRedactor.capacity; i++) redactor.add(`secret-${i}`);
    expect(redactor.redact("secret-0 secret-1")).toBe("secret-0 [redacted]");
  });
});

describe("retry policy helpers", () => {
  it("reads Retry-After as seconds or as an HTTP date", () => {
    expect(parseRetryAfter("12", 0)).toBe(12_000);
    expect(parseRetryAfter("Wed, 21 Oct 2015 07:28:10 GMT", Date.parse("Wed, 21 Oct 2015 07:28:00 GMT"))).toBe(10_000);
    expect(parseRetryAfter("soon", 0)).toBeUndefined();
    expect(parseRetryAfter(null, 0)).toBeUndefined();
  });

  it("finds the platform code in causes and aggregate errors", () => {
    const refused = Object.assign(new Error("connect"), { code: "ECONNREFUSED" });
    expect(networkErrorCode(new TypeError("fetch failed", { cause: refused }))).toBe("ECONNREFUSED");
    expect(
      networkErrorCode(new TypeError("fetch failed", { cause: new AggregateError([new Error("x"), refused]) })),
    ).toBe("ECONNREFUSED");
    expect(networkErrorCode(new TypeError("Failed to fetch"))).toBeUndefined();
  });
});

describe("createSafeLogger", () => {
  it("scrubs secrets from the message and from every string in the details, quotes included", () => {
    const redactor = new SecretRedactor();
    redactor.add('pa"ss-word');
    const lines: unknown[][] = [];
    const logger = createSafeLogger({ warn: (...args: unknown[]) => lines.push(args) }, redactor);
    logger.warn('login with pa"ss-word failed', { nested: { list: ['pa"ss-word', 3] }, ok: true });
    logger.info("dropped: the logger has no info");
    expect(lines).toEqual([["login with [redacted] failed", { nested: { list: ["[redacted]", 3] }, ok: true }]]);
  });
});

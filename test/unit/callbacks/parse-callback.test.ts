import { inspect } from "node:util";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseCallback } from "../../../src/callbacks/parse.js";
import type { CallbackService } from "../../../src/callbacks/types.js";
import { specExample } from "../../support/spec-document.js";

const examples: { example: string; service: CallbackService; kind: string; unhinted: string }[] = [
  {
    example: "CarrierServiceActivateSucceeded",
    service: "CarrierService",
    kind: "activateSucceeded",
    unhinted: "activateSucceeded",
  },
  {
    example: "CarrierServiceActivateFailed",
    service: "CarrierService",
    kind: "activateFailed",
    unhinted: "deviceFailed",
  },
  {
    example: "NiddServiceConfigCreated",
    service: "NiddService",
    kind: "niddConfigCreated",
    unhinted: "niddConfigCreated",
  },
  {
    example: "NiddServiceConfigFailed",
    service: "NiddService",
    kind: "niddConfigFailed",
    unhinted: "niddConfigFailed",
  },
  {
    example: "StateServiceGoToStateSucceeded",
    service: "StateService",
    kind: "goToStateSucceeded",
    unhinted: "goToStateSucceeded",
  },
];

describe("parseCallback on the pages' examples", () => {
  it.each(examples)("$example parses verbatim to $kind with its service", ({ example, service, kind }) => {
    const text = JSON.stringify(specExample(example));
    const result = parseCallback(text, { service });
    expect(result.ok && result.callback.kind).toBe(kind);
    expect(result.ok && result.callback.service).toBe(service);
    expect(result.ok && result.callback.payload).toEqual(JSON.parse(text));
  });

  it.each(examples)("$example parses to $unhinted without a service hint", ({ example, unhinted }) => {
    const result = parseCallback(specExample(example));
    expect(result.ok && result.callback.kind).toBe(unhinted);
  });

  it("keeps an object payload as the same object, kinds untouched", () => {
    const body = specExample<{ deviceIds: { kind: string }[] }>("CarrierServiceActivateSucceeded");
    const result = parseCallback(body, { service: "CarrierService" });
    expect(result.ok && result.callback.payload).toBe(body);
    expect(body.deviceIds[0]!.kind).toBe("IMEI");
  });

  it("offers lower-case kinds, the device key and every reported identifier", () => {
    const result = parseCallback(specExample("CarrierServiceActivateSucceeded"));
    if (!result.ok) throw new Error("expected the example to parse");
    expect(result.callback.requestId).toBe("595f5c44-c31c-4552-8670-020a1545a84d");
    expect(result.callback.outcome).toBe("succeeded");
    expect(result.callback.deviceIds).toEqual([{ kind: "imei", id: "352452060026934" }]);
    expect(result.callback.deviceKey).toBe("imei:352452060026934");
    expect(result.callback.allDeviceIds).toEqual([
      { kind: "imei", id: "352452060026934" },
      { kind: "mdn", id: "5096306081" },
      { kind: "imsi", id: "311480104434320" },
      { kind: "iccid", id: "89148000001024124378" },
      { kind: "msisdn", id: "13122379508" },
      { kind: "min", id: "2345958183" },
    ]);
  });

  it("never prints the credentials when the parsed callback is logged or serialized", () => {
    const result = parseCallback({
      ...specExample<object>("NiddServiceConfigCreated"),
      password: "s3cret-callback-password",
    });
    if (!result.ok) throw new Error("expected the example to parse");
    expect(JSON.stringify(result.callback)).not.toContain("s3cret");
    expect(JSON.parse(JSON.stringify(result.callback)).payload).toMatchObject({
      username: "[redacted]",
      password: "[redacted]",
    });
    expect(inspect(result.callback, { depth: 10 })).not.toContain("s3cret");
    expect(result.callback.payload.password).toBe("s3cret-callback-password");
  });

  it("takes a NIDD message's device from niddConfigResponse", () => {
    const result = parseCallback(specExample("NiddServiceConfigFailed"), { service: "NiddService" });
    expect(result.ok && result.callback.deviceKey).toBe(
      "eid:99962019000000000000000000000002|imei:9996201900000000000345",
    );
    expect(result.ok && result.callback.outcome).toBe("failed");
  });

  it("reads UTF-8 bytes like text", () => {
    const bytes = new TextEncoder().encode(JSON.stringify(specExample("StateServiceGoToStateSucceeded")));
    expect(parseCallback(bytes).ok).toBe(true);
    expect(parseCallback(bytes.buffer).ok).toBe(true);
  });

  it("names the rule when a hinted service does not match the body", () => {
    const result = parseCallback(specExample("NiddServiceConfigCreated"), { service: "StateService" });
    expect(result).toEqual({
      ok: false,
      violations: [
        { path: "/deviceIds", rule: "required", message: "/deviceIds is required" },
        { path: "/deviceResponse", rule: "required", message: "/deviceResponse is required" },
        { path: "/faultResponse", rule: "required", message: "/faultResponse is required" },
        { path: "", rule: "oneOf", message: "the body must match exactly one of its variants" },
      ],
    });
  });

  it("rejects a body that is both a success and a failure", () => {
    const body = {
      ...specExample<object>("CarrierServiceActivateSucceeded"),
      faultResponse: { faultcode: "X", faultstring: "y" },
    };
    expect(parseCallback(body)).toEqual({
      ok: false,
      violations: [{ path: "", rule: "oneOf", message: "the body must match exactly one of its variants" }],
    });
  });

  it("throws a TypeError for an unknown service hint, naming the allowed ones", () => {
    expect(() => parseCallback("{}", { service: "PushService" as CallbackService })).toThrow(
      "options.service must be one of CarrierService, NiddService, StateService",
    );
  });
});

describe("parseCallback never throws", () => {
  it("on text that is not JSON, without quoting it", () => {
    expect(parseCallback('{"password":"s3cret"')).toEqual({
      ok: false,
      violations: [
        { path: "", rule: "json", message: "the body is not valid JSON (are you passing the raw request body text?)" },
      ],
    });
  });

  it("on an empty body and on bytes that are not UTF-8", () => {
    expect(parseCallback(" ")).toEqual({
      ok: false,
      violations: [{ path: "", rule: "json", message: "the body is empty: a callback is a JSON object" }],
    });
    expect(parseCallback(new Uint8Array([0x7b, 0xff, 0x7d]))).toEqual({
      ok: false,
      violations: [{ path: "", rule: "encoding", message: "the body is not valid UTF-8 text" }],
    });
  });

  it("on JSON values that are not objects", () => {
    // A string is always body text, so a JSON string value arrives here as '"text"'.
    for (const value of [null, 0, '"text"', true, [], [specExample("CarrierServiceActivateFailed")]]) {
      const result = parseCallback(value);
      expect(result.ok).toBe(false);
      expect(!result.ok && result.violations[0]).toEqual({
        path: "",
        rule: "type",
        message: "the body must be of type object",
      });
    }
  });

  it("on hostile values: throwing getters, proxies, cycles", () => {
    const getter = Object.defineProperty({}, "requestId", {
      enumerable: true,
      get: () => {
        throw new Error("boom");
      },
    });
    const proxy = new Proxy(
      {},
      {
        get: () => {
          throw new Error("boom");
        },
        has: () => {
          throw new Error("boom");
        },
      },
    );
    const cycle: Record<string, unknown> = { requestId: "r", status: "Success" };
    cycle.deviceIds = [cycle];
    for (const value of [getter, proxy, cycle]) expect(parseCallback(value).ok).toBe(false);
  });

  it("on huge and deeply nested input", () => {
    expect(parseCallback("[".repeat(200_000)).ok).toBe(false);
    expect(parseCallback("x".repeat(5_000_000)).ok).toBe(false);
    const deep = `${'{"a":'.repeat(100_000)}1${"}".repeat(100_000)}`;
    expect(parseCallback(deep).ok).toBe(false);
  });

  it("on any string or JSON value (property-based)", () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.jsonValue(), fc.anything()), (value) => {
        const result = parseCallback(value);
        return result.ok ? typeof result.callback.kind === "string" : result.violations.length > 0;
      }),
      { numRuns: 500 },
    );
  });

  it("on mutations of valid callbacks (property-based)", () => {
    const base = specExample<Record<string, unknown>>("CarrierServiceActivateSucceeded");
    fc.assert(
      fc.property(
        fc.dictionary(fc.constantFrom(...Object.keys(base), "faultResponse", "niddResponse"), fc.jsonValue()),
        (patch) => {
          const result = parseCallback({ ...base, ...patch });
          return result.ok || result.violations.every((v) => typeof v.path === "string" && v.message.length > 0);
        },
      ),
      { numRuns: 300 },
    );
  });
});

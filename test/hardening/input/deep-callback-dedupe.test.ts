/**
 * Regression: a valid callback that names no device is keyed by its content; a deeply nested
 * unknown field made that key overflow the stack, so it was answered 500 on every copy.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { callbackDedupeKey, createCallbackHandler, parseCallback } from "../../../src/callbacks/index.js";
import { stackSafeJson } from "../../../src/callbacks/dedupe.js";
import { specExample } from "../../support/spec-document.js";
import { runs } from "./support/spec-payloads.js";

describe("a valid callback naming no device, with a deeply nested unknown field", () => {
  let deep = "0";
  for (let i = 0; i < 20_000; i++) deep = `[${deep}]`;
  const failed = {
    ...specExample<{ requestId: string }>("CarrierServiceActivateFailed"),
    username: "listener",
    password: "pw-1",
    deviceIds: [],
  };
  const text = JSON.stringify({ ...failed, extra: 0 }).replace('"extra":0', `"extra":${deep}`);

  it("is handled, then acknowledged as a duplicate (its dedupe key used to overflow the stack: 500 on every copy)", async () => {
    const handled: string[] = [];
    const errors: unknown[] = [];
    const handler = createCallbackHandler({
      service: "CarrierService",
      credentials: { username: "listener", password: "pw-1" },
      handlers: { activateFailed: (callback) => void handled.push(callback.requestId) },
      onError: (error) => errors.push(error),
    });
    const post = () =>
      handler(
        new Request("http://127.0.0.1/cb", {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: text,
        }),
      );
    const first = await post();
    expect([first.status, await first.json()]).toEqual([
      200,
      { status: "handled", kind: "activateFailed", requestId: failed.requestId },
    ]);
    const second = await post();
    expect([second.status, await second.json()]).toEqual([
      200,
      { status: "duplicate", kind: "activateFailed", requestId: failed.requestId },
    ]);
    expect(handled).toEqual([failed.requestId]);
    expect(errors).toEqual([]);
  });

  it("has a dedupe key that tells it apart from the same message with another nested value", () => {
    const keyOf = (body: string) => {
      const result = parseCallback(body, { service: "CarrierService" });
      if (!result.ok) throw new Error("fixture is invalid");
      return callbackDedupeKey(result.callback);
    };
    expect(keyOf(text)).not.toBe(keyOf(text.replace("[[[0]]]", "[[[1]]]")));
    expect(keyOf(text)).not.toContain("pw-1");
  });
});

describe("stackSafeJson", () => {
  it("writes exactly what JSON.stringify writes for any JSON value", () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        expect(stackSafeJson(value)).toBe(JSON.stringify(value));
      }),
      runs(500),
    );
  });

  it("leaves out undefined members as JSON.stringify does, and never throws on cycles or bigints", () => {
    const cyclic: Record<string, unknown> = { a: 1, skip: undefined, list: [undefined, () => 1] };
    cyclic.self = cyclic;
    const shared = { x: 1 };
    expect(stackSafeJson(cyclic)).toBe('{"a":1,"list":[null,null],"self":"[cycle]"}');
    expect(stackSafeJson({ one: shared, two: shared, big: 10n })).toBe('{"one":{"x":1},"two":{"x":1},"big":"10"}');
  });
});

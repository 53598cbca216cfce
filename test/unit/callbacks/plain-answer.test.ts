// The handler's declared `answer`: the same handling as the Fetch handler, given as plain data
// (what the node adapter writes itself), so no hidden property carries it.
import { describe, expect, expectTypeOf, it } from "vitest";
import { createCallbackHandler, type CallbackRequestHandler } from "../../../src/callbacks/index.js";
import { credentials, signedCallback } from "./signed-callback.js";

const jsonHeaders = { "content-type": "application/json; charset=utf-8", "cache-control": "no-store" };

describe("createCallbackHandler(...).answer", () => {
  it("is declared on the handler type, optional for handlers of your own", () => {
    expectTypeOf(createCallbackHandler).returns.toEqualTypeOf<CallbackRequestHandler>();
    const own: CallbackRequestHandler = async () => new Response(null, { status: 204 });
    expect(own.answer).toBeUndefined();
  });

  it("answers a callback as status, headers and JSON body, exactly what the Response carries", async () => {
    const handler = createCallbackHandler({ credentials, service: "StateService", onCallback: () => undefined });
    const plain = await handler.answer!(signedCallback("StateServiceGoToStateSucceeded"));
    const response = await handler(signedCallback("StateServiceGoToStateSucceeded"));
    const requestId = "595f5c44-c31c-4552-8670-020a1545a84d";
    expect(plain).toEqual({
      status: 200,
      headers: jsonHeaders,
      body: { status: "handled", kind: "goToStateSucceeded", requestId },
    });
    expect([response.status, Object.fromEntries(response.headers), await response.json()]).toEqual([
      200,
      jsonHeaders,
      { status: "duplicate", kind: "goToStateSucceeded", requestId },
    ]);
  });

  it("carries the extra headers of a refusal: Allow for 405, Accept-Post for 415", async () => {
    const handler = createCallbackHandler({ credentials, onCallback: () => undefined });
    const get = await handler.answer!(new Request("https://listener.example/", { method: "GET" }));
    expect(get).toEqual({
      status: 405,
      headers: { ...jsonHeaders, allow: "POST" },
      body: { error: "method_not_allowed", message: "callbacks are sent with POST" },
    });
    const text = await handler.answer!(
      new Request("https://listener.example/", {
        method: "POST",
        headers: { "content-type": "text/plain" },
        body: "x",
      }),
    );
    expect(text).toEqual({
      status: 415,
      headers: { ...jsonHeaders, "accept-post": "application/json" },
      body: { error: "unsupported_media_type", message: "callbacks are JSON: Content-Type must be application/json" },
    });
  });
});

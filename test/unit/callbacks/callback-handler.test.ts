// The handler called directly with Fetch Requests, as Bun, Deno, Workers and Next.js call it.
import fc from "fast-check";
import { describe, expect, it, vi } from "vitest";
import { createCallbackHandler } from "../../../src/callbacks/receiver.js";
import { bundleInputs } from "../../support/bundle-inputs.js";
import { specExample } from "../../support/spec-document.js";

const credentials = { username: "listener", password: "a-long-random-secret" };
const callbackRequest = () =>
  new Request("https://listener.example/thingspace/state", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ ...specExample<object>("StateServiceGoToStateSucceeded"), ...credentials }),
  });

describe("createCallbackHandler as a Fetch handler", () => {
  it("answers 200 with no host context at all", async () => {
    const handler = createCallbackHandler({ credentials, service: "StateService", onCallback: () => undefined });
    const response = await handler(callbackRequest());
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/json; charset=utf-8");
  });

  it("reads the sender's address from Deno.serve's connection info for allowedSources", async () => {
    const handler = createCallbackHandler({
      credentials,
      allowedSources: ["137.117.33.109"],
      onCallback: () => undefined,
    });
    const deno = (hostname: string) => ({ remoteAddr: { transport: "tcp", hostname, port: 40000 } });
    expect((await handler(callbackRequest(), deno("137.117.33.109") as never)).status).toBe(200);
    expect((await handler(callbackRequest(), deno("10.1.2.3") as never)).status).toBe(403);
  });

  it("answers 500 and says why when a body parser already read the body", async () => {
    const onError = vi.fn();
    const handler = createCallbackHandler({ credentials, onCallback: () => undefined, onError });
    const request = callbackRequest();
    await request.text();
    const response = await handler(request);
    expect(response.status).toBe(500);
    expect(await response.json()).toEqual({
      error: "internal_error",
      message: "the callback could not be handled; send it again later",
    });
    expect(String(onError.mock.calls[0]![0])).toBe(
      "Error: the request body was already read: mount the callback handler before any body parser",
    );
  });

  it("answers 400 for bytes that are not UTF-8", async () => {
    const handler = createCallbackHandler({ credentials, onCallback: () => undefined });
    const request = new Request("https://listener.example/", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: new Uint8Array([0x7b, 0xff, 0x7d]),
    });
    const response = await handler(request);
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      error: "invalid_json",
      message: "the body is not valid UTF-8 text",
      violations: [{ path: "", rule: "encoding", message: "the body is not valid UTF-8 text" }],
    });
  });

  it("still answers when onError and onInvalid themselves throw", async () => {
    const handler = createCallbackHandler({
      credentials,
      onCallback: () => {
        throw new Error("handler failed");
      },
      onError: () => {
        throw new Error("logger down");
      },
      onInvalid: () => {
        throw new Error("dead-letter queue down");
      },
    });
    expect((await handler(callbackRequest())).status).toBe(500);
    const invalid = new Request("https://listener.example/", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{",
    });
    expect((await handler(invalid)).status).toBe(400);
  });

  it("answers every body with 200, 400 or 401, never a crash (property-based)", async () => {
    const handler = createCallbackHandler({ credentials, onCallback: () => undefined });
    const base = specExample<Record<string, unknown>>("CarrierServiceActivateSucceeded");
    const bodies = fc.oneof(
      fc.string(),
      fc.jsonValue().map((value) => JSON.stringify(value)),
      fc
        .dictionary(fc.constantFrom(...Object.keys(base), "faultResponse", "niddResponse"), fc.jsonValue())
        .map((patch) => JSON.stringify({ ...base, ...patch, ...credentials })),
    );
    await fc.assert(
      fc.asyncProperty(bodies, async (body) => {
        const request = new Request("https://listener.example/", {
          method: "POST",
          headers: { "content-type": "application/json" },
          body,
        });
        const response = await handler(request);
        const text = await response.text();
        return [200, 400, 401].includes(response.status) && !text.includes(credentials.password);
      }),
      { numRuns: 300 },
    );
  });
});

describe("createCallbackHandler's service option", () => {
  it("refuses a name that is none of the three typed services, listing them", () => {
    expect(() =>
      createCallbackHandler({ credentials, service: "CarrierServices" as never, onCallback: () => undefined }),
    ).toThrow(new TypeError("service must be CarrierService, NiddService or StateService"));
  });

  it("takes the names from the shared list without the callbacks entry loading leven", async () => {
    const inputs = await bundleInputs("src/callbacks/index.ts");
    expect(inputs).toContain("src/shared/callback-services.ts");
    expect(inputs.filter((input) => input.includes("leven") || input.includes("near-miss"))).toEqual([]);
  });
});

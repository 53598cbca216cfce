import { afterEach, describe, expect, it, vi } from "vitest";
import type { CallbackHandlerOptions, InvalidCallbackEvent } from "../../../src/callbacks/index.js";
import { specExample } from "../../support/spec-document.js";
import { post, postChunked, startReceiver, type Receiver } from "./receiver-server.js";

const registered = { username: "thingspace", password: "s3cret-callback-password" };
const signed = (example: string) => ({ ...specExample<object>(example), ...registered });

let receiver: Receiver | undefined;
afterEach(async () => {
  await receiver?.close();
  receiver = undefined;
});

async function start(options: Partial<CallbackHandlerOptions> = {}) {
  const handler = vi.fn();
  const onInvalid = vi.fn<(event: InvalidCallbackEvent) => void>();
  receiver = await startReceiver({
    credentials: registered,
    service: "CarrierService",
    handlers: { activateSucceeded: handler, activateFailed: handler },
    onInvalid,
    ...options,
  } as CallbackHandlerOptions);
  return { url: receiver.url, handler, onInvalid };
}

describe("the receiver refuses what is not a trustworthy callback", () => {
  it("405 with Allow: POST for any other method", async () => {
    const { url, handler } = await start();
    const answer = await post(url, undefined, {}, "GET");
    expect(answer.status).toBe(405);
    expect(answer.headers.get("allow")).toBe("POST");
    expect(answer.json).toEqual({ error: "method_not_allowed", message: "callbacks are sent with POST" });
    expect(handler).not.toHaveBeenCalled();
  });

  it("415 for a body that is not declared JSON", async () => {
    const { url } = await start();
    const answer = await post(url, JSON.stringify(signed("CarrierServiceActivateSucceeded")), {
      "content-type": "text/plain",
    });
    expect(answer.status).toBe(415);
    expect(answer.headers.get("accept-post")).toBe("application/json");
    expect(answer.json).toEqual({
      error: "unsupported_media_type",
      message: "callbacks are JSON: Content-Type must be application/json",
    });
  });

  it("accepts application/json with parameters", async () => {
    const { url } = await start();
    const answer = await post(url, signed("CarrierServiceActivateSucceeded"), {
      "content-type": "Application/JSON; charset=UTF-8",
    });
    expect(answer.status).toBe(200);
  });

  it("413 when Content-Length declares more than maxBodyBytes", async () => {
    const { url, handler } = await start({ maxBodyBytes: 1024 });
    const answer = await post(url, { ...signed("CarrierServiceActivateSucceeded"), padding: "x".repeat(2048) });
    expect(answer.status).toBe(413);
    expect(answer.json).toEqual({ error: "payload_too_large", message: "the body is larger than 1024 bytes" });
    expect(handler).not.toHaveBeenCalled();
  });

  it("413 while streaming a chunked body with no Content-Length", async () => {
    const { url, handler } = await start({ maxBodyBytes: 1024 });
    const answer = await postChunked(url, ['{"padding":"', "x".repeat(700), "x".repeat(700), '"}']);
    expect(answer).toEqual({
      status: 413,
      json: { error: "payload_too_large", message: "the body is larger than 1024 bytes" },
    });
    expect(handler).not.toHaveBeenCalled();
  });

  it("400 for a body that is not JSON, reported to onInvalid", async () => {
    const { url, onInvalid } = await start();
    const answer = await post(url, `{"username":"thingspace","password":"${registered.password}",`);
    const violation = {
      path: "",
      rule: "json",
      message: "the body is not valid JSON (are you passing the raw request body text?)",
    };
    expect(answer.status).toBe(400);
    expect(answer.json).toEqual({ error: "invalid_json", message: violation.message, violations: [violation] });
    expect(onInvalid).toHaveBeenCalledExactlyOnceWith({
      reason: "json",
      violations: [violation],
      remoteAddress: "127.0.0.1",
    });
    expect(answer.text).not.toContain(registered.password);
  });

  it.each([
    ["a wrong password", { password: "guess" }],
    ["a wrong username", { username: "thingspace2" }],
    ["no credentials", { username: undefined, password: undefined }],
    ["the empty pair of an unregistered URL", { username: "", password: "" }],
  ])("401 for %s, and no handler runs", async (_, change) => {
    const { url, handler, onInvalid } = await start();
    const answer = await post(url, { ...signed("CarrierServiceActivateSucceeded"), ...change });
    expect(answer.status).toBe(401);
    expect(answer.json).toEqual({
      error: "unauthorized",
      message: "username and password do not match the pair registered for this callback URL",
    });
    expect(handler).not.toHaveBeenCalled();
    expect(onInvalid).not.toHaveBeenCalled();
  });

  it("400 with the violations' paths for a schema-invalid callback, reported to onInvalid without credentials", async () => {
    const { url, handler, onInvalid } = await start();
    const body = signed("CarrierServiceActivateSucceeded") as Record<string, any>;
    delete body.requestId;
    body.deviceIds = [{ kind: "", id: 352452060026934 }];
    const answer = await post(url, body);
    const violations = [
      { path: "/requestId", rule: "required", message: "/requestId is required" },
      { path: "/deviceIds/0/kind", rule: "minLength", message: "/deviceIds/0/kind must be at least 1 character(s)" },
      { path: "/deviceIds/0/id", rule: "type", message: "/deviceIds/0/id must be of type string" },
    ];
    expect(answer.status).toBe(400);
    expect(answer.json).toEqual({
      error: "invalid_callback",
      message: "the body is not a valid CarrierService callback",
      violations,
    });
    expect(handler).not.toHaveBeenCalled();
    const event = onInvalid.mock.calls[0]![0];
    expect(event).toMatchObject({ reason: "schema", violations, remoteAddress: "127.0.0.1" });
    expect(event.body).toMatchObject({ username: "[redacted]", password: "[redacted]", status: "Success" });
    expect(JSON.stringify(event)).not.toContain(registered.password);
  });

  it("400 for a NIDD message posted to the CarrierService URL", async () => {
    const { url } = await start();
    const answer = await post(url, signed("NiddServiceConfigCreated"));
    expect(answer.status).toBe(400);
    expect((answer.json as { violations: { path: string }[] }).violations.map((v) => v.path)).toEqual([
      "/deviceIds",
      "/deviceResponse",
      "/faultResponse",
      "",
    ]);
  });

  it("403 for a sender outside allowedSources, before anything else", async () => {
    const { url, handler } = await start({ allowedSources: ["137.117.33.109", "168.62.173.153"] });
    const answer = await post(url, signed("CarrierServiceActivateSucceeded"));
    expect(answer.status).toBe(403);
    expect(answer.json).toEqual({ error: "forbidden", message: "callbacks are not accepted from this address" });
    expect(handler).not.toHaveBeenCalled();
  });

  it("200 for a sender inside allowedSources (the socket's address reaches the handler)", async () => {
    const { url, handler } = await start({ allowedSources: ["127.0.0.1"] });
    const answer = await post(url, signed("CarrierServiceActivateSucceeded"));
    expect(answer.status).toBe(200);
    expect(handler).toHaveBeenCalledTimes(1);
  });

  it("uses the node adapter's remoteAddress option, e.g. behind a trusted proxy", async () => {
    receiver = await startReceiver(
      { credentials: registered, onCallback: () => undefined, allowedSources: ["137.117.33.109"] },
      { remoteAddress: (incoming) => String(incoming.headers["x-test-client"]) },
    );
    expect(
      (await post(receiver.url, signed("CarrierServiceActivateSucceeded"), { "x-test-client": "137.117.33.109" }))
        .status,
    ).toBe(200);
    expect(
      (await post(receiver.url, signed("CarrierServiceActivateSucceeded"), { "x-test-client": "10.0.0.1" })).status,
    ).toBe(403);
  });
});

describe("createCallbackHandler's configuration", () => {
  it("refuses to start without credentials unless the loud opt-out is given", async () => {
    const { createCallbackHandler } = await import("../../../src/callbacks/index.js");
    expect(() => createCallbackHandler({ onCallback: () => undefined } as unknown as CallbackHandlerOptions)).toThrow(
      /credentials must be the \{ username, password \} registered/,
    );
    expect(() =>
      createCallbackHandler({
        credentials: registered,
        dangerouslyAcceptUnauthenticatedCallbacks: true,
        onCallback: () => undefined,
      } as unknown as CallbackHandlerOptions),
    ).toThrow("pass either credentials or dangerouslyAcceptUnauthenticatedCallbacks: true, not both");
    expect(() => createCallbackHandler({ credentials: registered } as CallbackHandlerOptions)).toThrow(
      /needs handlers .* or onCallback/,
    );
  });
});

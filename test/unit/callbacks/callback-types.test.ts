import { describe, expect, expectTypeOf, it } from "vitest";
import type { components } from "../../../generated/openapi-types.js";
import {
  createCallbackHandler,
  createCallbackTracker,
  parseCallback,
  type CallbackKind,
  type ParsedCallback,
} from "../../../src/callbacks/index.js";
import type { Violation } from "../../../src/shared/violations.js";
import { specExample } from "../../support/spec-document.js";

type Schemas = components["schemas"];

describe("the parsed callback's types", () => {
  it("narrow on ok, then on kind, to the spec's payload types", () => {
    const result = parseCallback(specExample("CarrierServiceActivateSucceeded"), { service: "CarrierService" });
    if (!result.ok) {
      expectTypeOf(result.violations).toEqualTypeOf<readonly Violation[]>();
      throw new Error("expected the example to parse");
    }
    const callback: ParsedCallback = result.callback;
    expectTypeOf(callback.kind).toEqualTypeOf<CallbackKind>();
    switch (callback.kind) {
      case "activateSucceeded":
        expectTypeOf(callback.payload).toEqualTypeOf<Schemas["ActivateSucceededCallback"]>();
        expectTypeOf(callback.service).toEqualTypeOf<"CarrierService">();
        expectTypeOf(callback.outcome).toEqualTypeOf<"succeeded">();
        // @ts-expect-error a success carries no faultResponse
        void callback.payload.faultResponse;
        break;
      case "activateFailed":
      case "goToStateFailed":
      case "deviceFailed":
        expectTypeOf(callback.payload.faultResponse).toEqualTypeOf<Schemas["FaultResponse"]>();
        expectTypeOf(callback.outcome).toEqualTypeOf<"failed">();
        break;
      case "niddConfigCreated":
        expectTypeOf(callback.payload.status).toEqualTypeOf<"ConfigCreated">();
        break;
      case "niddConfigFailed":
        expectTypeOf(callback.payload.niddResponse).toEqualTypeOf<Schemas["NiddConfigResponse"]>();
        break;
      case "goToStateSucceeded":
        expectTypeOf(callback.payload.deviceResponse.goToStateResponse).toEqualTypeOf<Schemas["GoToStateResponse"]>();
        break;
      default:
        expectTypeOf(callback).toBeNever();
    }
    expectTypeOf(callback.deviceIds).toEqualTypeOf<readonly Schemas["ReportedDeviceId"][]>();
    expect(callback.kind).toBe("activateSucceeded");
  });

  it("type each handler with its kind's variant and refuse misuse", () => {
    const handler = createCallbackHandler({
      credentials: { username: "user", password: "pwd" },
      handlers: {
        activateFailed: (callback) => {
          expectTypeOf(callback.payload.faultResponse.faultcode).toEqualTypeOf<string>();
        },
        // @ts-expect-error there is no "activated" kind
        activated: () => undefined,
      },
    });
    expectTypeOf(handler).toExtend<
      (request: Request, context?: { readonly remoteAddress?: string }) => Promise<Response>
    >();
    // As the hosts call it: Deno.serve, Bun.serve's fetch, Workers' fetch, a Next.js route.
    expectTypeOf(handler).toExtend<
      (request: Request, info: { remoteAddr: { hostname: string; port: number } }) => Promise<Response>
    >();
    expectTypeOf(handler).toExtend<(request: Request, server: { port: number; stop(): void }) => Promise<Response>>();
    expectTypeOf(handler).toExtend<
      (
        request: Request,
        env: Record<string, unknown>,
        ctx: { waitUntil(p: Promise<unknown>): void },
      ) => Promise<Response>
    >();
    expectTypeOf(handler).toExtend<
      (request: Request, context: { params: Promise<Record<string, string>> }) => Promise<Response>
    >();
    // @ts-expect-error the address goes in { remoteAddress }, not as a bare string
    void handler(new Request("http://127.0.0.1/", { method: "POST" }), "137.117.33.109");

    // @ts-expect-error credentials are required unless the loud opt-out is given
    expect(() => createCallbackHandler({ onCallback: () => undefined })).toThrow(TypeError);
    createCallbackHandler({ dangerouslyAcceptUnauthenticatedCallbacks: true, onCallback: () => undefined });
    // @ts-expect-error a callback service is one of the three the spec names
    expect(() => parseCallback("{}", { service: "CarrierServices" })).toThrow(TypeError);
  });

  it("let the tracker take the client's batch chunks structurally", () => {
    const tracker = createCallbackTracker();
    const chunk = {
      index: 0,
      status: "accepted" as const,
      requestId: "r-1",
      devices: [{ deviceIds: [{ kind: "imei" as const, id: "990013907835573" }] }],
    };
    expect(tracker.expectChunk(chunk)).toBe(true);
    expect(() =>
      // @ts-expect-error a device needs its deviceIds
      tracker.expectChunk({ requestId: "r-2", devices: [{ imei: "990013907835573" }] }),
    ).toThrow("each expected device needs deviceIds: [{ kind, id }, ...]");
  });
});

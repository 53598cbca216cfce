/**
 * Bodies and answers a client can be handed by hostile or careless input: regressions for
 * findings of the hardening tests (test/hardening/input).
 */
import { describe, expect, it } from "vitest";
import { ThingSpaceApiError, ValidationError, createThingSpaceClient } from "../../../src/client/index.js";
import { recordingClient } from "../../hardening/input/support/recording-client.js";

describe("the client with hostile bodies", () => {
  it("validates and sends the same body when it carries a parsed __proto__ key", async () => {
    const { client, operations } = recordingClient({ accountName: "TestAccount-1" });
    const body = JSON.parse(
      '{"__proto__":{"devices":[{"deviceIds":[{"kind":"imei","id":"990013907835573"}]}]},"servicePlan":"M2MPlan","mdnZipCode":"98801"}',
    );
    const error = await client.activateDevices(body).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).violations.map((v) => [v.path, v.rule])).toContainEqual([
      "/__proto__",
      "additionalProperties",
    ]);
    expect(operations()).toEqual([]);
  });

  it.each([
    ["activateDevices(null)", (c: ReturnType<typeof recordingClient>["client"]) => c.activateDevices(null as never)],
    ["addDevices(undefined)", (c: ReturnType<typeof recordingClient>["client"]) => c.addDevices(undefined as never)],
    [
      "registerCallback(undefined)",
      (c: ReturnType<typeof recordingClient>["client"]) => c.registerCallback(undefined as never),
    ],
  ])("%s rejects with a ValidationError and sends nothing", async (_name, call) => {
    const { client, operations } = recordingClient({ accountName: "TestAccount-1" });
    await expect(call(client)).rejects.toBeInstanceOf(ValidationError);
    expect(operations()).toEqual([]);
  });
});

describe("the client with answers that echo a secret", () => {
  const secret = "m2m-password-0123456789";
  const clientAnswering = (errorBody: unknown) =>
    createThingSpaceClient({
      baseUrl: "https://thingspace.test/api",
      credentials: { clientId: "client-id", clientSecret: "client-secret", username: "m2m-user", password: secret },
      fetch: async (request) => {
        const path = new URL(request.url).pathname;
        if (path.endsWith("/oauth2/token"))
          return Response.json({ access_token: "a", token_type: "Bearer", expires_in: 3600 });
        if (path.endsWith("/session/login")) return Response.json({ sessionToken: "s" });
        return Response.json(errorBody, { status: 400 });
      },
    });
  const call = (client: ReturnType<typeof clientAnswering>) =>
    client.activateDevices({ groupName: "g", servicePlan: "p", mdnZipCode: "98801" }).then(
      () => {
        throw new Error("expected ThingSpace's refusal");
      },
      (e: unknown) => e as ThingSpaceApiError,
    );

  it("redacts a secret echoed in errorCode", async () => {
    const error = await call(clientAnswering({ errorCode: `INPUT_INVALID.${secret}`, errorMessage: "no" }));
    expect(error).toBeInstanceOf(ThingSpaceApiError);
    expect(error.errorCode).toBe("INPUT_INVALID.[redacted]");
    expect(JSON.stringify(error) + String(error)).not.toContain(secret);
  });

  it("redacts before it shortens a long message, so no part of a secret survives the cut", async () => {
    const error = await call(
      clientAnswering({ errorCode: "INPUT_INVALID.X", errorMessage: `${"x".repeat(495)}${secret}${"y".repeat(100)}` }),
    );
    expect(error.errorMessage).toBe(`${"x".repeat(495)}[reda…`);
    expect(error.errorMessage).not.toContain(secret.slice(0, 5));
  });
});

import { inspect } from "node:util";
import { describe, expect, it } from "vitest";
import { HttpResponse } from "msw";
import { activatePlan, devices, mockedClient, useMswServer } from "./helpers/test-client.js";
import { testCredentials, thingSpaceError } from "./helpers/mock-thing-space.js";

const server = useMswServer();
const callbackPassword = "callback-password-Qw81";
const basic = Buffer.from(`${testCredentials.clientId}:${testCredentials.clientSecret}`).toString("base64");
const secrets = [
  testCredentials.clientSecret,
  testCredentials.password,
  basic,
  callbackPassword,
  "access-token-1",
  "session-token-2",
];

/** Every way an error can be shown or stored. */
function renderings(error: unknown): string[] {
  return [
    String(error),
    (error as Error).message,
    JSON.stringify(error),
    inspect(error, { depth: 10 }),
    (error as Error).stack ?? "",
  ];
}

function expectNoSecret(texts: string[]): void {
  for (const text of texts) {
    for (const secret of secrets) expect(text).not.toContain(secret);
  }
}

describe("secrets never leak", () => {
  it("not from errors whose ThingSpace messages echo secrets, nor from any log line", async () => {
    const { client, thingSpace, logs } = mockedClient(server);
    const errors: unknown[] = [];
    const capture = (p: Promise<unknown>) =>
      p.then(
        () => expect.unreachable(),
        (e: unknown) => errors.push(e),
      );

    // The token endpoint echoes the client secret.
    thingSpace.answerNext("/oauth2/token", () =>
      HttpResponse.json(
        { error: "invalid_client", error_description: `bad secret ${testCredentials.clientSecret} / ${basic}` },
        { status: 401 },
      ),
    );
    await capture(client.listCallbacks());

    // A call refused with a message quoting both tokens.
    await client.listCallbacks();
    thingSpace.answerNext("/devices/actions/activate", () =>
      thingSpaceError(400, "INPUT_INVALID.Token", "tokens access-token-1 and session-token-2 are not allowed here"),
    );
    await capture(client.activateDevices({ ...activatePlan, devices: devices(1) }));

    // A callback registration refused with its password quoted back; a 500 echoing it too.
    const registration = {
      name: "CarrierService" as const,
      url: "https://listener.example/cb",
      username: "listener-user",
      password: callbackPassword,
    };
    thingSpace.answerNext("/callbacks/:accountName", () =>
      thingSpaceError(400, "INPUT_INVALID.Password", `weak: ${callbackPassword}`),
    );
    await capture(client.registerCallback(registration));
    thingSpace.answerNext("/callbacks/:accountName", () =>
      thingSpaceError(500, "REQUEST_FAILED.UnexpectedError", callbackPassword),
    );
    await capture(client.registerCallback(registration));

    // The login refused with the password quoted back (after a session expiry).
    thingSpace.expireSessions();
    thingSpace.answerNext("/session/login", () =>
      thingSpaceError(400, "INPUT_INVALID.Login", `password ${testCredentials.password} is wrong`),
    );
    await capture(client.listCallbacks());

    expect(errors.map((e) => (e as Error).name)).toEqual([
      "AuthenticationError",
      "ThingSpaceApiError",
      "ThingSpaceApiError",
      "OutcomeUnknownError",
      "AuthenticationError",
    ]);
    expect((errors[4] as Error).message).toContain("password [redacted] is wrong");
    expectNoSecret(errors.flatMap(renderings));
    expect(logs.length).toBeGreaterThan(5);
    expectNoSecret(logs);
  });

  it("not from a validation error on a callback registration or on the login", async () => {
    const { client } = mockedClient(server);
    const error = await client
      .registerCallback({
        name: "CarrierService",
        url: `notaurl-${callbackPassword}`,
        password: callbackPassword.repeat(20),
      })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ name: "ValidationError" });
    expectNoSecret(renderings(error));
  });

  it("serialized errors carry only names, messages and their own fields", async () => {
    const { client, thingSpace } = mockedClient(server);
    thingSpace.answerNext("/session/login", () => thingSpaceError(400, "INPUT_INVALID.Login", "no"));
    const error = await client.listCallbacks().catch((e: unknown) => e);
    expect(JSON.parse(JSON.stringify(error))).toEqual({
      name: "AuthenticationError",
      message: expect.stringContaining("ThingSpace refused the M2M login with HTTP 400 INPUT_INVALID.Login"),
      stage: "login",
      resetRequired: true,
      userLocked: false,
      status: 400,
      errorCode: "INPUT_INVALID.Login",
      errorMessage: "no",
      errorClass: "INPUT_INVALID",
    });
  });
});

import { describe, expect, it } from "vitest";
import { HttpResponse } from "msw";
import { ThingSpaceApiError, ValidationError } from "../../../src/client/errors.js";
import { mockedClient, offlineClient, testAccount, useMswServer } from "./helpers/test-client.js";

const server = useMswServer();
const listener = { url: "https://listener.example/cb", username: "listener", password: "listener-secret-5521" };

const misspelling = (path: string, name: string, intended: string) => ({
  path,
  rule: "nearMiss",
  message:
    `${path} "${name}" looks like a misspelling of "${intended}": use "${intended}" ` +
    "(the typed services are CarrierService, NiddService, StateService; " +
    "other ThingSpace services, such as DeviceUsage, are accepted as they are)",
});

describe("callback service names", () => {
  it("registers and removes services the spec does not type, such as DeviceUsage", async () => {
    const { client, thingSpace } = mockedClient(server);
    await expect(client.registerCallback({ name: "DeviceUsage", ...listener })).resolves.toEqual({
      accountName: testAccount,
      serviceName: "DeviceUsage",
    });
    await expect(client.deleteCallback("DeviceUsage")).resolves.toEqual({
      accountName: testAccount,
      serviceName: "DeviceUsage",
    });
    expect(thingSpace.requests.slice(2).map((r) => [r.method, r.realPath, r.body])).toEqual([
      ["POST", `/callbacks/${testAccount}`, { name: "DeviceUsage", ...listener }],
      ["DELETE", `/callbacks/${testAccount}/name/DeviceUsage`, ""],
    ]);
  });

  it.each([
    ["CarrierSevice", "CarrierService"],
    ["carrierservice", "CarrierService"],
    ["NidService", "NiddService"],
    ["StateServce", "StateService"],
    ["stateservices", "StateService"],
    ["CarrierSrvce", "CarrierService"],
  ])("refuses %s before sending, naming the field, the rule and %s", async (name, intended) => {
    const { client, fetch } = offlineClient();
    const registering = await client.registerCallback({ name, ...listener }).catch((e: unknown) => e);
    expect(registering).toBeInstanceOf(ValidationError);
    expect(registering).toMatchObject({
      operation: "registerCallback",
      violations: [misspelling("/name", name, intended)],
    });
    expect((registering as ValidationError).message).toBe(
      `Invalid registerCallback request (1 violation); nothing was sent:\n- ${misspelling("/name", name, intended).message} [nearMiss]`,
    );
    const deleting = await client.deleteCallback(name).catch((e: unknown) => e);
    expect(deleting).toMatchObject({
      name: "ValidationError",
      operation: "deleteCallback",
      violations: [misspelling("/serviceName", name, intended)],
    });
    expect(fetch).not.toHaveBeenCalled();
  });

  it("takes names three or more letters away from every typed service as they are", async () => {
    const { client, thingSpace } = mockedClient(server);
    for (const name of ["CarrierSrvc", "DeviceUsage", "AlertService", "Service"]) {
      await client.registerCallback({ name, ...listener });
    }
    expect(thingSpace.calls("/callbacks/:accountName").map((r) => (r.body as { name: string }).name)).toEqual([
      "CarrierSrvc",
      "DeviceUsage",
      "AlertService",
      "Service",
    ]);
  });

  it("with validate: false sends a misspelling as it is, but never an empty service name", async () => {
    const { client, thingSpace } = mockedClient(server, { validate: false });
    await client.deleteCallback("CarrierSevice");
    expect(thingSpace.requests.at(-1)?.realPath).toBe(`/callbacks/${testAccount}/name/CarrierSevice`);

    const { client: offline, fetch } = offlineClient({ validate: false });
    await expect(offline.deleteCallback("")).rejects.toMatchObject({
      name: "ValidationError",
      violations: [
        {
          path: "/serviceName",
          rule: "minLength",
          message: "serviceName (path parameter) must be a non-empty service name",
        },
      ],
    });
    expect(fetch).not.toHaveBeenCalled();
  });
});

describe("callback registration answers", () => {
  it("returns serviceName, filled from the name older answers used, and never name", async () => {
    const { client, thingSpace } = mockedClient(server);
    thingSpace.answerNext("/callbacks/:accountName", () =>
      HttpResponse.json({ accountName: testAccount, name: "CarrierService" }),
    );
    thingSpace.answerNext("/callbacks/:accountName/name/:serviceName", () =>
      HttpResponse.json({ accountName: testAccount, name: "NiddService" }),
    );
    await expect(client.registerCallback({ name: "CarrierService", ...listener })).resolves.toEqual({
      accountName: testAccount,
      serviceName: "CarrierService",
    });
    await expect(client.deleteCallback("NiddService")).resolves.toEqual({
      accountName: testAccount,
      serviceName: "NiddService",
    });
  });

  it("lists registrations in either spelling as serviceName, credentials as ThingSpace gave them", async () => {
    const { client, thingSpace } = mockedClient(server);
    thingSpace.answerNext("/callbacks/:accountName", () =>
      HttpResponse.json([
        { accountName: testAccount, serviceName: "CarrierService", url: "https://a.example/c" },
        { accountName: testAccount, name: "StateService", url: "https://a.example/s", username: "", password: "" },
        {
          accountName: testAccount,
          serviceName: "DeviceUsage",
          name: "ignored",
          url: "https://a.example/u",
          username: "usage-user",
          password: "usage-secret-8812",
        },
      ]),
    );
    expect(await client.listCallbacks()).toEqual([
      { accountName: testAccount, serviceName: "CarrierService", url: "https://a.example/c" },
      { accountName: testAccount, serviceName: "StateService", url: "https://a.example/s", username: "", password: "" },
      {
        accountName: testAccount,
        serviceName: "DeviceUsage",
        url: "https://a.example/u",
        username: "usage-user",
        password: "usage-secret-8812",
      },
    ]);
  });

  it("treats listed callback credentials as secrets: an error echoing one is scrubbed", async () => {
    const { client, thingSpace } = mockedClient(server);
    thingSpace.answerNext("/callbacks/:accountName", () =>
      HttpResponse.json([
        {
          accountName: testAccount,
          serviceName: "DeviceUsage",
          url: "https://a.example/u",
          password: "usage-secret-8812",
        },
      ]),
    );
    await client.listCallbacks();
    thingSpace.answerNext("/callbacks/:accountName/name/:serviceName", () =>
      HttpResponse.json(
        { errorCode: "REQUEST_FAILED.UnexpectedError", errorMessage: "listener usage-secret-8812 is busy" },
        { status: 400 },
      ),
    );
    const error = await client.deleteCallback("DeviceUsage").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ThingSpaceApiError);
    expect((error as ThingSpaceApiError).errorMessage).toBe("listener [redacted] is busy");
  });
});

import { describe, expectTypeOf, it } from "vitest";
import type { components } from "../../../generated/openapi-types.js";
import { createThingSpaceClient, type ActivateDevice, type ThingSpaceClient } from "../../../src/client/client.js";
import type { BatchChunk, BatchResult } from "../../../src/client/batching.js";
import type { ThingSpaceClientOptions } from "../../../src/client/options.js";
import { callbackServiceNames, type AnyCallbackServiceName } from "../../../src/shared/callback-services.js";
import { ThingSpaceApiError, type ErrorClass } from "../../../src/client/errors.js";
import { testBaseUrl, testCredentials } from "./helpers/mock-thing-space.js";

type Schemas = components["schemas"];
const offline = async (): Promise<Response> => new Response(null, { status: 599 });
const client = createThingSpaceClient({ baseUrl: testBaseUrl, credentials: testCredentials, fetch: offline });
async function* pagesOf<Item>(pages: Item[]): AsyncGenerator<Item> {
  yield* pages;
}

describe("types come from the generated spec", () => {
  it("methods take the spec's request bodies and resolve to its responses", () => {
    expectTypeOf(client.activateDevices).parameter(0).toEqualTypeOf<Schemas["ActivateDevicesRequest"]>();
    expectTypeOf(client.activateDevices).returns.resolves.toEqualTypeOf<Schemas["RequestIdResponse"]>();
    expectTypeOf(client.addDevices).returns.resolves.toEqualTypeOf<Schemas["AddDeviceResult"][]>();
    expectTypeOf(client.goToState).parameter(0).toEqualTypeOf<Schemas["GoToStateRequest"]>();
    expectTypeOf(client.listCallbacks).returns.resolves.toEqualTypeOf<Schemas["CallbackRegistration"][]>();
    expectTypeOf(client.deleteCallback).parameter(0).toEqualTypeOf<AnyCallbackServiceName>();
    expectTypeOf(client.deleteCallback).returns.resolves.toEqualTypeOf<Schemas["CallbackActionResult"]>();
    expectTypeOf(client.registerCallback).returns.resolves.toEqualTypeOf<Schemas["CallbackActionResult"]>();
    expectTypeOf(client.activateDevicesInBatches).returns.resolves.toEqualTypeOf<BatchResult>();
  });

  it("misuse does not compile", () => {
    // Never called: these lines only have to (not) type-check.
    const misuses = (c: ThingSpaceClient) => {
      // @ts-expect-error servicePlan is required
      void c.activateDevices({ devices: [], mdnZipCode: "98801" });
      void c.activateDevices({
        // @ts-expect-error "phone" is not a device id kind
        devices: [{ deviceIds: [{ kind: "phone", id: "1" }] }],
        servicePlan: "p",
        mdnZipCode: "98801",
      });
      // @ts-expect-error the add state can only be "preactive"
      void c.addDevices({ devicesToAdd: [], state: "active" });
      // @ts-expect-error a service name is a string
      void c.deleteCallback(42);
      void c.goToState({
        filter: {},
        serviceName: "s",
        stateName: "t",
        servicePlan: "p",
        mdnZipCode: "98801",
        // @ts-expect-error goToState takes the R/U letters, not activate's words
        publicIpRestriction: "restricted",
      });
      // @ts-expect-error the batch's shared body has no devices of its own
      void c.activateDevicesInBatches([], { devices: [], servicePlan: "p", mdnZipCode: "98801" });
      // @ts-expect-error activate is POST: the raw client has no GET for it
      void c.raw.GET("/devices/actions/activate");
      // @ts-expect-error a page of devices holds devices, not identifiers
      void c.activateDevicesInBatches(pagesOf([[{ kind: "imei", id: "1" }]]), {
        servicePlan: "p",
        mdnZipCode: "98801",
      });
      // @ts-expect-error validate is a boolean
      void c.activateDevices({ devices: [], servicePlan: "p", mdnZipCode: "98801" }, { validate: "no" });
    };
    expectTypeOf(misuses).toBeFunction();
  });

  it("batches take devices one by one or in pages (an async iterable of arrays)", () => {
    const page: ActivateDevice[] = [{ deviceIds: [{ kind: "imei", id: "990013907835573" }] }];
    const plan = { servicePlan: "p", mdnZipCode: "98801" };
    expectTypeOf(client.activateDevicesInBatches).toBeCallableWith(pagesOf([page]), plan, { validate: false });
    expectTypeOf(client.activateDevicesInBatches).toBeCallableWith(page, plan);
  });

  it("callback service names offer the three typed services and take any other string", () => {
    // The typed services stay a union of their own (what an editor offers), not swallowed by string.
    expectTypeOf<AnyCallbackServiceName>().not.toEqualTypeOf<string>();
    expectTypeOf<Schemas["CallbackServiceName"]>().toExtend<AnyCallbackServiceName>();
    expectTypeOf<"DeviceUsage">().toExtend<AnyCallbackServiceName>();
    expectTypeOf<Parameters<ThingSpaceClient["registerCallback"]>[0]["name"]>().toEqualTypeOf<AnyCallbackServiceName>();
    expectTypeOf(callbackServiceNames).toEqualTypeOf<readonly Schemas["CallbackServiceName"][]>();
  });

  it("options take credentials or both token providers, never neither or both", () => {
    expectTypeOf<{ credentials: typeof testCredentials }>().toExtend<ThingSpaceClientOptions>();
    expectTypeOf<{
      accessToken: () => string;
      sessionToken: () => Promise<string>;
    }>().toExtend<ThingSpaceClientOptions>();
    const misuses = () => {
      // @ts-expect-error no way to authenticate
      createThingSpaceClient({ baseUrl: testBaseUrl });
      // @ts-expect-error credentials and providers at once
      createThingSpaceClient({ credentials: testCredentials, accessToken: () => "a", sessionToken: () => "s" });
      // @ts-expect-error the session provider alone is not enough
      createThingSpaceClient({ sessionToken: () => "s" });
      // @ts-expect-error credentials need all four fields
      createThingSpaceClient({ credentials: { clientId: "a", clientSecret: "b", username: "c" } });
    };
    expectTypeOf(misuses).toBeFunction();
  });

  it("the raw client is openapi-fetch typed by the spec's paths", () => {
    const rawCall = () =>
      client.raw.POST("/devices/actions/activate", { body: { groupName: "g", servicePlan: "p", mdnZipCode: "98801" } });
    expectTypeOf<Awaited<ReturnType<typeof rawCall>>["data"]>().toEqualTypeOf<
      Schemas["RequestIdResponse"] | undefined
    >();
  });

  it("a batch chunk fits the callback tracker's structural contract", () => {
    type TrackerChunk = {
      requestId?: string;
      devices: readonly { deviceIds: readonly { kind: string; id: string }[] }[];
    };
    expectTypeOf<BatchChunk<ActivateDevice, Schemas["RequestIdResponse"]>>().toExtend<TrackerChunk>();
    expectTypeOf<BatchChunk<ActivateDevice>["devices"]>().toEqualTypeOf<readonly ActivateDevice[]>();
  });

  it("API errors expose the code's class as a union", () => {
    expectTypeOf<ThingSpaceApiError["errorClass"]>().toEqualTypeOf<ErrorClass | undefined>();
    expectTypeOf<ErrorClass>().toEqualTypeOf<
      "INPUT_INVALID" | "REQUEST_FAILED" | "REQUEST_ONHOLD" | "REQUEST_CANCELLED"
    >();
  });
});

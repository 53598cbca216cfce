/**
 * Payloads carrying `__proto__`, `constructor` and `prototype` keys, as JSON text (so that
 * `__proto__` is an own key once parsed), through every entry point that reads outside input:
 * nothing is polluted, tolerant callbacks behave exactly as without those keys, and strict
 * request bodies refuse them as unknown fields.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import * as generated from "../../../generated/validators.js";
import {
  createCallbackHandler,
  createCallbackTracker,
  createMemoryDedupeStore,
  createNodeCallbackListener,
  parseCallback,
  type ParsedCallback,
} from "../../../src/callbacks/index.js";
import { ValidationError } from "../../../src/client/index.js";
import { toViolations } from "../../../src/shared/violations.js";
import { specExample, validatorFor } from "../../support/spec-document.js";
import { defineOwn, jsonCopy } from "./support/json-mutation.js";
import { listenOnLoopback } from "./support/loopback-server.js";
import { recordingClient } from "./support/recording-client.js";
import { simulatorSession } from "./support/simulator-session.js";
import { requestExamples } from "./support/spec-payloads.js";

type Json = Record<string, unknown>;
const hostileKeys = ["__proto__", "constructor", "prototype"] as const;
const payload = () => ({
  polluted: "yes",
  isAdmin: true,
  requestId: "from-the-prototype",
  status: "Success",
  username: "listener",
  password: "pw",
});

/** `value` as JSON text with `key` added (as an own key) to the object at each of `paths` ([] is the root). */
function hostileText(value: unknown, key: string, paths: (string | number)[][] = [[]]): string {
  const copy = jsonCopy(value);
  for (const path of paths) {
    const target = path.reduce<unknown>((node, token) => (node as Json)[token], copy) as object;
    defineOwn(target, key, key === "constructor" ? { prototype: payload() } : payload());
  }
  const text = JSON.stringify(copy);
  expect(text).toContain(`"${key}":`);
  return text;
}

const objectPrototype = Object.getOwnPropertyNames(Object.prototype).sort();
const arrayPrototype = Object.getOwnPropertyNames(Array.prototype).sort();
afterEach(() => {
  expect(({} as Json).polluted).toBeUndefined();
  expect(({} as Json).isAdmin).toBeUndefined();
  expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(objectPrototype);
  expect(Object.getOwnPropertyNames(Array.prototype).sort()).toEqual(arrayPrototype);
  expect(Object.getPrototypeOf({})).toBe(Object.prototype);
});

const credentials = { username: "listener", password: "pollution-password-3" };
const failed: Json = { ...specExample<Json>("CarrierServiceActivateFailed"), ...credentials };
const succeeded: Json = { ...specExample<Json>("CarrierServiceActivateSucceeded"), ...credentials };

/** What a callback means, without its payload. */
const meaning = (callback: ParsedCallback) => ({
  kind: callback.kind,
  service: callback.service,
  outcome: callback.outcome,
  requestId: callback.requestId,
  deviceIds: callback.deviceIds,
  allDeviceIds: callback.allDeviceIds,
  deviceKey: callback.deviceKey,
});

function parsedMeaning(body: unknown) {
  const result = parseCallback(body, { service: "CarrierService" });
  if (!result.ok) throw new Error(`expected a valid callback: ${JSON.stringify(result.violations)}`);
  return meaning(result.callback);
}

/** The hostile variants of a callback: each key at the root and inside the first identifier and the response. */
function hostileCallbacks(base: Json, inner: (string | number)[]): { key: string; text: string }[] {
  return hostileKeys.flatMap((key) => [
    { key, text: hostileText(base, key) },
    { key, text: hostileText(base, key, [[], ["deviceIds", 0], inner]) },
  ]);
}

describe("parseCallback", () => {
  for (const [name, base, inner] of [
    ["a failure", failed, ["faultResponse"]],
    ["a success", succeeded, ["deviceResponse", "activateResponse"]],
  ] as const) {
    it(`accepts ${name} with these keys and reads it exactly as without them`, () => {
      for (const { key, text } of hostileCallbacks(base, [...inner])) {
        const result = parseCallback(text, { service: "CarrierService" });
        expect(result.ok, key).toBe(true);
        if (!result.ok) continue;
        expect(meaning(result.callback)).toEqual(parsedMeaning(base));
        // The payload is kept verbatim: the key is an own field, the prototype untouched.
        expect(Object.hasOwn(result.callback.payload, key)).toBe(true);
        expect(Object.getPrototypeOf(result.callback.payload)).toBe(Object.prototype);
        expect((result.callback.payload as Json).polluted).toBeUndefined();
      }
    });
  }

  it("does not take a missing required field from a __proto__ key", () => {
    const { requestId: _requestId, status: _status, ...rest } = failed;
    const text = hostileText(rest, "__proto__");
    expect(parseCallback(text, { service: "CarrierService" })).toEqual({
      ok: false,
      violations: [
        { path: "/requestId", rule: "required", message: "/requestId is required" },
        { path: "/status", rule: "required", message: "/status is required" },
      ],
    });
  });
});

describe("the generated request validators", () => {
  const strict = [
    ...requestExamples.map((e) => ({ name: e.name, schema: e.schema, value: e.value })),
    { name: "a login", schema: "LoginRequest", value: { username: "user", password: "password" } },
    {
      name: "a registration",
      schema: "RegisterCallbackRequest",
      value: { name: "CarrierService", url: "https://listener.example/cb" },
    },
  ];

  it("refuse each key as an unknown field at the root, naming it", () => {
    for (const { name, schema, value } of strict) {
      const validate = validatorFor(schema);
      expect(validate(value), name).toBe(true);
      for (const key of hostileKeys) {
        expect(validate(JSON.parse(hostileText(value, key))), `${name} ${key}`).toBe(false);
        expect(toViolations(validate.errors)).toEqual([
          {
            path: `/${key}`,
            rule: "additionalProperties",
            message: `/${key} is not a known field (check its spelling)`,
          },
        ]);
      }
    }
  });

  it("refuse each key inside a device identifier too", () => {
    const body = JSON.parse(
      hostileText(specExample("AddDevicesTwo4GDevices"), "__proto__", [["devicesToAdd", 1, "deviceIds", 0]]),
    );
    expect(generated.validateAddDevicesRequest(body)).toBe(false);
    expect(toViolations(generated.validateAddDevicesRequest.errors)).toContainEqual(
      expect.objectContaining({ path: "/devicesToAdd/1/deviceIds/0/__proto__", rule: "additionalProperties" }),
    );
  });
});

describe("the client's validation before sending", () => {
  it("refuses bodies parsed from JSON text with these keys, naming them, and sends nothing", async () => {
    for (const example of requestExamples) {
      for (const key of hostileKeys) {
        const { client, sent } = recordingClient();
        const body = JSON.parse(hostileText(example.value, key)) as never;
        const call =
          example.operationId === "addDevices"
            ? client.addDevices(body)
            : example.operationId === "goToState"
              ? client.goToState(body)
              : client.activateDevices(body);
        const error = await call.catch((e: unknown) => e);
        expect(error, `${example.name} ${key}`).toBeInstanceOf(ValidationError);
        expect((error as ValidationError).violations).toContainEqual(
          expect.objectContaining({ path: `/${key}`, rule: "additionalProperties" }),
        );
        expect(sent).toEqual([]);
      }
    }
    const { client, sent } = recordingClient();
    const registration = JSON.parse(
      hostileText({ name: "CarrierService", url: "https://listener.example/cb" }, "__proto__"),
    ) as never;
    await expect(client.registerCallback(registration, { accountName: "0868924207-00001" })).rejects.toMatchObject({
      name: "ValidationError",
      violations: [{ path: "/__proto__", rule: "additionalProperties" }],
    });
    expect(sent).toEqual([]);
  });
});

describe("the receiver behind node:http", () => {
  const handled: ParsedCallback[] = [];
  let origin: string;
  let close: () => Promise<void>;
  beforeAll(async () => {
    const handler = createCallbackHandler({
      service: "CarrierService",
      credentials,
      onCallback: (callback) => void handled.push(callback),
    });
    ({ origin, close } = await listenOnLoopback(createNodeCallbackListener(handler)));
  });
  afterAll(() => close());
  const post = async (text: string) => {
    const response = await fetch(`${origin}/thingspace/carrier`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: text,
    });
    return { status: response.status, body: (await response.json()) as Json };
  };

  it("handles callbacks carrying these keys exactly as the same callbacks without them", async () => {
    const variants = [
      ...hostileCallbacks(failed, ["faultResponse"]),
      ...hostileCallbacks(succeeded, ["deviceResponse", "activateResponse"]),
    ];
    for (const [index, { key, text }] of variants.entries()) {
      // A request of its own per variant, so none is acknowledged as a duplicate of another.
      const unique = text.replace(/"requestId":"595f5c44-[^"]*"/, `"requestId":"pollution-${index}"`);
      expect(await post(unique), key).toEqual({
        status: 200,
        body: { status: "handled", kind: expect.any(String), requestId: `pollution-${index}` },
      });
      const base = text.includes('"faultResponse"') ? failed : succeeded;
      expect(meaning(handled.at(-1)!)).toEqual({ ...parsedMeaning(base), requestId: `pollution-${index}` });
    }
    expect(handled).toHaveLength(variants.length);
  });

  it("does not take the credentials from a __proto__ or constructor key: 401 and no handler", async () => {
    const { username: _username, password: _password, ...anonymous } = failed;
    const before = handled.length;
    expect(await post(hostileText(anonymous, "__proto__"))).toMatchObject({
      status: 401,
      body: { error: "unauthorized" },
    });
    const viaConstructor = JSON.stringify({ ...anonymous, constructor: { prototype: credentials } });
    expect(await post(viaConstructor)).toMatchObject({ status: 401, body: { error: "unauthorized" } });
    expect(handled).toHaveLength(before);
  });
});

describe("the tracker and the dedupe store", () => {
  it("track and dedupe requests whose requestId is __proto__, constructor or prototype", async () => {
    const tracker = createCallbackTracker();
    const store = createMemoryDedupeStore();
    for (const requestId of hostileKeys) {
      const result = parseCallback({ ...failed, requestId }, { service: "CarrierService" });
      if (!result.ok) throw new Error("fixture is invalid");
      tracker.expect(requestId, [{ deviceIds: result.callback.deviceIds }]);
      tracker.record(result.callback);
      expect(await tracker.wait(requestId, { timeoutMs: 1 })).toMatchObject({
        requestId,
        complete: true,
        timedOut: false,
        missing: [],
      });
      expect(await store.claim(requestId)).toBe("acquired");
      await store.complete(requestId);
      expect(await store.claim(requestId)).toBe("completed");
    }
  });
});

describe("the simulator", async () => {
  const { simulator, send } = await simulatorSession();
  afterAll(() => simulator.close());

  it("refuses request bodies with these keys in ThingSpace's format, naming the field", async () => {
    for (const key of hostileKeys) {
      const response = await send(
        "POST",
        "/m2m/v1/devices/actions/add",
        hostileText(specExample("AddDevicesTwo4GDevices"), key),
      );
      expect(response.status).toBe(400);
      expect(await response.json()).toEqual({
        errorCode: "REQUEST_FAILED.UnexpectedError",
        errorMessage: `The request body does not match the API:\n- /${key} is not a known field (check its spelling) [additionalProperties]`,
      });
    }
  });

  it("ignores __proto__ in a token request's form, as any unknown parameter, and keeps accounts named after these keys apart", async () => {
    const token = await simulator.handle(
      new Request("http://simulator.test/api/ts/v1/oauth2/token", {
        method: "POST",
        headers: {
          authorization: `Basic ${btoa("client:secret")}`,
          "content-type": "application/x-www-form-urlencoded",
        },
        body: "grant_type=client_credentials&__proto__=polluted&constructor=x",
      }),
    );
    // RFC 6749 section 3.2: the server ignores parameters it does not know.
    expect(token.status).toBe(200);
    expect(await token.json()).toMatchObject({ token_type: "Bearer", scope: "default" });
    expect(({} as Json).polluted).toBeUndefined();

    for (const account of hostileKeys) {
      const url = `https://listener.example/${account}`;
      expect((await send("POST", `/m2m/v1/callbacks/${account}`, { name: "CarrierService", url })).status).toBe(200);
      expect(await (await send("GET", `/m2m/v1/callbacks/${account}`, undefined)).json()).toEqual([
        { accountName: account, serviceName: "CarrierService", url, username: "", password: "" },
      ]);
    }
    expect(await (await send("GET", "/m2m/v1/callbacks/toString", undefined)).json()).toEqual([]);
  });
});

/**
 * The callback receiver against arbitrary bodies and mutated spec examples, called directly and
 * through a real node:http server on loopback: it answers 200, 400 or 401 exactly as the body
 * deserves (never a 5xx, never a crash), lists violations with JSON paths, calls `onInvalid`
 * for every 400, and runs the handlers only for valid, authenticated callbacks.
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createCallbackHandler,
  createNodeCallbackListener,
  parseCallback,
  type CallbackRequestHandler,
  type CallbackService,
  type InvalidCallbackEvent,
  type ParsedCallback,
} from "../../../src/callbacks/index.js";
import { mutationsOf } from "./support/json-mutation.js";
import { listenOnLoopback } from "./support/loopback-server.js";
import { callbackExamples, runs } from "./support/spec-payloads.js";
import { expectWellFormedViolations } from "./support/violation-checks.js";

const credentials = { username: "listener", password: "receiver-password-71" };

/** What the receiver must answer to `text` on the URL of `service`. */
function expectedAnswer(text: string, service: CallbackService): { status: number; error?: string; parsed?: unknown } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { status: 400, error: "invalid_json" };
  }
  const record = typeof value === "object" && value !== null ? (value as Record<string, unknown>) : {};
  if (record.username !== credentials.username || record.password !== credentials.password)
    return { status: 401, error: "unauthorized" };
  return parseCallback(value, { service }).ok
    ? { status: 200 }
    : { status: 400, error: "invalid_callback", parsed: value };
}

/** A receiver per service, recording what reaches its hooks. */
function receivers() {
  const handled: ParsedCallback[] = [];
  const invalid: InvalidCallbackEvent[] = [];
  const errors: unknown[] = [];
  const handlers = Object.fromEntries(
    (["CarrierService", "NiddService", "StateService"] as const).map((service) => [
      service,
      createCallbackHandler({
        service,
        credentials,
        onCallback: (callback) => void handled.push(callback),
        onInvalid: (event) => void invalid.push(event),
        onError: (error) => void errors.push(error),
      }),
    ]),
  ) as Record<CallbackService, CallbackRequestHandler>;
  return { handlers, handled, invalid, errors };
}

/** Sends `text` with `send` and checks the answer against what the body deserves; returns the status. */
async function expectAnswer(
  send: () => Promise<Response>,
  text: string,
  service: CallbackService,
  invalid: InvalidCallbackEvent[],
): Promise<{ status: number; answer: unknown }> {
  const expected = expectedAnswer(text, service);
  const invalidBefore = invalid.length;
  const response = await send();
  expect(response.status).toBe(expected.status);
  const body = (await response.json()) as {
    error?: string;
    status?: string;
    violations?: { path: string; rule: string; message: string }[];
  };
  if (expected.status === 200) {
    expect(["handled", "duplicate"]).toContain(body.status);
  } else {
    expect(body.error).toBe(expected.error);
  }
  expect(invalid.length - invalidBefore).toBe(expected.status === 400 ? 1 : 0);
  if (expected.status === 400) {
    expectWellFormedViolations(
      body.violations!,
      expected.parsed === undefined ? undefined : { value: expected.parsed },
    );
    expect(invalid.at(-1)!.violations).toEqual(body.violations);
    if (expected.error === "invalid_callback") {
      expect({ ok: false, violations: body.violations }).toEqual(parseCallback(expected.parsed, { service }));
      expect(invalid.at(-1)).toMatchObject({
        reason: "schema",
        body: { username: "[redacted]", password: "[redacted]" },
      });
    } else {
      expect(invalid.at(-1)).toMatchObject({ reason: "json" });
    }
  }
  return { status: expected.status, answer: body };
}

/** Mutated examples, authenticated after the mutation (when the body is still an object), as JSON text. */
const mutatedCallbacks = fc
  .constantFrom(...callbackExamples)
  .chain((example) => mutationsOf(example.value).map(({ value }) => ({ service: example.service, value })))
  .map(({ service, value }) => {
    if (typeof value === "object" && value !== null && !Array.isArray(value)) Object.assign(value, credentials);
    return { service, text: JSON.stringify(value) ?? "" };
  });

const jsonRequest = (text: string) =>
  new Request("http://127.0.0.1/cb", { method: "POST", headers: { "content-type": "application/json" }, body: text });

const arbitraryBodies = fc.record({
  service: fc.constantFrom<CallbackService>("CarrierService", "NiddService", "StateService"),
  text: fc.oneof(
    fc.string(),
    fc.string({ unit: "binary", maxLength: 40 }),
    fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)),
  ),
});

describe("the receiver called directly", () => {
  it("answers arbitrary bodies 400 (not JSON, with onInvalid) or 401 (no credentials), never running a handler", async () => {
    const { handlers, handled, invalid, errors } = receivers();
    await fc.assert(
      fc.asyncProperty(arbitraryBodies, async ({ service, text }) => {
        const { status } = await expectAnswer(() => handlers[service](jsonRequest(text)), text, service, invalid);
        expect([400, 401]).toContain(status);
      }),
      runs(300),
    );
    expect(handled).toEqual([]);
    expect(errors).toEqual([]);
  });

  it("answers authenticated mutations of the examples 200 exactly when parseCallback accepts them, else 400 with its violations", async () => {
    const { handlers, handled, invalid, errors } = receivers();
    const statuses: number[] = [];
    let acknowledged = 0;
    await fc.assert(
      fc.asyncProperty(mutatedCallbacks, async ({ service, text }) => {
        const { status, answer } = await expectAnswer(
          () => handlers[service](jsonRequest(text)),
          text,
          service,
          invalid,
        );
        statuses.push(status);
        if ((answer as { status?: string }).status === "handled") acknowledged++;
      }),
      runs(400),
    );
    expect(new Set(statuses)).toEqual(new Set([200, 400, 401]));
    expect(handled).toHaveLength(acknowledged);
    expect(errors).toEqual([]);
  });
});

describe("the receiver behind node:http on 127.0.0.1", () => {
  let url: string;
  let close: () => Promise<void>;
  const recorded = receivers();

  beforeAll(async () => {
    const byPath: CallbackRequestHandler = (request, context) => {
      const service = new URL(request.url).pathname.slice(1) as CallbackService;
      return recorded.handlers[service](request, context);
    };
    ({ origin: url, close } = await listenOnLoopback(createNodeCallbackListener(byPath)));
  });
  afterAll(() => close());

  it("answers 300 fuzzed requests over the wire exactly as the body deserves, and keeps serving", async () => {
    const counts = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(fc.oneof(mutatedCallbacks, arbitraryBodies), async ({ service, text }) => {
        const send = () =>
          fetch(`${url}/${service}`, { method: "POST", headers: { "content-type": "application/json" }, body: text });
        const { status } = await expectAnswer(send, text, service, recorded.invalid);
        counts.set(status, (counts.get(status) ?? 0) + 1);
      }),
      runs(300),
    );
    expect([...counts.values()].reduce((a, b) => a + b, 0)).toBe(300);
    expect([...counts.keys()].sort()).toEqual([200, 400, 401]);
    expect(recorded.errors).toEqual([]);

    // Odd requests get their documented answers, and the server is still up afterwards.
    const post = (init: RequestInit, path = "/CarrierService") =>
      fetch(`${url}${path}`, { method: "POST", ...init }).then((r) => r.status);
    expect(await post({ headers: { "content-type": "text/plain" }, body: "{}" })).toBe(415);
    expect(await post({ method: "GET" })).toBe(405);
    expect(await post({ headers: { "content-type": "application/json" }, body: "x".repeat(70_000) })).toBe(413);
    expect(
      await post({ headers: { "content-type": "application/json" }, body: new Uint8Array([0x7b, 0xff, 0x7d]) }),
    ).toBe(400);
    const valid = { ...(callbackExamples[0]!.value as object), ...credentials, requestId: "after-the-fuzz" };
    expect(await post({ headers: { "content-type": "application/json" }, body: JSON.stringify(valid) })).toBe(200);
  });
});

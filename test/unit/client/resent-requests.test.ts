/**
 * What a request sent more than once looks like: a retry or the replay after a refused session
 * carries the same body bytes and headers as the first attempt, which is the request openapi-fetch
 * built itself (no copy for the common case); the caller's signal reaches every attempt and
 * every wait, and a timeout aborts only the attempt.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import {
  createThingSpaceClient,
  type Clock,
  type ThingSpaceClient,
  type ThingSpaceCommonOptions,
} from "../../../src/client/index.js";
import { activatePlan, devices, testAccount } from "./helpers/test-client.js";
import { testBaseUrl, testCredentials } from "./helpers/mock-thing-space.js";
import { createFakeClock } from "./helpers/fake-clock.js";

const body = { ...activatePlan, devices: devices(2), accountName: testAccount };
const busy = () =>
  Response.json({ errorCode: "REQUEST_FAILED.UnexpectedError" }, { status: 503, headers: { "Retry-After": "0" } });

interface Sent {
  request: Request;
  text: string;
  session: string | null;
}

/** A client on a fetch stub: the token and login are answered, every other request is recorded and `answer`ed. */
function stubClient(
  answer: (sent: Sent, count: number) => Response | Promise<Response>,
  options: Partial<ThingSpaceCommonOptions> = {},
) {
  const sent: Sent[] = [];
  let logins = 0;
  const client = createThingSpaceClient({
    baseUrl: testBaseUrl,
    credentials: testCredentials,
    accountName: testAccount,
    clock: createFakeClock(),
    fetch: async (request) => {
      const path = new URL(request.url).pathname;
      if (path.endsWith("/oauth2/token"))
        return Response.json({ access_token: "access-1", token_type: "Bearer", expires_in: 3600 });
      if (path.endsWith("/session/login")) return Response.json({ sessionToken: `session-${++logins}` });
      const record = { request, text: await request.text(), session: request.headers.get("VZ-M2M-Token") };
      sent.push(record);
      return answer(record, sent.length);
    },
    ...options,
  });
  return { client, sent };
}

/** The requests openapi-fetch builds, as a middleware added to `client.raw` sees them. */
function requestsBuilt(client: ThingSpaceClient): Request[] {
  const built: Request[] = [];
  client.raw.use({
    onRequest({ request }) {
      built.push(request);
    },
  });
  return built;
}

afterEach(() => {
  vi.useRealTimers();
});

describe("a request sent more than once", () => {
  it("sends the request openapi-fetch built first, then a copy with the same method, headers and body", async () => {
    const { client, sent } = stubClient((_, count) => (count === 1 ? busy() : Response.json({ requestId: "r-1" })));
    const built = requestsBuilt(client);
    await expect(client.activateDevices(body)).resolves.toEqual({ requestId: "r-1" });

    expect(sent).toHaveLength(2);
    expect(sent[0]!.request).toBe(built[0]);
    expect(sent[1]!.request).not.toBe(built[0]);
    expect(sent.map((s) => s.text)).toEqual([JSON.stringify(body), JSON.stringify(body)]);
    expect(
      sent.map((s) => [
        s.request.method,
        s.request.headers.get("Content-Type"),
        s.request.headers.get("Authorization"),
      ]),
    ).toEqual([
      ["POST", "application/json", "Bearer access-1"],
      ["POST", "application/json", "Bearer access-1"],
    ]);
  });

  it("replays a call refused for its session with the same body bytes and the new session", async () => {
    const expired = () =>
      Response.json({ errorCode: "REQUEST_FAILED.SessionToken.Expired", errorMessage: "expired" }, { status: 400 });
    const { client, sent } = stubClient((_, count) => (count === 1 ? expired() : Response.json({ requestId: "r-2" })));
    await expect(client.activateDevices(body)).resolves.toEqual({ requestId: "r-2" });

    expect(sent.map((s) => [s.text, s.session])).toEqual([
      [JSON.stringify(body), "session-1"],
      [JSON.stringify(body), "session-2"],
    ]);
  });

  it("never sends a request whose body is a stream itself: each attempt is a copy with the same bytes", async () => {
    const { client, sent } = stubClient((_, count) => (count === 1 ? busy() : Response.json({ requestId: "r-3" })));
    const built = requestsBuilt(client);
    const text = JSON.stringify(body);
    const init = { body, bodySerializer: () => new Blob([text]).stream(), duplex: "half" };
    const { data } = await client.raw.POST("/devices/actions/activate", init as { body: typeof body });

    expect(data).toEqual({ requestId: "r-3" });
    expect(sent.map((s) => s.text)).toEqual([text, text]);
    expect(sent.some((s) => s.request === built[0])).toBe(false);
  });
});

describe("the caller's signal on a request sent more than once", () => {
  it("stops the wait before a retry with its reason, and nothing more is sent", async () => {
    const controller = new AbortController();
    const reason = new Error("user gave up");
    const sleeps: number[] = [];
    // A clock whose waits end only when their signal aborts.
    const clock: Clock = {
      now: () => 0,
      sleep: (ms, signal) =>
        new Promise((_, reject) => {
          sleeps.push(ms);
          signal?.addEventListener("abort", () => reject(signal.reason), { once: true });
        }),
    };
    const { client, sent } = stubClient(
      () => {
        setImmediate(() => controller.abort(reason));
        return Response.json(
          { errorCode: "REQUEST_FAILED.UnexpectedError" },
          { status: 503, headers: { "Retry-After": "30" } },
        );
      },
      { clock },
    );
    await expect(client.activateDevices(body, { signal: controller.signal })).rejects.toBe(reason);
    expect(sleeps).toEqual([30_000]);
    expect(sent).toHaveLength(1);
  });

  it("aborts the attempt in flight, the first one and a retry alike", async () => {
    const controller = new AbortController();
    const reason = new Error("user gave up");
    const { client, sent } = stubClient((_, count) => {
      if (count === 1) return busy();
      controller.abort(reason);
      return new Promise<Response>(() => undefined);
    });
    await expect(client.activateDevices(body, { signal: controller.signal })).rejects.toBe(reason);

    expect(sent).toHaveLength(2);
    expect(sent.map((s) => [s.request.signal.aborted, s.request.signal.reason])).toEqual([
      [true, reason],
      [true, reason],
    ]);
  });

  it("is left alone when an attempt times out: only the attempt's own signal aborts", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    const controller = new AbortController();
    let reached: () => void = () => undefined;
    const activateSent = new Promise<void>((resolve) => (reached = resolve));
    const { client, sent } = stubClient(
      () => {
        reached();
        return new Promise<Response>(() => undefined);
      },
      { timeoutMs: 2_000 },
    );
    const pending = client.activateDevices(body, { signal: controller.signal }).catch((e: unknown) => e);
    await activateSent;
    await vi.advanceTimersByTimeAsync(2_000);

    expect(await pending).toMatchObject({ name: "TimeoutError", timeoutMs: 2_000, operationId: "activateDevices" });
    expect(sent).toHaveLength(1);
    expect(sent[0]!.request.signal.aborted).toBe(true);
    expect(controller.signal.aborted).toBe(false);
  });
});

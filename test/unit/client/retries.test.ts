import { afterEach, describe, expect, it, vi } from "vitest";
import { HttpResponse } from "msw";
import { ConnectionError, OutcomeUnknownError, ThingSpaceApiError, TimeoutError } from "../../../src/client/errors.js";
import { activatePlan, devices, mockedClient, useMswServer } from "./helpers/test-client.js";
import { thingSpaceError } from "./helpers/mock-thing-space.js";

const server = useMswServer();
const rateLimited = (seconds: string) => () =>
  thingSpaceError(429, "REQUEST_FAILED.RateLimitExceeded", "Too many activate requests", { "Retry-After": seconds });
const refusedConnection = () =>
  new TypeError("fetch failed", {
    cause: Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:9"), { code: "ECONNREFUSED" }),
  });
const activate = { ...activatePlan, devices: devices(2) };

afterEach(() => {
  vi.useRealTimers();
});

describe("retries only where safe", () => {
  it("429 with Retry-After: waits that long on the clock, then sends again", async () => {
    const { client, thingSpace, clock } = mockedClient(server);
    thingSpace.answerNext("/devices/actions/activate", rateLimited("7"));

    await expect(client.activateDevices(activate)).resolves.toMatchObject({ requestId: expect.any(String) });
    expect(clock.sleeps).toEqual([7000]);
    const [first, second] = thingSpace.calls("/devices/actions/activate");
    expect(second!.body).toEqual(first!.body);
  });

  it("Retry-After as an HTTP date is honoured too", async () => {
    const { client, thingSpace, clock } = mockedClient(server);
    const at = new Date(Math.ceil((clock.now() + 5000) / 1000) * 1000);
    thingSpace.answerNext("/devices/actions/activate", rateLimited(at.toUTCString()));
    await client.activateDevices(activate);
    expect(clock.sleeps).toEqual([at.getTime() - 1_700_000_000_000]);
  });

  it("503 without Retry-After backs off exponentially; after maxRetries the 503 is a ThingSpaceApiError", async () => {
    const { client, thingSpace, clock } = mockedClient(server, { retry: { maxRetries: 2, baseDelayMs: 500 } });
    const unavailable = () => thingSpaceError(503, "REQUEST_FAILED.UnexpectedError", "Service unavailable");
    thingSpace.answerNext("/callbacks/:accountName", unavailable, unavailable, unavailable);

    const error = await client.listCallbacks().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ThingSpaceApiError);
    expect(error).toMatchObject({
      status: 503,
      errorCode: "REQUEST_FAILED.UnexpectedError",
      errorClass: "REQUEST_FAILED",
    });
    expect(clock.sleeps).toEqual([500, 1000]);
    expect(thingSpace.calls("/callbacks/:accountName")).toHaveLength(3);
  });

  it("a Retry-After longer than maxDelayMs is not waited for: the 429 is returned as an error", async () => {
    const { client, thingSpace, clock } = mockedClient(server, { retry: { maxDelayMs: 30_000 } });
    thingSpace.answerNext("/devices/actions/activate", rateLimited("60"));
    await expect(client.activateDevices(activate)).rejects.toMatchObject({
      name: "ThingSpaceApiError",
      status: 429,
      errorCode: "REQUEST_FAILED.RateLimitExceeded",
    });
    expect(clock.sleeps).toEqual([]);
    expect(thingSpace.calls("/devices/actions/activate")).toHaveLength(1);
  });

  it("a refused connection is retried with backoff, then the call goes through", async () => {
    let refusals = 3;
    const { client, thingSpace, clock } = mockedClient(server, {
      fetch: async (request) => {
        if (refusals > 0) {
          refusals -= 1;
          throw refusedConnection();
        }
        return fetch(request);
      },
    });
    await expect(client.listCallbacks()).resolves.toEqual([]);
    expect(clock.sleeps).toEqual([1000, 2000, 4000]);
    expect(thingSpace.calls("/oauth2/token")).toHaveLength(1);
  });

  it("a token request refused on every attempt is a ConnectionError of stage token, saying it is safe to send again", async () => {
    const attempts: string[] = [];
    const { client } = mockedClient(server, {
      retry: { maxRetries: 2 },
      fetch: async (request) => {
        attempts.push(new URL(request.url).pathname);
        throw refusedConnection();
      },
    });
    const error = await client.listCallbacks().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectionError);
    expect(error).toMatchObject({
      stage: "token",
      code: "ECONNREFUSED",
      attempts: 3,
      operation: "POST /api/ts/v1/oauth2/token",
      operationId: "getAccessToken",
    });
    expect((error as Error).message).toBe(
      "Could not connect to ThingSpace for the OAuth token request (POST /api/ts/v1/oauth2/token, ECONNREFUSED) " +
        "after 3 attempts. It never reached ThingSpace: it is safe to send again. Check the baseUrl option and the network.",
    );
    expect(attempts).toEqual(Array(3).fill("/api/ts/v1/oauth2/token"));
  });

  it("a call refused on its single attempt is a ConnectionError of stage request (1 attempt, singular)", async () => {
    const { client, thingSpace } = mockedClient(server, {
      retry: { maxRetries: 0 },
      fetch: async (request) => {
        if (new URL(request.url).pathname.endsWith("/devices/actions/activate")) throw refusedConnection();
        return fetch(request);
      },
    });
    const error = await client.activateDevices(activate).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectionError);
    expect(error).toMatchObject({ stage: "request", attempts: 1, operationId: "activateDevices" });
    expect((error as Error).message).toBe(
      "Could not connect to ThingSpace for the call (POST /api/m2m/v1/devices/actions/activate, ECONNREFUSED) " +
        "after 1 attempt. It never reached ThingSpace: it is safe to send again. Check the baseUrl option and the network.",
    );
    expect(thingSpace.calls("/oauth2/token")).toHaveLength(1);
  });

  it("a 500 is never replayed: OutcomeUnknownError telling how to check the devices", async () => {
    const { client, thingSpace } = mockedClient(server);
    thingSpace.answerNext("/devices/actions/activate", () =>
      thingSpaceError(500, "REQUEST_FAILED.UnexpectedError", "Internal error"),
    );

    const error = await client.activateDevices(activate).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OutcomeUnknownError);
    expect(error).toMatchObject({ reason: "server-error", status: 500, errorCode: "REQUEST_FAILED.UnexpectedError" });
    expect((error as Error).message).toBe(
      "POST /api/m2m/v1/devices/actions/activate failed on ThingSpace's side (HTTP 500 REQUEST_FAILED.UnexpectedError); " +
        "it may have taken effect, so it was not sent again. Before sending it again, find out whether it took effect: " +
        "client.checkOutcome(error) looks its devices up (POST /devices/actions/list); if ThingSpace accepted the request, " +
        "its callbacks will still arrive.",
    );
    // What checkOutcome needs: the call's devices as it sent them, and the account (the client's default).
    expect((error as OutcomeUnknownError).target).toEqual({
      accountName: "0868924207-00001",
      devices: activate.devices.map(({ deviceIds }) => ({ deviceIds })),
    });
    expect(thingSpace.calls("/devices/actions/activate")).toHaveLength(1);
  });

  it("a 500 on a callback registration points at listing the callbacks", async () => {
    const { client, thingSpace } = mockedClient(server);
    thingSpace.answerNext("/callbacks/:accountName", () => thingSpaceError(502, "Bad gateway"));
    const error = await client
      .registerCallback({ name: "CarrierService", url: "https://listener.example/cb" })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ name: "OutcomeUnknownError", status: 502 });
    expect((error as OutcomeUnknownError).howToCheck).toContain("client.listCallbacks()");
  });

  it("a 500 on a read is a plain ThingSpaceApiError (nothing can have changed)", async () => {
    const { client, thingSpace } = mockedClient(server);
    thingSpace.answerNext("/callbacks/:accountName", () => thingSpaceError(500, "REQUEST_FAILED.UnexpectedError"));
    await expect(client.listCallbacks()).rejects.toMatchObject({ name: "ThingSpaceApiError", status: 500 });
  });

  it("a connection lost after sending is never replayed: OutcomeUnknownError", async () => {
    const { client, thingSpace } = mockedClient(server);
    thingSpace.answerNext("/devices/actions/activate", () => HttpResponse.error());
    await expect(client.activateDevices(activate)).rejects.toMatchObject({
      name: "OutcomeUnknownError",
      reason: "connection-lost",
    });
    expect(thingSpace.calls("/devices/actions/activate")).toHaveLength(1);
  });

  it("a timeout after sending is a TimeoutError (outcome unknown) and is never replayed", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    let sent = 0;
    let reached: () => void = () => undefined;
    const activateSent = new Promise<void>((resolve) => (reached = resolve));
    const { client } = mockedClient(server, {
      timeoutMs: 5_000,
      fetch: async (request) => {
        if (!new URL(request.url).pathname.endsWith("/activate")) return fetch(request);
        sent += 1;
        reached();
        return new Promise<Response>(() => undefined); // ThingSpace never answers
      },
    });
    const pending = client.activateDevices(activate).catch((e: unknown) => e);
    await activateSent;
    await vi.advanceTimersByTimeAsync(5_000);

    const error = await pending;
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error).toBeInstanceOf(OutcomeUnknownError);
    expect(error).toMatchObject({
      reason: "timeout",
      timeoutMs: 5_000,
      operation: "POST /api/m2m/v1/devices/actions/activate",
    });
    expect((error as Error).message).toContain("POST /devices/actions/list");
    expect(sent).toBe(1);
  });

  it("the caller's AbortSignal stops the call with its reason and nothing is retried", async () => {
    const controller = new AbortController();
    let sent = 0;
    const { client } = mockedClient(server, {
      fetch: async (request) => {
        if (!new URL(request.url).pathname.endsWith("/activate")) return fetch(request);
        sent += 1;
        controller.abort(new Error("user gave up"));
        return new Promise<Response>(() => undefined);
      },
    });
    await expect(client.activateDevices(activate, { signal: controller.signal })).rejects.toThrow("user gave up");
    expect(sent).toBe(1);
  });

  it("an already aborted signal sends nothing at all", async () => {
    const { client, thingSpace } = mockedClient(server);
    await expect(client.listCallbacks({ signal: AbortSignal.abort(new Error("stop")) })).rejects.toThrow("stop");
    expect(thingSpace.requests).toHaveLength(0);
  });
});

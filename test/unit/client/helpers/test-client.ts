import { afterAll, afterEach, beforeAll, vi } from "vitest";
import { setupServer, type SetupServer } from "msw/node";
import { createThingSpaceClient, type ThingSpaceClient, type ActivateDevice } from "../../../../src/client/client.js";
import type { ThingSpaceCommonOptions } from "../../../../src/client/options.js";
import type { ThingSpaceLogger } from "../../../../src/client/log.js";
import { createFakeClock, type FakeClock } from "./fake-clock.js";
import { MockThingSpace, testBaseUrl, testCredentials } from "./mock-thing-space.js";

export const testAccount = "0868924207-00001";

/** An msw server for the whole file; any request no handler answers fails the test. */
export function useMswServer(): SetupServer {
  const server = setupServer();
  beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
  afterEach(() => server.resetHandlers());
  afterAll(() => server.close());
  return server;
}

/** A client on a fresh mock ThingSpace, with a fake clock and every log line captured. */
export function mockedClient(
  server: SetupServer,
  options: Partial<ThingSpaceCommonOptions> = {},
): { client: ThingSpaceClient; thingSpace: MockThingSpace; clock: FakeClock; logs: string[] } {
  const thingSpace = new MockThingSpace();
  server.use(...thingSpace.handlers());
  const clock = createFakeClock();
  const logs: string[] = [];
  const capture = (level: string) => (message: string, details?: Record<string, unknown>) =>
    logs.push(`${level} ${message} ${details === undefined ? "" : JSON.stringify(details)}`);
  const logger: ThingSpaceLogger = {
    debug: capture("debug"),
    info: capture("info"),
    warn: capture("warn"),
    error: capture("error"),
  };
  const client = createThingSpaceClient({
    baseUrl: testBaseUrl,
    credentials: testCredentials,
    accountName: testAccount,
    clock,
    logger,
    ...options,
  });
  return { client, thingSpace, clock, logs };
}

/** A client whose fetch counts calls and answers 500: a test that nothing reached the network checks it. */
export function offlineClient(options: Partial<ThingSpaceCommonOptions> = {}) {
  const fetch = vi.fn(async () => new Response("unexpected", { status: 500 }));
  const client = createThingSpaceClient({
    baseUrl: testBaseUrl,
    credentials: testCredentials,
    accountName: testAccount,
    fetch,
    ...options,
  });
  return { client, fetch };
}

/** The `n`th of a family of valid 4G devices (IMEI then ICCID). */
export function device(n: number): ActivateDevice {
  return {
    deviceIds: [
      { kind: "imei", id: String(990_000_000_000_000 + n) },
      { kind: "iccid", id: String(89_148_000_000_000_000_000n + BigInt(n)) },
    ],
  };
}

/** `count` devices from `first` on. */
export function devices(count: number, first = 0): ActivateDevice[] {
  return Array.from({ length: count }, (_, i) => device(first + i));
}

/** The shared part of a valid activate body. */
export const activatePlan = { servicePlan: "m2m4g", mdnZipCode: "98801" } as const;

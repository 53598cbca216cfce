import { setupServer } from "msw/node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSimulator } from "../../../src/simulator/simulator.js";
import { simulatorHandlers } from "../../../src/simulator/msw.js";

const simulator = createSimulator({ clock: { now: () => Date.now(), sleep: async () => {} } });
const server = setupServer(
  ...simulatorHandlers(simulator),
  ...simulatorHandlers(simulator, { origin: "https://mock.thingspace.verizon.com/" }),
);

beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterAll(() => {
  server.close();
  simulator.close();
});

const tokenRequest = (origin: string) =>
  fetch(`${origin}/api/ts/v1/oauth2/token`, {
    method: "POST",
    headers: { authorization: `Basic ${btoa("a:b")}`, "content-type": "application/x-www-form-urlencoded" },
    body: "grant_type=client_credentials",
  });

describe("simulatorHandlers", () => {
  it("answers ThingSpace's production URLs by default, and other origins when asked", async () => {
    const production = await tokenRequest("https://thingspace.verizon.com");
    expect(production.status).toBe(200);
    expect(((await production.json()) as { token_type: string }).token_type).toBe("Bearer");
    expect((await tokenRequest("https://mock.thingspace.verizon.com")).status).toBe(200);
    const login = await fetch("https://thingspace.verizon.com/api/m2m/v1/session/login", { method: "POST" });
    expect(login.status).toBe(401);
  });

  it("turns an injected connection reset into a network error", async () => {
    simulator.setFaults({ resetConnection: { operation: "getAccessToken", times: 1 } });
    await expect(tokenRequest("https://thingspace.verizon.com")).rejects.toThrow(TypeError);
    expect((await tokenRequest("https://thingspace.verizon.com")).status).toBe(200);
  });
});

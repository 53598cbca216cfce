// Request bodies are read with a byte limit (16 MiB, far above any valid request) and refused in
// ThingSpace's formats when over it, so a runaway sender cannot make the simulator buffer
// without bound; a valid 10,000-device body with every identifier the spec allows fits.
import { describe, expect, it } from "vitest";
import { activateBody, simulatorHarness } from "./simulator-harness.js";

const limit = 16 * 1024 * 1024;

describe("simulator request bodies", () => {
  it("accepts a 10,000-device activate body whose devices carry the spec's most identifiers (10 each)", async () => {
    const { m2m, simulator } = simulatorHarness();
    const devices = Array.from({ length: 10_000 }, (_, n) => ({
      deviceIds: Array.from({ length: 10 }, (_, k) => ({
        kind: "eid" as const,
        id: `89${String(n * 10 + k).padStart(30, "0")}`,
      })),
    }));
    const body = JSON.stringify(activateBody(devices));
    expect(body.length).toBeGreaterThan(5_000_000);
    const response = await m2m("POST", "/devices/actions/activate", body);
    expect(response.status).toBe(200);
    expect(simulator.devices("TestAccount-1")).toHaveLength(10_000);
  });

  it("answers an M2M body over 16 MiB 413 with ThingSpace's error body, without reading the rest", async () => {
    const { m2m, simulator } = simulatorHarness();
    const response = await m2m("POST", "/devices/actions/activate", " ".repeat(limit + 1));
    expect([response.status, await response.json()]).toEqual([
      413,
      {
        errorCode: "REQUEST_FAILED.UnexpectedError",
        errorMessage:
          "The request body is larger than 16777216 bytes (16 MiB): send at most 10,000 devices per request.",
      },
    ]);
    expect(simulator.devices()).toEqual([]);
  });

  it("answers an OAuth form over 16 MiB 413 invalid_request", async () => {
    const { request } = simulatorHarness();
    const response = await request("POST", "/ts/v1/oauth2/token", {
      headers: { authorization: `Basic ${btoa("client:secret")}`, "content-type": "application/x-www-form-urlencoded" },
      body: `grant_type=client_credentials&pad=${"x".repeat(limit)}`,
    });
    expect([response.status, await response.json()]).toEqual([
      413,
      {
        error: "invalid_request",
        error_description:
          "The request body is larger than 16777216 bytes (16 MiB): send at most 10,000 devices per request.",
      },
    ]);
  });
});

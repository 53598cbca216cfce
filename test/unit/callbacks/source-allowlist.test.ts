// `allowedSources`, seen from outside: which senders the receiver accepts (200) or refuses (403),
// and where it reads the sender's address from the host's second argument.
import { describe, expect, it } from "vitest";
import { createCallbackHandler } from "../../../src/callbacks/receiver.js";
import { credentials, signedCallback } from "./signed-callback.js";

const handler = createCallbackHandler({
  credentials,
  allowedSources: ["137.117.33.109", "2001:DB8::1", "10.0.0.1", "10.0.0.2"],
  onCallback: () => undefined,
});
const statusFrom = async (context: object | undefined) =>
  (await handler(signedCallback("StateServiceGoToStateSucceeded"), context)).status;

describe("allowedSources", () => {
  it("accepts listed addresses, IPv4-mapped IPv6 and IPv6 in any case", async () => {
    expect(await statusFrom({ remoteAddress: "137.117.33.109" })).toBe(200);
    expect(await statusFrom({ remoteAddress: "::ffff:137.117.33.109" })).toBe(200);
    expect(await statusFrom({ remoteAddress: "[2001:db8::1]" })).toBe(200);
  });

  it("refuses other addresses and an unknown sender with 403", async () => {
    const forbidden = { error: "forbidden", message: "callbacks are not accepted from this address" };
    const other = await handler(signedCallback("StateServiceGoToStateSucceeded"), { remoteAddress: "137.117.33.110" });
    expect([other.status, await other.json()]).toEqual([403, forbidden]);
    const unknown = await handler(signedCallback("StateServiceGoToStateSucceeded"));
    expect([unknown.status, await unknown.json()]).toEqual([403, forbidden]);
  });
});

describe("the sender's address", () => {
  it("reads remoteAddress, or Deno.serve's remoteAddr.hostname, and ignores anything else", async () => {
    expect(await statusFrom({ remoteAddress: "10.0.0.1" })).toBe(200);
    expect(await statusFrom({ remoteAddr: { hostname: "10.0.0.2", port: 1 } })).toBe(200);
    expect(await statusFrom({ params: {} })).toBe(403);
    expect(await statusFrom(undefined)).toBe(403);
  });
});

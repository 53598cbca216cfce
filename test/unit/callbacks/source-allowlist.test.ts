import { describe, expect, it } from "vitest";
import { createSourceAllowlist, remoteAddressOf } from "../../../src/callbacks/source-allowlist.js";

describe("createSourceAllowlist", () => {
  const allow = createSourceAllowlist(["137.117.33.109", "2001:DB8::1"]);

  it("accepts listed addresses, IPv4-mapped IPv6 and IPv6 in any case", () => {
    expect(allow("137.117.33.109")).toBe(true);
    expect(allow("::ffff:137.117.33.109")).toBe(true);
    expect(allow("[2001:db8::1]")).toBe(true);
  });

  it("refuses other addresses and an unknown sender", () => {
    expect(allow("137.117.33.110")).toBe(false);
    expect(allow(undefined)).toBe(false);
  });
});

describe("remoteAddressOf", () => {
  it("reads remoteAddress, or Deno.serve's remoteAddr.hostname, and ignores anything else", () => {
    expect(remoteAddressOf({ remoteAddress: "10.0.0.1" })).toBe("10.0.0.1");
    expect(remoteAddressOf({ remoteAddr: { hostname: "10.0.0.2", port: 1 } })).toBe("10.0.0.2");
    expect(remoteAddressOf({ params: {} })).toBeUndefined();
    expect(remoteAddressOf(undefined)).toBeUndefined();
  });
});

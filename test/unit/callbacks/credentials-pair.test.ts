import { describe, expect, it } from "vitest";
import { createCredentialsCheck } from "../../../src/callbacks/receiver.js";

describe("createCredentialsCheck with one digest per pair", () => {
  const check = createCredentialsCheck({ username: "user", password: "pwd" });

  it.each([
    ["the same characters split later", { username: "userp", password: "wd" }],
    ["the same characters split earlier", { username: "use", password: "rpwd" }],
    ["everything in the password", { username: "", password: "userpwd" }],
    ["the length prefix forged into the username", { username: "4:user", password: "pwd" }],
  ])("refuses %s", async (_, body) => {
    expect(await check(body)).toBe(false);
  });

  it("accepts non-ASCII pairs exactly", async () => {
    const unicode = createCredentialsCheck({ username: "zoë", password: "pässwörd-✓" });
    expect(await unicode({ username: "zoë", password: "pässwörd-✓" })).toBe(true);
    expect(await unicode({ username: "zoe", password: "pässwörd-✓" })).toBe(false);
  });
});

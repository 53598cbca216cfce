import { describe, expect, it } from "vitest";
import { createCredentialsCheck } from "../../../src/callbacks/receiver.js";

describe("createCredentialsCheck", () => {
  const check = createCredentialsCheck({ username: "user", password: "pwd" });

  it("accepts exactly the registered pair", async () => {
    expect(await check({ username: "user", password: "pwd", requestId: "r" })).toBe(true);
  });

  it.each([
    ["a wrong password", { username: "user", password: "pwd2" }],
    ["a wrong username", { username: "User", password: "pwd" }],
    ["a prefix of the password", { username: "user", password: "pw" }],
    ["no password", { username: "user" }],
    ["a non-string password", { username: "user", password: ["pwd"] }],
    ["a body that is not an object", "user:pwd"],
    ["null", null],
  ])("refuses %s", async (_, body) => {
    expect(await check(body)).toBe(false);
  });

  it("refuses an empty registered password, pointing at the explicit opt-out", () => {
    expect(() => createCredentialsCheck({ username: "", password: "" })).toThrow(
      /dangerouslyAcceptUnauthenticatedCallbacks: true/,
    );
  });

  it("keeps no copy of the registered pair on the check", () => {
    const password = "very-secret-password";
    const checker = createCredentialsCheck({ username: "user", password });
    expect(JSON.stringify(checker)).toBeUndefined();
    expect(Object.values(checker)).toEqual([]);
    expect(checker.toString()).not.toContain(password);
  });
});

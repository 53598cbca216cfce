/**
 * Checks a callback body's `username`/`password` against the pair registered with ThingSpace,
 * in constant time. Both pairs are hashed first (one SHA-256 over each pair: node:crypto where
 * the host has it, else Web Crypto, so it runs in Node, Bun, Deno and Workers alike), so the
 * comparison always covers 32 bytes whatever the lengths are, and the registered pair itself is
 * not kept: only its digest is.
 */
import type * as NodeCrypto from "node:crypto";

/** The `username` and `password` registered with `POST /callbacks/{accountName}`. */
export interface CallbackCredentials {
  readonly username: string;
  readonly password: string;
}

const encoder = new TextEncoder();

// node:crypto where the host has it (Node, Bun, Deno, Workers with nodejs_compat): its SHA-256
// is synchronous, while each Web Crypto digest is a round trip to a thread pool that cost more
// than the rest of handling a callback. Reached through process.getBuiltinModule so that
// importing this module needs no Node built-in.
const nodeCrypto = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process?.getBuiltinModule?.(
  "node:crypto",
) as typeof NodeCrypto | undefined;

function digest(value: string): Uint8Array | Promise<Uint8Array> {
  if (nodeCrypto) return nodeCrypto.hash ? nodeCrypto.hash("sha256", value, "buffer") : nodeCrypto.createHash("sha256").update(value, "utf8").digest();
  return crypto.subtle.digest("SHA-256", encoder.encode(value)).then((buffer) => new Uint8Array(buffer));
}

/** One text for the pair, from which both parts can be told apart again (so one digest covers both). */
const pairText = (username: string, password: string): string => `${username.length}:${username}${password}`;

/** Compares two digests of equal length without an early exit. */
function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  let difference = a.length ^ b.length;
  for (let i = 0; i < a.length; i++) difference |= a[i]! ^ (b[i] ?? 0);
  return difference === 0;
}

function stringField(body: unknown, name: string): string | undefined {
  if (typeof body !== "object" || body === null) return undefined;
  const value = (body as Record<string, unknown>)[name];
  return typeof value === "string" ? value : undefined;
}

/**
 * Returns a check that resolves true only when `body.username` and `body.password` equal the
 * registered pair. A missing or non-string field never matches.
 */
export function createCredentialsCheck(expected: CallbackCredentials): (body: unknown) => Promise<boolean> {
  if (typeof expected?.username !== "string" || typeof expected?.password !== "string" || expected.password === "") {
    throw new TypeError(
      "credentials must be the { username, password } registered with POST /callbacks/{accountName}, with a non-empty password " +
        "(or pass dangerouslyAcceptUnauthenticatedCallbacks: true to accept anyone's callbacks)",
    );
  }
  const expectedDigest = digest(pairText(expected.username, expected.password));
  return async (body) => {
    const username = stringField(body, "username");
    const password = stringField(body, "password");
    const got = digest(pairText(username ?? "", password ?? ""));
    const same = constantTimeEqual(
      got instanceof Uint8Array ? got : await got,
      expectedDigest instanceof Uint8Array ? expectedDigest : await expectedDigest,
    );
    return same && username !== undefined && password !== undefined;
  };
}

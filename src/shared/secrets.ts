/**
 * Secrets compared in constant time (client secrets, passwords, callback credentials), so
 * timing tells an attacker nothing. Values are hashed first (SHA-256), so the comparison always
 * covers 32 bytes whatever the lengths are and the expected value need not be kept, only its
 * digest. node:crypto where the host has it (Node, Bun, Deno, Workers with nodejs_compat): its
 * SHA-256 is synchronous, while each Web Crypto digest is a round trip to a thread pool that
 * costs more than the rest of handling a callback.
 */
import type * as NodeCrypto from "node:crypto";

// Reached through process.getBuiltinModule so that importing this module needs no Node built-in.
const nodeCrypto = (
  globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }
).process?.getBuiltinModule?.("node:crypto") as typeof NodeCrypto | undefined;

const encoder = new TextEncoder();

/** The SHA-256 digest of a secret: synchronous where node:crypto exists, else a promise (Web Crypto). */
export function secretDigest(value: string): Uint8Array | Promise<Uint8Array> {
  if (nodeCrypto) {
    return nodeCrypto.hash
      ? nodeCrypto.hash("sha256", value, "buffer")
      : nodeCrypto.createHash("sha256").update(value, "utf8").digest();
  }
  return crypto.subtle.digest("SHA-256", encoder.encode(value)).then((buffer) => new Uint8Array(buffer));
}

/** Compares two digests without an early exit. */
export function sameDigest(a: Uint8Array, b: Uint8Array): boolean {
  let difference = a.length ^ b.length;
  for (let i = 0; i < a.length; i++) difference |= a[i]! ^ (b[i] ?? 0);
  return difference === 0;
}

/** True when both secrets are equal, in constant time. */
export async function sameSecret(a: string, b: string): Promise<boolean> {
  const [left, right] = await Promise.all([secretDigest(a), secretDigest(b)]);
  return sameDigest(left, right);
}

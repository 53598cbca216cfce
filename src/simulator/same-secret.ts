/** Constant-time comparison of secrets (client secrets, passwords), so timing tells nothing. */
import { createHash, timingSafeEqual } from "node:crypto";

const digest = (value: string) => createHash("sha256").update(value).digest();

/** True when both strings are equal; hashing first makes the comparison length-independent. */
export function sameSecret(a: string, b: string): boolean {
  return timingSafeEqual(digest(a), digest(b));
}

/**
 * OAuth access tokens the simulator issued: valid for a configurable time, revocable, and all
 * expirable at once so a test can make a client meet a 401 in the middle of its work.
 */
import { randomBytes } from "node:crypto";

/** Issued bearer tokens and their expiry. */
export interface AccessTokenStore {
  /** A new token valid `ttlSeconds` from now. */
  issue(): { accessToken: string; expiresIn: number };
  isValid(token: string): boolean;
  revoke(token: string): void;
  /** Every token issued so far stops working. */
  expireAll(): void;
}

/** Creates a store whose tokens live `ttlSeconds` by the injected clock. */
export function createAccessTokenStore(ttlSeconds: number, now: () => number): AccessTokenStore {
  const expiries = new Map<string, number>();
  return {
    issue() {
      const accessToken = randomBytes(16).toString("hex");
      expiries.set(accessToken, now() + ttlSeconds * 1000);
      return { accessToken, expiresIn: ttlSeconds };
    },
    isValid(token) {
      const expiry = expiries.get(token);
      if (expiry === undefined) return false;
      if (now() < expiry) return true;
      expiries.delete(token);
      return false;
    },
    revoke(token) {
      expiries.delete(token);
    },
    expireAll() {
      expiries.clear();
    },
  };
}

/**
 * M2M sessions: tokens that expire after a configurable idle time (ThingSpace: 20 minutes
 * without use), and the users allowed to log in. With no users configured any username and
 * password is accepted, like ThingSpace's sandbox; once users exist, a wrong pair fails, and
 * five failures in a row lock the user as ThingSpace does.
 */
import { randomBytes } from "node:crypto";
import { simulatorErrorCodes } from "./error-codes.js";
import { sameSecret } from "./same-secret.js";

/** How many failed logins in a row lock a user (ThingSpace's documented rule). */
export const loginAttemptsBeforeLock = 5;

/** A login's outcome: a session token, or ThingSpace's error code. */
export type LoginOutcome = { ok: true; sessionToken: string } | { ok: false; errorCode: string; errorMessage: string };

/** The session and user state. */
export interface SessionStore {
  logIn(username: string, password: string): LoginOutcome;
  /** Checks a token and, when valid, counts it as used now (which restarts its idle time). */
  touch(token: string): boolean;
  logOut(token: string): boolean;
  /** Every session ends: the next call with any token fails with `SessionToken.Expired`. */
  expireAll(): void;
  /** Allows this user to log in; from then on only registered users can. */
  registerUser(username: string, password: string): void;
}


/** Creates the store; `users` restricts logins to those pairs. */
export function createSessionStore(options: {
  idleTimeoutMs: number;
  now: () => number;
  users?: Readonly<Record<string, string>>;
}): SessionStore {
  const lastUsed = new Map<string, number>();
  const users = options.users ? new Map(Object.entries(options.users)) : undefined;
  let registered = users;
  const failures = new Map<string, number>();

  return {
    logIn(username, password) {
      if (registered) {
        if ((failures.get(username) ?? 0) >= loginAttemptsBeforeLock) {
          return {
            ok: false,
            errorCode: simulatorErrorCodes.userLocked,
            errorMessage: `User ${username} is locked after ${loginAttemptsBeforeLock} failed logins in a row; contact support.`,
          };
        }
        const expected = registered.get(username);
        if (expected === undefined || !sameSecret(expected, password)) {
          failures.set(username, (failures.get(username) ?? 0) + 1);
          return { ok: false, errorCode: simulatorErrorCodes.loginFailed, errorMessage: "Invalid username or password." };
        }
        failures.delete(username);
      }
      const sessionToken = randomBytes(16).toString("hex");
      lastUsed.set(sessionToken, options.now());
      return { ok: true, sessionToken };
    },
    touch(token) {
      const last = lastUsed.get(token);
      if (last === undefined) return false;
      const now = options.now();
      if (now - last >= options.idleTimeoutMs) {
        lastUsed.delete(token);
        return false;
      }
      lastUsed.set(token, now);
      return true;
    },
    logOut(token) {
      return lastUsed.delete(token);
    },
    expireAll() {
      lastUsed.clear();
    },
    registerUser(username, password) {
      registered ??= new Map();
      registered.set(username, password);
      failures.delete(username);
    },
  };
}

import type { Client } from "openapi-fetch";
import type { components, paths } from "../../../generated/openapi-types.js";
import type { SafeLogger } from "../logger.js";
import type { SecretRedactor } from "../secret-redactor.js";
import { AuthenticationError } from "../errors/authentication-error.js";
import { ConnectionError } from "../errors/connection-error.js";
import { readRefusal } from "../errors/error-body.js";
import { summarizeAnswer } from "../errors/answer-fields.js";
import type { IssuedToken, TokenSource } from "./token-cache.js";

/** What the M2M login needs. */
export interface SessionLoginOptions {
  /** An openapi-fetch client without the auth middleware. */
  client: Client<paths>;
  /** The OAuth access token sent as the login's bearer. */
  accessToken: TokenSource;
  credentials: components["schemas"]["LoginRequest"];
  logger: SafeLogger;
  redactor: SecretRedactor;
}

const lockAdvice =
  "The client will not log in again on its own (five failed logins in a row lock the ThingSpace account): " +
  "check the username and password, then call client.resetAuthentication().";

// A login whose answer never came may still have counted as a failure, but it says nothing
// about the credentials.
const unansweredLockAdvice =
  "The client will not log in again on its own, since the attempt may have counted towards the account lock-out " +
  "(five failed logins in a row): once ThingSpace is reachable, call client.resetAuthentication().";

/**
 * Returns the function that logs in (POST /session/login). Every failure except a connection
 * that never reached ThingSpace is a locking {@link AuthenticationError}: a login that was
 * refused, or whose answer never came, may count towards the account lock-out, so it is never
 * repeated automatically.
 */
export function createSessionLogin(options: SessionLoginOptions): (renewal: boolean) => Promise<IssuedToken> {
  options.redactor.add(options.credentials.password);
  return async (renewal) => {
    const bearer = await options.accessToken.get();
    let result;
    try {
      result = await options.client.POST("/session/login", {
        body: options.credentials,
        headers: { Authorization: `Bearer ${bearer}` },
      });
    } catch (error) {
      const locked = !(error instanceof ConnectionError);
      const reason = options.redactor.redact((error as Error).message);
      options.logger.error("M2M login did not complete", { locked });
      throw new AuthenticationError(
        `The M2M login did not complete: ${reason} ${locked ? unansweredLockAdvice : "It can be tried again."}`,
        { stage: "login", locked },
        { cause: error },
      );
    }
    const { data, error, response } = result;
    if (!data || typeof data.sessionToken !== "string" || data.sessionToken === "") {
      const refusal = readRefusal(response.status, error, options.redactor);
      options.logger.error("M2M login refused", refusal);
      throw new AuthenticationError(`ThingSpace refused the M2M login with ${summarizeAnswer(refusal)}. ${lockAdvice}`, {
        stage: "login",
        locked: true,
        ...refusal,
      });
    }
    options.redactor.add(data.sessionToken);
    options.logger.info(renewal ? "M2M session renewed" : "M2M session started");
    return { token: data.sessionToken };
  };
}

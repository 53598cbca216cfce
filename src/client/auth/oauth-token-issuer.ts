import type { Client } from "openapi-fetch";
import type { paths } from "../../../generated/openapi-types.js";
import type { Clock } from "../clock.js";
import type { SafeLogger } from "../logger.js";
import type { SecretRedactor } from "../secret-redactor.js";
import { AuthenticationError } from "../errors/authentication-error.js";
import { readRefusal } from "../errors/error-body.js";
import { summarizeAnswer } from "../errors/answer-fields.js";
import type { IssuedToken } from "./token-cache.js";

/** What the OAuth client-credentials grant needs. */
export interface OAuthTokenIssuerOptions {
  /** An openapi-fetch client without the auth middleware (this call authenticates with Basic). */
  client: Client<paths>;
  /** `${baseUrl}/ts/v1`: the token endpoint is not under the M2M root. */
  oauthBaseUrl: string;
  clientId: string;
  clientSecret: string;
  clock: Clock;
  logger: SafeLogger;
  redactor: SecretRedactor;
}

/** `base64(clientId:clientSecret)`, UTF-8 safe and without Node's Buffer. */
function basicCredential(clientId: string, clientSecret: string): string {
  const bytes = new TextEncoder().encode(`${clientId}:${clientSecret}`);
  return btoa(Array.from(bytes, (byte) => String.fromCharCode(byte)).join(""));
}

/**
 * Returns the function that asks ThingSpace for an access token (POST /ts/v1/oauth2/token,
 * Basic auth, `grant_type=client_credentials`). A failure is an {@link AuthenticationError}
 * that does not lock the client: the next call asks again.
 */
export function createOAuthTokenIssuer(options: OAuthTokenIssuerOptions): () => Promise<IssuedToken> {
  const basic = basicCredential(options.clientId, options.clientSecret);
  options.redactor.add(options.clientSecret, basic);
  return async () => {
    let result;
    try {
      result = await options.client.POST("/oauth2/token", {
        baseUrl: options.oauthBaseUrl,
        body: { grant_type: "client_credentials" },
        bodySerializer: (body) => new URLSearchParams(body).toString(),
        headers: { Authorization: `Basic ${basic}`, "Content-Type": "application/x-www-form-urlencoded" },
      });
    } catch (error) {
      throw new AuthenticationError(
        `Could not get an OAuth access token: ${options.redactor.redact((error as Error).message)}`,
        { stage: "token" },
        { cause: error },
      );
    }
    const { data, error, response } = result;
    if (!data || typeof data.access_token !== "string" || data.access_token === "") {
      const refusal = readRefusal(response.status, error, options.redactor);
      options.logger.error("OAuth token request refused", refusal);
      // A 429 or 5xx says nothing about the credentials: the next call simply asks again.
      const advice =
        response.status === 429 || response.status >= 500
          ? "ThingSpace's OAuth server is unavailable or busy; the next call asks for a token again."
          : "Check the clientId and clientSecret options (the application's key and secret).";
      throw new AuthenticationError(`ThingSpace refused the OAuth token request with ${summarizeAnswer(refusal)}. ${advice}`, {
        stage: "token",
        ...refusal,
      });
    }
    options.redactor.add(data.access_token);
    const expiresIn = typeof data.expires_in === "number" && data.expires_in > 0 ? data.expires_in : undefined;
    options.logger.info("OAuth access token obtained", { expiresInSeconds: expiresIn });
    return expiresIn === undefined
      ? { token: data.access_token }
      : { token: data.access_token, expiresAt: options.clock.now() + expiresIn * 1000 };
  };
}

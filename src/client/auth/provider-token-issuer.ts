import type { SecretRedactor } from "../secret-redactor.js";
import { AuthenticationError, type AuthenticationStage } from "../errors/authentication-error.js";
import type { IssuedToken } from "./token-cache.js";

/**
 * Supplies a token the application obtains itself. `renewal` is true when ThingSpace refused
 * the previous one (expired session, 401): the provider must then return a new token, not the
 * one it cached.
 */
export type TokenProvider = (context: { renewal: boolean }) => string | Promise<string>;

/** Adapts a {@link TokenProvider} to a token cache's issuer; its failures do not lock the client. */
export function createProviderTokenIssuer(
  stage: AuthenticationStage,
  provider: TokenProvider,
  redactor: SecretRedactor,
): (renewal: boolean) => Promise<IssuedToken> {
  const name = stage === "token" ? "accessToken" : "sessionToken";
  return async (renewal) => {
    let token: unknown;
    try {
      token = await provider({ renewal });
    } catch (error) {
      throw new AuthenticationError(`The ${name} provider threw (see cause).`, { stage }, { cause: error });
    }
    if (typeof token !== "string" || token === "") {
      throw new AuthenticationError(`The ${name} provider must return a non-empty string.`, { stage });
    }
    redactor.add(token);
    return { token };
  };
}

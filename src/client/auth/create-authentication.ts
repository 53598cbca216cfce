import type { Client } from "openapi-fetch";
import type { paths } from "../../../generated/openapi-types.js";
import { validateLoginRequest } from "../../../generated/validators.js";
import type { Clock } from "../clock.js";
import type { ThingSpaceClientOptions, ThingSpaceCredentials } from "../client-options.js";
import type { SafeLogger } from "../logger.js";
import type { SecretRedactor } from "../secret-redactor.js";
import { AuthenticationError } from "../errors/authentication-error.js";
import { validateRequest } from "../validation/validate-request.js";
import { createOAuthTokenIssuer } from "./oauth-token-issuer.js";
import { createProviderTokenIssuer } from "./provider-token-issuer.js";
import { createSessionLogin } from "./session-login.js";
import { TokenCache, type IssuedToken } from "./token-cache.js";

/** The client's two tokens and the way to start over after a failed login. */
export interface Authentication {
  access: TokenCache;
  session: TokenCache;
  reset(credentials?: Partial<ThingSpaceCredentials>): void;
}

/** What {@link createAuthentication} wires together. */
export interface AuthenticationSetup {
  options: ThingSpaceClientOptions;
  /** openapi-fetch client without the auth middleware, rooted at `${baseUrl}/m2m/v1`, for the login (never retried on an answer). */
  authClient: Client<paths>;
  /** The same, whose transport retries 429/503: a token request changes nothing, so it may be sent again. */
  tokenClient: Client<paths>;
  oauthBaseUrl: string;
  clock: Clock;
  logger: SafeLogger;
  redactor: SecretRedactor;
  validate: boolean;
}

/** The access token is renewed this long before it expires (tokens last an hour). */
export const refreshBeforeExpiryMs = 60_000;

type Issuer = (renewal: boolean) => Promise<IssuedToken>;

/**
 * Builds the access-token and session caches from credentials (OAuth client credentials and
 * an M2M login) or from the application's token providers. A refused login locks the session
 * cache until {@link Authentication.reset}.
 */
export function createAuthentication(setup: AuthenticationSetup): Authentication {
  const { options, clock, redactor } = setup;
  let issueAccess: Issuer;
  let issueSession: Issuer;
  const access = new TokenCache({ issue: (renewal) => issueAccess(renewal), clock, refreshBeforeMs: refreshBeforeExpiryMs });
  const session = new TokenCache({
    issue: (renewal) => issueSession(renewal),
    clock,
    refreshBeforeMs: 0,
    isLockingFailure: (error) => error instanceof AuthenticationError && error.locked,
  });

  let credentials = options.credentials;
  const configure = (): void => {
    if (credentials) {
      const login = { username: credentials.username, password: credentials.password };
      if (setup.validate) validateRequest("logIn", validateLoginRequest, login);
      const oauth = createOAuthTokenIssuer({ ...setup, client: setup.tokenClient, clientId: credentials.clientId, clientSecret: credentials.clientSecret });
      issueAccess = () => oauth();
      issueSession = createSessionLogin({ ...setup, client: setup.authClient, accessToken: access, credentials: login });
    } else if (options.accessToken && options.sessionToken) {
      issueAccess = createProviderTokenIssuer("token", options.accessToken, redactor);
      issueSession = createProviderTokenIssuer("login", options.sessionToken, redactor);
    } else {
      throw new TypeError("createThingSpaceClient needs either credentials or both accessToken and sessionToken providers");
    }
  };
  configure();

  return {
    access,
    session,
    reset(newCredentials) {
      if (newCredentials) {
        if (!credentials) throw new TypeError("resetAuthentication: this client authenticates with token providers, not credentials");
        credentials = { ...credentials, ...newCredentials };
        configure();
      }
      access.reset();
      session.reset();
      setup.logger.info("Authentication reset: the next call logs in again");
    },
  };
}

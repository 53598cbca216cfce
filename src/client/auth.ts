/**
 * The client's two tokens: the OAuth access token (client-credentials grant) and the M2M
 * session (a login), or both from the application's own providers. Each lives in a
 * {@link TokenCache} that issues it once for any number of concurrent calls; the session cache
 * remembers a refused login and logs in no more until `resetAuthentication()`, since five failed
 * logins in a row lock the ThingSpace user. The token request and the login are sent through the same request
 * loop as every call, with their own operations (no tokens on the first, the bearer on the
 * second, and a login that got an answer is never sent again).
 */
import type { Client } from "openapi-fetch";
import { validateLoginRequest } from "../../generated/validators.js";
import { abortable, type Clock } from "../shared/clock.js";
import type { paths, Schemas } from "../shared/spec.js";
import { AuthenticationError, ConnectionError, assertValidBody, type AuthenticationStage } from "./errors.js";
import { errorFromResponse, unansweredAuthentication } from "./refusals.js";
import type { ClientSettings, ThingSpaceCredentials } from "./options.js";
import { operations, type Operation } from "./operations.js";

/**
 * Supplies a token the application obtains itself. `renewal` is true when ThingSpace refused
 * the previous one (expired session, 401): the provider must then return a new token, not the
 * one it cached.
 */
export type TokenProvider = (context: { renewal: boolean }) => string | Promise<string>;

/** The access token is renewed this long before it expires (tokens last an hour). */
export const refreshBeforeExpiryMs = 60_000;

/**
 * How long an access token is taken to last when its answer has no `expires_in` (OAuth only
 * recommends it): 15 minutes, a quarter of ThingSpace's documented hour. A server that leaves
 * the lifetime out may well use a shorter one than documented, and asking too early costs one
 * token request (which locks nothing), while asking too late costs a refused call and its replay.
 */
export const assumedAccessTokenLifetimeMs = 15 * 60_000;

/** A token as issued, with its expiry when the issuer knows it. */
export interface IssuedToken {
  token: string;
  /** Epoch milliseconds; undefined when only a refusal tells that the token is no longer valid. */
  expiresAt?: number;
}

/** What the request loop needs from a token: the current one, and a new one once it is refused. */
export interface TokenSource {
  /** The cached token, or a new one (concurrent callers share one request). */
  get(signal?: AbortSignal): Promise<string>;
  /** A token other than `stale`: issues one unless another caller already replaced it. */
  renew(stale: string | null, signal?: AbortSignal): Promise<string>;
}

/** How a {@link TokenCache} obtains and keeps its token. */
export interface TokenCacheOptions {
  /** Obtains a token. Runs without any caller's signal: callers share it. */
  issue: (renewal: boolean) => Promise<IssuedToken>;
  clock: Clock;
  /** Asks for a new token this long before `expiresAt`. */
  refreshBeforeMs: number;
  /** True for failures that must stick until {@link TokenCache.reset} (a refused login). */
  isLockingFailure?: (error: unknown) => boolean;
}

/**
 * Keeps one token, issues it once for any number of concurrent callers, reuses it until
 * shortly before it expires, and can remember a failure so that nothing is issued again until
 * the user resets it.
 */
export class TokenCache implements TokenSource {
  readonly #options: TokenCacheOptions;
  #current: IssuedToken | undefined;
  #pending: Promise<IssuedToken> | undefined;
  #failure: unknown;
  // Bumped by reset(), so that an issue started before it cannot install its result after it.
  #generation = 0;

  constructor(options: TokenCacheOptions) {
    this.#options = options;
  }

  async get(signal?: AbortSignal): Promise<string> {
    return this.#obtain(false, signal);
  }

  async renew(stale: string | null, signal?: AbortSignal): Promise<string> {
    if (this.#current && this.#current.token === stale) this.#current = undefined;
    return this.#obtain(true, signal);
  }

  /** The cached token without issuing one (undefined when there is none). */
  peek(): string | undefined {
    return this.#current?.token;
  }

  /** Forgets `token` if it is still the current one (after a logout); a remembered failure stays. */
  forget(token: string): void {
    if (this.#current?.token === token) this.#current = undefined;
  }

  /** Forgets the token and any remembered failure. */
  reset(): void {
    this.#generation += 1;
    this.#current = undefined;
    this.#pending = undefined;
    this.#failure = undefined;
  }

  async #obtain(renewal: boolean, signal: AbortSignal | undefined): Promise<string> {
    if (this.#failure !== undefined) throw this.#failure;
    if (this.#current && this.#isFresh(this.#current)) return this.#current.token;
    return (await abortable(this.#issue(renewal), signal)).token;
  }

  #isFresh(token: IssuedToken): boolean {
    return token.expiresAt === undefined || this.#options.clock.now() < token.expiresAt - this.#options.refreshBeforeMs;
  }

  #issue(renewal: boolean): Promise<IssuedToken> {
    if (this.#pending) return this.#pending;
    const generation = this.#generation;
    const pending = this.#options.issue(renewal).then(
      (issued) => {
        if (generation === this.#generation) this.#current = issued;
        return issued;
      },
      (error: unknown) => {
        if (generation === this.#generation && this.#options.isLockingFailure?.(error)) this.#failure = error;
        throw error;
      },
    );
    this.#pending = pending;
    const clear = (): void => {
      if (this.#pending === pending) this.#pending = undefined;
    };
    pending.then(clear, clear);
    return pending;
  }
}

/** The client's two tokens and the way to start over after a failed login. */
export interface Tokens {
  access: TokenCache;
  session: TokenCache;
  /**
   * Forgets both tokens and a refused login, with new credentials if given; the next call
   * logs in again.
   */
  reset(credentials?: Partial<ThingSpaceCredentials>): void;
}

type Issuer = (renewal: boolean) => Promise<IssuedToken>;

/**
 * Builds the access-token and session caches from the settings' credentials (the token request
 * and the login are sent with `sender`, an openapi-fetch client on the request loop without the
 * user's middleware) or from the application's token providers.
 */
export function createTokens(settings: ClientSettings, sender: Client<paths>): Tokens {
  const { clock, logger } = settings;
  let issueAccess: Issuer;
  let issueSession: Issuer;
  const access = new TokenCache({
    issue: (renewal) => issueAccess(renewal),
    clock,
    refreshBeforeMs: refreshBeforeExpiryMs,
  });
  const session = new TokenCache({
    issue: (renewal) => issueSession(renewal),
    clock,
    refreshBeforeMs: 0,
    isLockingFailure: (error) => error instanceof AuthenticationError && error.resetRequired,
  });

  const authentication = settings.authentication;
  let credentials = "credentials" in authentication ? authentication.credentials : undefined;
  const configure = (): void => {
    if (credentials) {
      const login = { username: credentials.username, password: credentials.password };
      if (settings.validate) assertValidBody(operations.logIn, validateLoginRequest, login);
      issueAccess = oauthIssuer(settings, sender, credentials);
      issueSession = loginIssuer(settings, sender, login);
    } else if ("accessToken" in authentication) {
      issueAccess = providerIssuer(settings, "token", authentication.accessToken);
      issueSession = providerIssuer(settings, "login", authentication.sessionToken);
    }
  };
  configure();

  return {
    access,
    session,
    reset(newCredentials) {
      if (newCredentials) {
        if (!credentials)
          throw new TypeError("resetAuthentication: this client authenticates with token providers, not credentials");
        credentials = { ...credentials, ...newCredentials };
        configure();
      }
      access.reset();
      session.reset();
      logger.info("Authentication reset: the next call logs in again");
    },
  };
}

/** `base64(clientId:clientSecret)`, UTF-8 safe and without Node's Buffer. */
function basicCredential(clientId: string, clientSecret: string): string {
  const bytes = new TextEncoder().encode(`${clientId}:${clientSecret}`);
  return btoa(Array.from(bytes, (byte) => String.fromCharCode(byte)).join(""));
}

/**
 * Asks ThingSpace for an access token (POST /ts/v1/oauth2/token, Basic auth,
 * `grant_type=client_credentials`). A failure does not lock the client: the next call asks again.
 */
function oauthIssuer(settings: ClientSettings, sender: Client<paths>, credentials: ThingSpaceCredentials): Issuer {
  const basic = basicCredential(credentials.clientId, credentials.clientSecret);
  settings.redactor.add(credentials.clientSecret, basic);
  const send = () =>
    sender.POST("/oauth2/token", {
      baseUrl: settings.oauthBaseUrl,
      body: { grant_type: "client_credentials" },
      bodySerializer: (body) => new URLSearchParams(body).toString(),
      headers: { Authorization: `Basic ${basic}`, "Content-Type": "application/x-www-form-urlencoded" },
    });
  return async () => {
    const data = await requestToken(settings, operations.getAccessToken, send, (answer) => answer.access_token);
    const stated = typeof data.expires_in === "number" && data.expires_in > 0 ? data.expires_in * 1000 : undefined;
    const lifetimeMs = stated ?? assumedAccessTokenLifetimeMs;
    settings.logger.info("OAuth access token obtained", {
      expiresInSeconds: lifetimeMs / 1000,
      ...(stated === undefined ? { lifetimeAssumed: true } : {}),
    });
    return { token: data.access_token, expiresAt: settings.clock.now() + lifetimeMs };
  };
}

/**
 * Logs in (POST /session/login, with the bearer). Every failure except a connection that never
 * reached ThingSpace needs a reset before the next login: a login that was refused, or whose
 * answer never came, may count towards ThingSpace's lock-out of the user, so it is never
 * repeated automatically.
 */
function loginIssuer(settings: ClientSettings, sender: Client<paths>, login: Schemas["LoginRequest"]): Issuer {
  settings.redactor.add(login.password);
  const send = () => sender.POST("/session/login", { body: login });
  return async (renewal) => {
    const data = await requestToken(settings, operations.logIn, send, (answer) => answer.sessionToken);
    settings.logger.info(renewal ? "M2M session renewed" : "M2M session started");
    return { token: data.sessionToken };
  };
}

/**
 * Sends a token request or a login and returns its answer once it holds a non-empty token
 * (`tokenOf`); anything else is the {@link AuthenticationError} of the operation's stage.
 */
async function requestToken<Data>(
  settings: ClientSettings,
  operation: Operation,
  send: () => Promise<{ data?: Data; error?: unknown; response: Response }>,
  tokenOf: (data: Data) => unknown,
): Promise<Data> {
  const what = operation.authStage === "token" ? "OAuth token request" : "M2M login";
  let result;
  try {
    result = await send();
  } catch (error) {
    // The login's bearer comes from the token request, whose own failure stays what it is; a
    // connection never made stays a ConnectionError (of this stage): nothing was sent.
    if (error instanceof AuthenticationError || error instanceof ConnectionError) throw error;
    const failure = unansweredAuthentication(operation, error, settings.redactor);
    settings.logger.error(`${what} got no answer`, { resetRequired: failure.resetRequired });
    throw failure;
  }
  const { data } = result;
  const token = data === undefined ? undefined : tokenOf(data);
  if (typeof token !== "string" || token === "") {
    const failure = errorFromResponse(
      operation,
      result.response,
      result.error,
      settings.redactor,
    ) as AuthenticationError;
    settings.logger.error(`${what} refused`, {
      status: failure.status,
      errorCode: failure.errorCode,
      errorMessage: failure.errorMessage,
    });
    throw failure;
  }
  settings.redactor.add(token);
  return data as Data;
}

/** Adapts a {@link TokenProvider} to a token cache's issuer; its failures do not lock the client. */
function providerIssuer(settings: ClientSettings, stage: AuthenticationStage, provider: TokenProvider): Issuer {
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
    settings.redactor.add(token);
    return { token };
  };
}

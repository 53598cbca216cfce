import type { Clock } from "../clock.js";
import { abortable } from "../transport/abortable.js";

/** A token as issued, with its expiry when the issuer knows it. */
export interface IssuedToken {
  token: string;
  /** Epoch milliseconds; undefined when only a refusal tells that the token is no longer valid. */
  expiresAt?: number;
}

/** What the auth middleware needs from a token: the current one, and a new one once it is refused. */
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

/**
 * A rolling-window request limit per key (the simulator keys activate requests by account:
 * ThingSpace allows 100 a minute). Only admitted requests count, so a client that backs off for
 * `Retry-After` seconds is admitted when it comes back.
 */

/** The limiter's answer: admitted, or the seconds until a slot frees up. */
export type RateDecision = { admitted: true } | { admitted: false; retryAfterSeconds: number };

/** A rolling-window limiter. */
export interface RateLimiter {
  admit(key: string): RateDecision;
}

/** At most `limit` admissions per key in any `windowMs`, by the injected clock. */
export function createRateLimiter(limit: number, windowMs: number, now: () => number): RateLimiter {
  const admissions = new Map<string, number[]>();
  return {
    admit(key) {
      const time = now();
      const recent = (admissions.get(key) ?? []).filter((at) => at > time - windowMs);
      if (recent.length >= limit) {
        admissions.set(key, recent);
        const oldest = recent[0]!;
        return { admitted: false, retryAfterSeconds: Math.max(1, Math.ceil((oldest + windowMs - time) / 1000)) };
      }
      recent.push(time);
      admissions.set(key, recent);
      return { admitted: true };
    },
  };
}

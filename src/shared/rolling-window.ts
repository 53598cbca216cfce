/**
 * A rolling-window count of starts: at most `limit` in any `windowMs`. ThingSpace allows 100
 * activate requests a minute per account; the client's pacer keeps to it and the simulator
 * enforces it, both with this one window.
 */
export class RollingWindow {
  readonly limit: number;
  readonly windowMs: number;
  readonly #now: () => number;
  // Start times still inside the window, oldest first; never more than `limit`.
  readonly #starts: number[] = [];

  constructor(limit: number, windowMs: number, now: () => number) {
    this.limit = limit;
    this.windowMs = windowMs;
    this.#now = now;
  }

  /** Milliseconds until a start is allowed (0 when one is allowed now). */
  waitMs(): number {
    const now = this.#now();
    while (this.#starts.length > 0 && this.#starts[0]! <= now - this.windowMs) this.#starts.shift();
    const oldest = this.#starts[0];
    return this.#starts.length < this.limit || oldest === undefined ? 0 : oldest + this.windowMs - now;
  }

  /** Records a start now (the caller checked {@link waitMs} first). */
  take(): void {
    this.#starts.push(this.#now());
  }

  /** Takes a start if one is allowed now; else returns how many ms until one is. */
  tryTake(): number {
    const wait = this.waitMs();
    if (wait <= 0) this.take();
    return Math.max(0, wait);
  }
}

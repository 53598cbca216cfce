/**
 * A rolling-window count of starts: at most `limit` in any `windowMs`. ThingSpace allows 100
 * activate requests a minute per account; the client's pacer keeps to it and the simulator
 * enforces it, both with this one window. A start may be moved later once it is counted
 * ({@link RollingWindow.take}'s answer): the pacer moves a request's start to when its answer
 * came, the latest moment ThingSpace can have counted it.
 */
export class RollingWindow {
  readonly limit: number;
  readonly windowMs: number;
  readonly #now: () => number;
  // Start times still inside the window, never more than `limit`; not in order once one moved.
  #starts: { at: number }[] = [];

  constructor(limit: number, windowMs: number, now: () => number) {
    this.limit = limit;
    this.windowMs = windowMs;
    this.#now = now;
  }

  /** Milliseconds until a start is allowed (0 when one is allowed now). */
  waitMs(): number {
    const now = this.#now();
    const inWindow = now - this.windowMs;
    if (this.#starts.some((start) => start.at <= inWindow)) {
      this.#starts = this.#starts.filter((start) => start.at > inWindow);
    }
    if (this.#starts.length < this.limit) return 0;
    let oldest = Infinity;
    for (const start of this.#starts) oldest = Math.min(oldest, start.at);
    return oldest + this.windowMs - now;
  }

  /**
   * Records a start now (the caller checked {@link waitMs} first). Returns a function that
   * moves this start to the moment it is called, so that it leaves the window one window after
   * that (a no-op once the start has left the window).
   */
  take(): () => void {
    const start = { at: this.#now() };
    this.#starts.push(start);
    return () => {
      start.at = this.#now();
    };
  }

  /** Takes a start if one is allowed now; else returns how many ms until one is. */
  tryTake(): number {
    const wait = this.waitMs();
    if (wait <= 0) this.take();
    return Math.max(0, wait);
  }
}

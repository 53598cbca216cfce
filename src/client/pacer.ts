/**
 * The activate pacer: ThingSpace accepts 100 activate requests a minute per account, so the
 * client starts at most that many in any rolling window (the shared {@link RollingWindow}) and
 * makes the next one wait for its turn rather than fail.
 *
 * ThingSpace counts a request when it arrives, which this side cannot see: somewhere between
 * the start and the answer. With many large requests in flight, one can arrive seconds after it
 * started, so a window counted from the starts lets requests arrive closer than a window apart
 * and be refused (429). A slot is therefore counted from the start and, once the answer has
 * come, from the answer: never earlier than ThingSpace's count. The cost is one answer's time
 * per window.
 */
import { abortable, type Clock } from "../shared/clock.js";
import { RollingWindow } from "../shared/rolling-window.js";

/** The `pacing` option: how many activate requests the client sends per rolling window. */
export interface PacingOptions {
  /** Requests per window (default 100, ThingSpace's limit for activate). */
  limit?: number;
  /** The window (default 60,000 ms). */
  windowMs?: number;
  /**
   * Added to the window (default 1,000 ms) so that network jitter cannot make two requests
   * spaced exactly one window apart on this side arrive closer than that on ThingSpace's side.
   */
  marginMs?: number;
}

/**
 * A taken pacing slot. Call `answered()` when the request's answer (or its failure) has come:
 * the slot then leaves the window one window after that moment rather than after the start.
 */
export interface PacingSlot {
  answered(): void;
}

/**
 * Lets at most `limit` requests start in any rolling window. A request over the limit waits
 * (on the injected clock) until the oldest one leaves the window, rather than failing; waiters
 * are served first come, first served, and one that aborts leaves the queue at once.
 */
export class RollingWindowPacer {
  readonly limit: number;
  /** The window, margin included. */
  readonly windowMs: number;
  readonly #clock: Clock;
  readonly #window: RollingWindow;
  #queue: Promise<void> = Promise.resolve();
  // Callers queued in acquire() and not served yet: none may be overtaken.
  #waiting = 0;

  /** Applies the `pacing` option's defaults and checks the limit. */
  constructor(options: PacingOptions & { clock: Clock }) {
    this.limit = options.limit ?? 100;
    this.windowMs = (options.windowMs ?? 60_000) + (options.marginMs ?? 1_000);
    if (!Number.isInteger(this.limit) || this.limit < 1) {
      throw new RangeError(`pacing.limit must be a positive integer (got ${String(options.limit)})`);
    }
    this.#clock = options.clock;
    this.#window = new RollingWindow(this.limit, this.windowMs, () => options.clock.now());
  }

  /**
   * Takes a slot at once if one is free and nobody is waiting for one: a slot means the caller
   * may send now; undefined means it must `acquire()` (the common case costs no promise at all).
   */
  tryAcquire(): PacingSlot | undefined {
    if (this.#waiting > 0 || this.#window.waitMs() > 0) return undefined;
    return { answered: this.#window.take() };
  }

  /** Resolves with a slot when the caller may send; rejects with the signal's reason if it aborts first. */
  acquire(signal?: AbortSignal): Promise<PacingSlot> {
    this.#waiting += 1;
    const turn = this.#queue.then(() => this.#take(signal));
    const served = (): void => {
      this.#waiting -= 1;
    };
    turn.then(served, served);
    this.#queue = turn.then(
      () => undefined,
      () => undefined,
    );
    return abortable(turn, signal);
  }

  /** How long a request asked for now would wait, in ms (0 when a slot is free). */
  delayNow(): number {
    return this.#window.waitMs();
  }

  async #take(signal: AbortSignal | undefined): Promise<PacingSlot> {
    for (;;) {
      signal?.throwIfAborted();
      // Checked again after every sleep: a slot's answer may have moved it later meanwhile.
      const wait = this.#window.waitMs();
      if (wait === 0) return { answered: this.#window.take() };
      await this.#clock.sleep(wait, signal);
    }
  }
}

/**
 * The work ThingSpace carries out after it has answered. ThingSpace answers an activate request
 * with a `requestId` once it has checked it, and activates the devices (and sends their callbacks)
 * later; the simulator does the same, so that a burst of requests is answered at the pace of
 * reading and checking bodies, and the devices (~10,000 a request) are carried out afterwards.
 *
 * Nobody can tell the difference: whatever reads or changes the state the queued work changes
 * (every other route, every inspection method of the simulator) first carries out the whole
 * backlog, synchronously and in arrival order, so it sees what it would have seen had each request
 * been carried out as it was answered. The work itself uses the request's arrival time, not the
 * time it runs at.
 *
 * Otherwise the backlog is worked through in the background, a slice at a time, once no activate
 * request has arrived for {@link quietMs} and none is being read: a burst of requests is served
 * first, and the carrying out fills the idle time after it. Each slice is a task of the event
 * loop of its own, so a request arriving meanwhile waits for one slice at most. These are real
 * timers, not the simulator's clock: they decide when the CPU does the work, never what the work
 * does (a test clock that only moves when told would otherwise hold the work back for ever).
 */

/** Accepted work, carried out a number of devices at a time. */
export interface BacklogTask {
  /** Carries out at most `limit` more devices; returns how many are left (0: done). */
  carryOut(limit: number): number;
}

/**
 * How long (ms) no activate must have arrived before the background starts: a burst's requests
 * come closer together than this, so neither its reading nor the client is slowed. A client
 * builds a body of 10,000 devices in tens of milliseconds (40-80 ms measured for the command on
 * 2 cores); carrying out in those gaps took the CPU the client, on the same machine, was
 * building the next body with (measured, three runs each: the hundredth of a burst of
 * 10,000-device activates arrived 5.3 s after the first with 20 ms, 4.4 s with 250 ms).
 */
export const quietMs = 250;
/** Devices per slice: a few milliseconds of work, the most an arriving request waits for. */
export const sliceDevices = 1000;

/** The queue of accepted work, in arrival order. */
export class Backlog {
  readonly #tasks: BacklogTask[] = [];
  // Activate requests being read and checked: the background waits until there are none.
  #arriving = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #immediate: ReturnType<typeof setImmediate> | undefined;
  #draining = false;
  #closed = false;

  /**
   * An activate request has arrived: the background stops until it is answered (or refused) and
   * none has arrived for {@link quietMs}. Call the returned function then (once).
   */
  arrive(): () => void {
    this.#arriving += 1;
    this.#stop();
    return () => {
      this.#arriving -= 1;
      this.#schedule();
    };
  }

  /** Queues accepted work, to be carried out after everything queued before it. */
  push(task: BacklogTask): void {
    this.#tasks.push(task);
    this.#schedule();
  }

  /** Carries out everything queued, now, in order. */
  drain(): void {
    // A task may call back into the simulator (a `deviceFault` or `nidd` function reading its
    // devices): that read sees the work done so far, as it did when the work was done at once.
    if (this.#draining) return;
    this.#stop();
    while (this.#tasks.length > 0) this.#work(Infinity);
  }

  /** Carries out everything queued, and from then on anything pushed at once: no timer is left. */
  close(): void {
    this.#closed = true;
    this.drain();
  }

  // Carries out the oldest task, at most `limit` of its devices; removes it when it is done.
  #work(limit: number): void {
    const task = this.#tasks[0];
    if (task === undefined) return;
    this.#draining = true;
    let remaining = 0;
    try {
      remaining = task.carryOut(limit);
    } catch {
      // A task that throws (an injected function that does) is given up where it stopped, so the
      // requests after it are still carried out; its answer was sent long ago.
    } finally {
      this.#draining = false;
    }
    if (remaining === 0) this.#tasks.shift();
  }

  // (Re)starts the quiet wait when there is work and nothing is arriving.
  #schedule(): void {
    this.#stop();
    if (this.#closed) return this.drain();
    if (this.#arriving > 0 || this.#tasks.length === 0) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#slice();
    }, quietMs);
  }

  #slice(): void {
    // One task at most per slice: a request's devices, or the part of them that fits.
    this.#work(sliceDevices);
    if (this.#tasks.length > 0) {
      this.#immediate = setImmediate(() => {
        this.#immediate = undefined;
        this.#slice();
      });
    }
  }

  #stop(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    if (this.#immediate !== undefined) clearImmediate(this.#immediate);
    this.#timer = undefined;
    this.#immediate = undefined;
  }
}

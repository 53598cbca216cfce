import { describe, expect, it } from "vitest";
import { http, HttpResponse } from "msw";
import { RollingWindowPacer } from "../../../src/client/pacer.js";
import { createFakeClock } from "./helpers/fake-clock.js";
import { activatePlan, devices, mockedClient, useMswServer } from "./helpers/test-client.js";
import { m2m } from "./helpers/mock-thing-space.js";

const server = useMswServer();

describe("RollingWindowPacer", () => {
  it("lets `limit` requests start per window and makes the next wait for the oldest to leave it", async () => {
    const clock = createFakeClock(0);
    const pacer = new RollingWindowPacer({ limit: 3, windowMs: 60_000, marginMs: 0, clock });
    const starts: number[] = [];
    for (let i = 0; i < 7; i++) {
      await pacer.acquire();
      starts.push(clock.now());
    }
    expect(starts).toEqual([0, 0, 0, 60_000, 60_000, 60_000, 120_000]);
    expect(clock.sleeps).toEqual([60_000, 60_000]);
  });

  it("a slot frees exactly when its request leaves the window, counting requests spread over time", async () => {
    const clock = createFakeClock(0);
    const pacer = new RollingWindowPacer({ limit: 2, windowMs: 60_000, marginMs: 0, clock });
    await pacer.acquire(); // t=0
    clock.advance(45_000);
    await pacer.acquire(); // t=45s
    await pacer.acquire(); // waits for the t=0 one to leave: t=60s
    expect(clock.now()).toBe(60_000);
    await pacer.acquire(); // waits for the t=45s one: t=105s
    expect(clock.now()).toBe(105_000);
  });

  it("adds the margin to the window (1 s by default)", async () => {
    const clock = createFakeClock(0);
    const pacer = new RollingWindowPacer({ limit: 1, clock });
    await pacer.acquire();
    await pacer.acquire();
    expect(clock.now()).toBe(61_000);
  });

  it("concurrent waiters are served first come, first served, and never more than `limit` per window", async () => {
    const clock = createFakeClock(0);
    const pacer = new RollingWindowPacer({ limit: 2, windowMs: 1_000, marginMs: 0, clock });
    const order: [number, number][] = [];
    await Promise.all(Array.from({ length: 6 }, (_, i) => pacer.acquire().then(() => order.push([i, clock.now()]))));
    expect(order).toEqual([
      [0, 0],
      [1, 0],
      [2, 1_000],
      [3, 1_000],
      [4, 2_000],
      [5, 2_000],
    ]);
  });

  it("a waiter that aborts leaves the queue with its reason and does not hold up the others", async () => {
    const clock = createFakeClock(0);
    const pacer = new RollingWindowPacer({ limit: 1, windowMs: 1_000, marginMs: 0, clock });
    await pacer.acquire();
    const controller = new AbortController();
    controller.abort(new Error("cancelled"));
    await expect(pacer.acquire(controller.signal)).rejects.toThrow("cancelled");
    await pacer.acquire();
    expect(clock.now()).toBe(1_000);
  });

  it("counts a slot from its answer once answered: it leaves the window a window after the answer", async () => {
    const clock = createFakeClock(0);
    const pacer = new RollingWindowPacer({ limit: 1, windowMs: 60_000, marginMs: 0, clock });
    const slot = await pacer.acquire(); // t=0
    clock.advance(2_000);
    slot.answered(); // t=2s
    expect(pacer.delayNow()).toBe(60_000);
    await pacer.acquire();
    expect(clock.now()).toBe(62_000);
    expect(clock.sleeps).toEqual([60_000]);
  });

  it("a waiter woken when the oldest start would have left sleeps again if that slot was answered later", async () => {
    const clock = createFakeClock(0);
    const pacer = new RollingWindowPacer({ limit: 1, windowMs: 60_000, marginMs: 0, clock });
    const slot = pacer.tryAcquire()!;
    const waiting = pacer.acquire(); // asks at t=0 to wait 60 s
    clock.advance(3_000);
    slot.answered(); // the answer came at 3 s
    await waiting;
    expect(clock.now()).toBe(63_000);
  });

  it("refuses a limit that is not a positive integer", () => {
    expect(() => new RollingWindowPacer({ limit: 0, clock: createFakeClock() })).toThrow(
      "pacing.limit must be a positive integer (got 0)",
    );
  });
});

/** A client paced at `limit` activates a window (no margin), and when each activate started (ms from the fake clock's start). */
function clientRecordingActivateStarts(limit: number) {
  const sent: number[] = [];
  const { client, clock } = mockedClient(server, {
    pacing: { limit, marginMs: 0 },
    fetch: (request) => {
      if (request.url.endsWith("/activate")) sent.push(clock.now() - 1_700_000_000_000);
      return fetch(request);
    },
  });
  return { client, clock, sent };
}

describe("pacing of the client's activate requests", () => {
  it("sends at most `limit` activate requests per rolling minute, waiting on the injected clock", async () => {
    const { client, clock, sent } = clientRecordingActivateStarts(3);
    let answered = 0;
    server.use(http.post(`${m2m}/devices/actions/activate`, () => HttpResponse.json({ requestId: `r${++answered}` })));
    const answers = await Promise.all(
      Array.from({ length: 7 }, (_, i) => client.activateDevices({ ...activatePlan, devices: devices(1, i) })),
    );

    expect(answers.map((a) => a.requestId).sort()).toEqual(["r1", "r2", "r3", "r4", "r5", "r6", "r7"]);
    expect(sent).toEqual([0, 0, 0, 60_000, 60_000, 60_000, 120_000]);
  });

  it("counts an activate request from its answer: the next window starts after the answer, not the start", async () => {
    const { client, clock, sent } = clientRecordingActivateStarts(2);
    server.use(
      http.post(`${m2m}/devices/actions/activate`, () => {
        clock.advance(2_000); // ThingSpace takes 2 s to answer
        return HttpResponse.json({ requestId: "r" });
      }),
    );
    for (let i = 0; i < 3; i++) await client.activateDevices({ ...activatePlan, devices: devices(1, i) });
    // The first request was answered at 2 s: the third may start one window after that.
    expect(sent).toEqual([0, 2_000, 62_000]);
  });

  it("defaults to 100 activate requests per minute and paces nothing else", async () => {
    const { client, thingSpace, clock } = mockedClient(server);
    await Promise.all(
      Array.from({ length: 101 }, (_, i) => client.activateDevices({ ...activatePlan, devices: devices(1, i) })),
    );
    expect(clock.sleeps).toEqual([61_000]);

    await Promise.all(Array.from({ length: 150 }, () => client.listCallbacks()));
    await client.addDevices({ devicesToAdd: devices(1), state: "preactive" });
    expect(clock.sleeps).toEqual([61_000]);
    expect(thingSpace.calls("/devices/actions/activate")).toHaveLength(101);
  });

  it("a replay after session expiry takes a pacing slot too (ThingSpace counts it)", async () => {
    const { client, thingSpace, clock } = mockedClient(server, { pacing: { limit: 2, marginMs: 0 } });
    await client.activateDevices({ ...activatePlan, devices: devices(1) });
    thingSpace.expireSessions();
    await client.activateDevices({ ...activatePlan, devices: devices(1) }); // sent, refused, replayed: third request
    expect(clock.sleeps).toEqual([60_000]);
    expect(thingSpace.calls("/devices/actions/activate")).toHaveLength(3);
  });
});

// The callback receiver under load, over loopback: 10,000 distinct device callbacks at a
// concurrency of 64, 30% delivered twice (concurrently with the original or after it), 10% whose
// handler fails the first time and are re-sent as ThingSpace does. Every device must be handled
// exactly once, none lost, every series must end in 200, and memory must stay bounded.
import { afterEach, describe, expect, it } from "vitest";
import { runBoundedPool } from "./bounded-pool.js";
import { createCallbackSender, type CallbackSender } from "./callback-sender.js";
import { imeiOf } from "./carrier-callback.js";
import { heapUsedAfterGc } from "./forced-gc.js";
import { startLoadReceiver, type LoadReceiver } from "./load-receiver.js";

const deviceCount = 10_000;
const concurrency = 64;
const requestIds = [
  "5c0fb2a1-0001-4e6b-9d1e-6f1b0c9e0a01",
  "5c0fb2a1-0002-4e6b-9d1e-6f1b0c9e0a02",
  "5c0fb2a1-0003-4e6b-9d1e-6f1b0c9e0a03",
  "5c0fb2a1-0004-4e6b-9d1e-6f1b0c9e0a04",
  "5c0fb2a1-0005-4e6b-9d1e-6f1b0c9e0a05",
];
const requestIdOf = (n: number) => requestIds[n % requestIds.length]!;
const keyOf = (n: number) => `imei:${imeiOf(n)}`;

// n % 10 of 0 and 2: a second copy sent at the same moment; 1: a second copy once the first was
// acknowledged (a lost 2xx). n % 20 of 2 and 9: the handler throws the first time; half of those
// (2) also have a concurrent copy, so a failure races a copy waiting for it.
const concurrentCopy = (n: number) => n % 10 === 0 || n % 10 === 2;
const laterCopy = (n: number) => n % 10 === 1;
const failsFirst = (n: number) => n % 20 === 2 || n % 20 === 9;
const failingKeys = new Set(
  Array.from({ length: deviceCount }, (_, n) => n)
    .filter(failsFirst)
    .map(keyOf),
);

function* upTo(count: number): Generator<number> {
  for (let n = 0; n < count; n++) yield n;
}

let receiver: LoadReceiver | undefined;
let sender: CallbackSender | undefined;
afterEach(async () => {
  sender?.close();
  await receiver?.close();
  receiver = sender = undefined;
});

describe("the callback receiver under load (node:http on 127.0.0.1)", () => {
  it(
    "10,000 devices, 30% twice, 10% failing first: each handled exactly once, none lost, all answered 200, memory bounded",
    { timeout: 120_000 },
    async () => {
      const heapBefore = heapUsedAfterGc();
      receiver = await startLoadReceiver({ failsFirst: (key) => failingKeys.has(key) });
      // Two sockets per worker: a concurrent copy must not queue behind its original.
      const send = (sender = createCallbackSender(receiver.url, 2 * concurrency));
      const finals = new Map<number, number>();
      const started = performance.now();

      const pool = await runBoundedPool(upTo(deviceCount), concurrency, async (n) => {
        const requestId = requestIdOf(n);
        if (concurrentCopy(n)) {
          const statuses = await Promise.all([send.deliver(n, requestId), send.deliver(n, requestId)]);
          finals.set(n, Math.max(...statuses));
          if (statuses[0] !== statuses[1]) finals.set(n, -1);
        } else if (laterCopy(n)) {
          const first = await send.deliver(n, requestId);
          const again = await send.deliver(n, requestId, 2);
          finals.set(n, first === again ? first : -1);
        } else {
          finals.set(n, await send.deliver(n, requestId));
        }
      });
      const seconds = (performance.now() - started) / 1000;
      const heapGrowth = heapUsedAfterGc() - heapBefore;
      const { tally, handled, thrown } = { tally: send.tally, handled: receiver.handled, thrown: receiver.thrown };
      const duplicates = tally.answers.get("200 duplicate") ?? 0;
      console.log(
        `receiver load: posted=${tally.posted} duplicates=${duplicates} first-failures=${thrown.size} redeliveries=${tally.redeliveries} ` +
          `handled=${handled.size} lost=${tally.lost} store=${receiver.storeSize()} heapGrowth=${(heapGrowth / 2 ** 20).toFixed(1)}MiB ` +
          `concurrency=${pool.mostInFlight} time=${seconds.toFixed(2)}s`,
      );

      expect(pool.mostInFlight).toBe(concurrency);
      // Every device handled, none twice.
      expect(handled.size).toBe(deviceCount);
      expect([...handled.values()].every((times) => times === 1)).toBe(true);
      expect([...handled.keys()].sort()).toEqual(Array.from(upTo(deviceCount), keyOf).sort());
      // Each planned failure happened once, and was redelivered until handled.
      expect(thrown).toEqual(failingKeys);
      expect(thrown.size).toBe(1_000);
      // None lost: every delivery series (original and copies) ended with a 200.
      expect(tally.lost).toBe(0);
      expect(finals.size).toBe(deviceCount);
      expect([...finals.values()].every((status) => status === 200)).toBe(true);
      // Exact answers: one "handled" per device, one "duplicate" per extra copy, one 500 per failure.
      expect(Object.fromEntries(tally.answers)).toEqual({
        "200 handled": 10_000,
        "200 duplicate": 3_000,
        "500 handler_failed": 1_000,
      });
      expect(tally.posted).toBe(14_000);
      expect(tally.redeliveries).toBe(1_000);
      expect(Object.fromEntries(receiver.errorStages)).toEqual({ handler: 1_000 });
      // Memory: the store keeps one entry per handled callback and nothing else piles up.
      expect(receiver.storeSize()).toBe(deviceCount);
      expect(heapGrowth).toBeLessThan(64 * 2 ** 20);
    },
  );

  it(
    "with a small maxEntries the dedupe store never grows past it, and concurrent copies are still handled once",
    { timeout: 60_000 },
    async () => {
      // Well above the keys in flight at once (at most 2 x 64 requests), far below the devices.
      const maxEntries = 1_000;
      const devices = 3_000;
      let largestStore = 0;
      receiver = await startLoadReceiver({ failsFirst: () => false, maxEntries });
      const current = receiver;
      const send = (sender = createCallbackSender(receiver.url, 2 * concurrency, () => {
        largestStore = Math.max(largestStore, current.storeSize());
      }));

      await runBoundedPool(upTo(devices), concurrency, async (n) => {
        await Promise.all([send.deliver(n, requestIdOf(n)), send.deliver(n, requestIdOf(n))]);
      });
      console.log(
        `receiver load, maxEntries=${maxEntries}: posted=${send.tally.posted} handled=${receiver.handled.size} largest store=${largestStore}`,
      );

      expect(largestStore).toBe(maxEntries);
      expect(receiver.storeSize()).toBe(maxEntries);
      expect(receiver.handled.size).toBe(devices);
      expect([...receiver.handled.values()].every((times) => times === 1)).toBe(true);
      expect(Object.fromEntries(send.tally.answers)).toEqual({ "200 handled": devices, "200 duplicate": devices });

      // The price of the bound, as documented ("the oldest handled ones are forgotten first"): a
      // copy arriving after its entry was evicted is handled again. maxEntries must cover every
      // callback that can still be redelivered (ThingSpace: about 20 minutes of traffic).
      await send.deliver(0, requestIdOf(0), 4);
      expect(receiver.handled.get(keyOf(0))).toBe(2);
      expect(receiver.storeSize()).toBe(maxEntries);
    },
  );
});

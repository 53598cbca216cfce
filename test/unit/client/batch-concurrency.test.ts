/**
 * The batch options a long-running tool needs: `concurrency` (requests in flight), `stop` (end
 * gently after the chunks in flight) and `beforeSend` (a journal's hook), against the simulator
 * behind a fetch that holds activate answers until the test releases them.
 */
import { describe, expect, it } from "vitest";
import { chunkFingerprint, type ChunkToSend } from "../../../src/client/batching.js";
import { createThingSpaceClient, type ActivateDevice } from "../../../src/client/client.js";
import { createSimulator } from "../../../src/simulator/simulator.js";
import { activatePlan, devices } from "./helpers/test-client.js";
import { testCredentials } from "./helpers/mock-thing-space.js";

/** A client on a fresh simulator whose activate answers wait at a gate the test opens. */
function gatedClient() {
  const simulator = createSimulator({ callbackDelayMs: 0 });
  const held: (() => void)[] = [];
  const events: string[] = [];
  let inFlight = 0;
  let mostInFlight = 0;
  const fetch = async (request: Request): Promise<Response> => {
    if (!request.url.endsWith("/devices/actions/activate")) return simulator.handle(request);
    const body = (await request.clone().json()) as { devices: ActivateDevice[] };
    events.push(`request ${body.devices[0]!.deviceIds[0]!.id}`);
    inFlight += 1;
    mostInFlight = Math.max(mostInFlight, inFlight);
    await new Promise<void>((resolve) => held.push(resolve));
    inFlight -= 1;
    return simulator.handle(request);
  };
  const client = createThingSpaceClient({
    baseUrl: "http://simulator.test/api",
    credentials: testCredentials,
    accountName: "TestAccount-1",
    fetch,
  });
  /** Resolves once `count` requests wait at the gate. */
  const waiting = async (count: number) => {
    while (held.length < count) await new Promise((resolve) => setTimeout(resolve, 1));
  };
  const release = () => held.splice(0).forEach((resolve) => resolve());
  return { client, simulator, events, waiting, release, mostInFlight: () => mostInFlight };
}

/** Devices as an async iterable that counts how many were read. */
async function* counted(all: ActivateDevice[], read: { count: number }): AsyncGenerator<ActivateDevice> {
  for (const device of all) {
    read.count += 1;
    yield device;
  }
}

describe("batch concurrency", () => {
  it("keeps `concurrency` requests in flight, reads no more chunks than that, and lists chunks in order", async () => {
    const { client, waiting, release, mostInFlight } = gatedClient();
    const read = { count: 0 };
    const all = devices(7);
    const batch = client.activateDevicesInBatches(counted(all, read), activatePlan, { chunkSize: 1, concurrency: 3 });
    await waiting(3);
    expect(read.count).toBe(3);
    release();
    await waiting(3);
    expect(read.count).toBe(6);
    release();
    await waiting(1);
    release();
    const result = await batch;
    expect(mostInFlight()).toBe(3);
    expect(result.chunks.map((chunk) => [chunk.index, chunk.status])).toEqual(
      [0, 1, 2, 3, 4, 5, 6].map((index) => [index, "accepted"]),
    );
    expect(result.acceptedCount).toBe(7);
  });

  it("one request at a time by default", async () => {
    const { client, waiting, release, mostInFlight } = gatedClient();
    const batch = client.activateDevicesInBatches(devices(3), activatePlan, { chunkSize: 1 });
    for (let i = 0; i < 3; i++) {
      await waiting(1);
      release();
    }
    await batch;
    expect(mostInFlight()).toBe(1);
  });

  it("refuses a concurrency that is not a whole number of at least 1", async () => {
    const { client } = gatedClient();
    for (const concurrency of [0, 1.5, -1]) {
      await expect(client.activateDevicesInBatches(devices(1), activatePlan, { concurrency })).rejects.toThrow(
        `concurrency must be an integer of at least 1 (got ${concurrency})`,
      );
    }
  });
});

describe("batch stop", () => {
  it("starts no chunk after `stop`, lets the chunks in flight finish and reports them", async () => {
    const { client, simulator, waiting, release } = gatedClient();
    const stop = new AbortController();
    const reported: number[] = [];
    const batch = client.activateDevicesInBatches(devices(10), activatePlan, {
      chunkSize: 2,
      concurrency: 2,
      stop: stop.signal,
      onChunk: (chunk) => void reported.push(chunk.index),
    });
    await waiting(2);
    stop.abort();
    release();
    const result = await batch;
    expect(result.stopped).toBe(true);
    expect(reported.sort()).toEqual([0, 1]);
    expect(result.chunks.map((chunk) => [chunk.index, chunk.status, chunk.deviceCount])).toEqual([
      [0, "accepted", 2],
      [1, "accepted", 2],
    ]);
    expect(result.deviceCount).toBe(4);
    expect(simulator.calls("activateDevices")).toBe(2);
  });

  it("a batch that ends by itself is not `stopped`", async () => {
    const { client, waiting, release } = gatedClient();
    const batch = client.activateDevicesInBatches(devices(1), activatePlan, { stop: new AbortController().signal });
    await waiting(1);
    release();
    expect((await batch).stopped).toBeUndefined();
  });
});

describe("batch beforeSend", () => {
  it("is awaited before each chunk's request leaves, with its index and fingerprint; skipped chunks are not sent", async () => {
    const { client, events, waiting, release } = gatedClient();
    const all = devices(3);
    const seen: ChunkToSend<ActivateDevice>[] = [];
    const batch = client.activateDevicesInBatches(all, activatePlan, {
      chunkSize: 1,
      skip: [1],
      beforeSend: async (chunk) => {
        seen.push(chunk);
        await new Promise((resolve) => setTimeout(resolve, 5));
        events.push(`before ${chunk.index}`);
      },
    });
    for (let i = 0; i < 2; i++) {
      await waiting(1);
      release();
    }
    await batch;
    const id = (n: number) => all[n]!.deviceIds[0]!.id;
    expect(events).toEqual(["before 0", `request ${id(0)}`, "before 2", `request ${id(2)}`]);
    expect(seen.map(({ index, fingerprint }) => ({ index, fingerprint }))).toEqual([
      { index: 0, fingerprint: chunkFingerprint([all[0]!]) },
      { index: 2, fingerprint: chunkFingerprint([all[2]!]) },
    ]);
  });

  it("a beforeSend that throws sends nothing for its chunk; the chunk in flight is still reported, then the batch rejects", async () => {
    const { client, simulator, waiting, release } = gatedClient();
    const reported: number[] = [];
    const batch = client.activateDevicesInBatches(devices(4), activatePlan, {
      chunkSize: 1,
      concurrency: 2,
      beforeSend: ({ index }) => {
        if (index === 1) throw new Error("journal not writable");
      },
      onChunk: (chunk) => void reported.push(chunk.index),
    });
    const outcome = expect(batch).rejects.toThrow("journal not writable");
    await waiting(1);
    release();
    await outcome;
    expect(simulator.calls("activateDevices")).toBe(1);
    expect(reported).toEqual([0]); // accepted while the batch was ending: its requestId reaches the caller
  });
});

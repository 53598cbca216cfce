import { describe, expect, it } from "vitest";
import {
  chunkFingerprint,
  type BatchChunk,
  type BatchProgress,
  type BatchResult,
} from "../../../src/client/batching.js";
import { deviceKey } from "../../../src/shared/device-key.js";
import type { ActivateDevice } from "../../../src/client/client.js";
import { OutcomeUnknownError, ThingSpaceApiError } from "../../../src/client/errors.js";
import { activatePlan, device, devices, mockedClient, useMswServer } from "./helpers/test-client.js";
import { thingSpaceError } from "./helpers/mock-thing-space.js";

const server = useMswServer();

function sizes(requests: { body: unknown }[], field = "devices"): number[] {
  return requests.map((r) => ((r.body as Record<string, unknown[]>)[field] ?? []).length);
}

/** Yields `count` devices and records how far the batch has read. */
async function* countingSource(count: number, progress: { read: number }): AsyncGenerator<ActivateDevice> {
  for (let i = 0; i < count; i++) {
    progress.read = i + 1;
    yield device(i);
  }
}

describe("activateDevicesInBatches", () => {
  it("25,001 devices make exactly 3 activate requests of 10,000, 10,000 and 5,001, in order", async () => {
    const { client, thingSpace } = mockedClient(server);
    const all = devices(25_001);
    const result = await client.activateDevicesInBatches(all, activatePlan);

    const activates = thingSpace.calls("/devices/actions/activate");
    expect(sizes(activates)).toEqual([10_000, 10_000, 5_001]);
    expect(activates.map((r) => (r.body as { devices: ActivateDevice[] }).devices[0])).toEqual([
      all[0],
      all[10_000],
      all[20_000],
    ]);
    expect(activates[2]!.body).toMatchObject({ ...activatePlan, accountName: "0868924207-00001" });
    expect(result).toMatchObject({
      chunkSize: 10_000,
      deviceCount: 25_001,
      acceptedCount: 25_001,
      failedCount: 0,
      skippedCount: 0,
    });
    expect(
      result.chunks.map(({ index, status, requestId, deviceCount }) => ({ index, status, requestId, deviceCount })),
    ).toEqual([
      { index: 0, status: "accepted", requestId: "request-3", deviceCount: 10_000 },
      { index: 1, status: "accepted", requestId: "request-4", deviceCount: 10_000 },
      { index: 2, status: "accepted", requestId: "request-5", deviceCount: 5_001 },
    ]);
  });

  it("reads an async iterable one chunk at a time (memory bounded by a chunk)", async () => {
    const { client, thingSpace } = mockedClient(server);
    const source = { read: 0 };
    const readWhenSent: number[] = [];
    await client.activateDevicesInBatches(countingSource(25, source), activatePlan, {
      chunkSize: 10,
      onChunk: () => {
        readWhenSent.push(source.read);
      },
    });
    expect(readWhenSent).toEqual([10, 20, 25]);
    expect(sizes(thingSpace.calls("/devices/actions/activate"))).toEqual([10, 10, 5]);
  });

  it("reports each chunk with its devices and requestId, and progress after each", async () => {
    const { client } = mockedClient(server);
    const chunks: BatchChunk<ActivateDevice>[] = [];
    const progress: BatchProgress[] = [];
    const all = devices(5);
    await client.activateDevicesInBatches(all, activatePlan, {
      chunkSize: 2,
      onChunk: (chunk) => {
        chunks.push(chunk);
      },
      onProgress: (p) => progress.push(p),
    });
    expect(chunks.map((c) => [c.index, c.status, c.requestId, c.devices])).toEqual([
      [0, "accepted", "request-3", all.slice(0, 2)],
      [1, "accepted", "request-4", all.slice(2, 4)],
      [2, "accepted", "request-5", all.slice(4)],
    ]);
    expect(progress).toEqual([
      { chunksDone: 1, devicesDone: 2, acceptedCount: 2, failedCount: 0, skippedCount: 0, deviceTotal: 5 },
      { chunksDone: 2, devicesDone: 4, acceptedCount: 4, failedCount: 0, skippedCount: 0, deviceTotal: 5 },
      { chunksDone: 3, devicesDone: 5, acceptedCount: 5, failedCount: 0, skippedCount: 0, deviceTotal: 5 },
    ]);
  });

  it("a failed chunk loses no other result; a re-run with the result sends only the failed chunk", async () => {
    const { client, thingSpace } = mockedClient(server);
    thingSpace.answerNext(
      "/devices/actions/activate",
      () => undefined,
      () => thingSpaceError(400, "REQUEST_FAILED.DeviceAlreadyActive", "Device already active"),
    );
    const all = devices(6);
    const first = await client.activateDevicesInBatches(all, activatePlan, { chunkSize: 2 });

    expect(first.chunks.map((c) => c.status)).toEqual(["accepted", "failed", "accepted"]);
    expect(first.chunks[1]!.error).toBeInstanceOf(ThingSpaceApiError);
    expect(first.chunks[1]!.error).toMatchObject({ errorCode: "REQUEST_FAILED.DeviceAlreadyActive" });
    expect(first).toMatchObject({ deviceCount: 6, acceptedCount: 4, failedCount: 2, skippedCount: 0 });

    const sentBefore = thingSpace.calls("/devices/actions/activate").length;
    const second = await client.activateDevicesInBatches(all, activatePlan, { chunkSize: 2, skip: first });
    const resent = thingSpace.calls("/devices/actions/activate").slice(sentBefore);
    expect(resent.map((r) => (r.body as { devices: unknown }).devices)).toEqual([all.slice(2, 4)]);
    expect(second.chunks.map((c) => c.status)).toEqual(["skipped", "accepted", "skipped"]);
    expect(second).toMatchObject({ acceptedCount: 2, skippedCount: 4, failedCount: 0 });

    // A third run skips everything: skipped chunks of the second run count as done.
    const third = await client.activateDevicesInBatches(all, activatePlan, { chunkSize: 2, skip: second });
    expect(third.skippedCount).toBe(6);
  });

  it("an outcome-unknown chunk (500) is reported as failed with its error, and the batch goes on", async () => {
    const { client, thingSpace } = mockedClient(server);
    thingSpace.answerNext("/devices/actions/activate", () => thingSpaceError(500, "REQUEST_FAILED.UnexpectedError"));
    const result = await client.activateDevicesInBatches(devices(4), activatePlan, { chunkSize: 2 });
    expect(result.chunks[0]!.error).toBeInstanceOf(OutcomeUnknownError);
    expect(result.chunks.map((c) => c.status)).toEqual(["failed", "accepted"]);
    expect(thingSpace.calls("/devices/actions/activate")).toHaveLength(2);
  });

  it("a re-run does not skip a chunk whose devices changed", async () => {
    const { client, thingSpace, logs } = mockedClient(server);
    const first = await client.activateDevicesInBatches(devices(4), activatePlan, { chunkSize: 2 });
    const changed = [...devices(2), device(100), device(101)];
    const second = await client.activateDevicesInBatches(changed, activatePlan, { chunkSize: 2, skip: first });
    expect(second.chunks.map((c) => c.status)).toEqual(["skipped", "accepted"]);
    expect(thingSpace.calls("/devices/actions/activate")).toHaveLength(3);
    expect(logs.some((line) => line.startsWith("warn Chunk was done before but now holds other devices"))).toBe(true);
  });

  it("skip also takes chunk indexes", async () => {
    const { client, thingSpace } = mockedClient(server);
    const result = await client.activateDevicesInBatches(devices(6), activatePlan, { chunkSize: 2, skip: [0, 2] });
    expect(result.chunks.map((c) => c.status)).toEqual(["skipped", "accepted", "skipped"]);
    expect(thingSpace.calls("/devices/actions/activate")).toHaveLength(1);
  });

  it("refuses a chunkSize above the spec's limit, and a skip result made with another chunkSize", async () => {
    const { client, thingSpace } = mockedClient(server);
    await expect(client.activateDevicesInBatches(devices(1), activatePlan, { chunkSize: 10_001 })).rejects.toThrow(
      "chunkSize must be an integer from 1 to 10000 (got 10001)",
    );
    const previous: BatchResult = {
      chunkSize: 5,
      chunks: [],
      deviceCount: 0,
      acceptedCount: 0,
      failedCount: 0,
      skippedCount: 0,
    };
    await expect(client.activateDevicesInBatches(devices(1), activatePlan, { skip: previous })).rejects.toThrow(
      "skip: the previous run used chunkSize 5, this one 10000",
    );
    expect(thingSpace.requests).toHaveLength(0);
  });

  it("a session that expires in the middle of a batch is renewed once; every chunk is accepted", async () => {
    const { client, thingSpace } = mockedClient(server);
    const result = await client.activateDevicesInBatches(devices(6), activatePlan, {
      chunkSize: 2,
      onChunk: (chunk) => {
        if (chunk.index === 0) thingSpace.expireSessions();
      },
    });
    expect(result.chunks.map((c) => c.status)).toEqual(["accepted", "accepted", "accepted"]);
    expect(thingSpace.calls("/session/login")).toHaveLength(2);
    expect(thingSpace.calls("/devices/actions/activate").map((r) => r.session)).toEqual([
      "session-token-2",
      "session-token-2",
      "session-token-3",
      "session-token-3",
    ]);
  });

  it("an invalid device fails its own chunk without a request; the others are sent", async () => {
    const { client, thingSpace } = mockedClient(server);
    const all = devices(4);
    all[3] = { deviceIds: [{ kind: "imei", id: "not-an-imei" }] };
    const result = await client.activateDevicesInBatches(all, activatePlan, { chunkSize: 2 });
    expect(result.chunks.map((c) => c.status)).toEqual(["accepted", "failed"]);
    expect(result.chunks[1]!.error).toMatchObject({
      name: "ValidationError",
      violations: [{ path: "/devices/1/deviceIds/0/id" }],
    });
    expect(thingSpace.calls("/devices/actions/activate")).toHaveLength(1);
  });

  it("validate: false sends each chunk as it is (for devices checked already); the option's default checks them", async () => {
    const { client, thingSpace } = mockedClient(server);
    const all = devices(4);
    all[3] = { deviceIds: [{ kind: "imei", id: "not-an-imei" }] };
    const unchecked = await client.activateDevicesInBatches(all, activatePlan, { chunkSize: 2, validate: false });
    expect(unchecked.chunks.map((c) => c.status)).toEqual(["accepted", "accepted"]);
    expect(thingSpace.calls("/devices/actions/activate")[1]!.body).toMatchObject({ devices: all.slice(2) });
    const checked = await client.activateDevicesInBatches(all, activatePlan, { chunkSize: 2, validate: true });
    expect(checked.chunks.map((c) => c.status)).toEqual(["accepted", "failed"]);
    expect(thingSpace.calls("/devices/actions/activate")).toHaveLength(3);
  });

  it("takes pages of devices (an async iterable of arrays): the same chunks, fingerprints and requests as the devices one by one", async () => {
    const { client, thingSpace } = mockedClient(server);
    const all = devices(25);
    async function* pages() {
      for (const size of [7, 1, 12, 5]) yield all.splice(0, size);
    }
    const copy = devices(25);
    const paged = await client.activateDevicesInBatches(pages(), activatePlan, { chunkSize: 10 });
    const flat = await client.activateDevicesInBatches(copy, activatePlan, { chunkSize: 10 });
    const activates = thingSpace.calls("/devices/actions/activate");
    expect(sizes(activates)).toEqual([10, 10, 5, 10, 10, 5]);
    expect(activates.slice(0, 3).map((r) => r.body)).toEqual(activates.slice(3).map((r) => r.body));
    expect(paged.chunks.map((c) => c.fingerprint)).toEqual(flat.chunks.map((c) => c.fingerprint));
    expect(paged.deviceCount).toBe(25);
  });

  it("the caller's abort stops the batch before its next request", async () => {
    const { client, thingSpace } = mockedClient(server);
    const controller = new AbortController();
    const reported: number[] = [];
    const outcome = client.activateDevicesInBatches(devices(6), activatePlan, {
      chunkSize: 2,
      signal: controller.signal,
      onChunk: (chunk) => {
        reported.push(chunk.index);
        controller.abort(new Error("stopped by the user"));
      },
    });
    await expect(outcome).rejects.toThrow("stopped by the user");
    expect(reported).toEqual([0]);
    expect(thingSpace.calls("/devices/actions/activate")).toHaveLength(1);
  });

  it("batches are paced like single calls: 3 chunks with a limit of 2 per minute wait once", async () => {
    const { client, clock } = mockedClient(server, { pacing: { limit: 2 } });
    await client.activateDevicesInBatches(devices(3), activatePlan, { chunkSize: 1 });
    expect(clock.sleeps).toEqual([61_000]);
  });
});

describe("goToStateInBatches and addDevicesInBatches", () => {
  it("goToState splits by 10,000 and sends the shared fields with every chunk", async () => {
    const { client, thingSpace } = mockedClient(server);
    const shared = { serviceName: "svc", stateName: "active", servicePlan: "m2m4g", mdnZipCode: "98801" };
    const result = await client.goToStateInBatches(devices(10_001), shared);
    const requests = thingSpace.calls("/devices/actions/goToState");
    expect(sizes(requests)).toEqual([10_000, 1]);
    expect(requests[1]!.body).toEqual({ ...shared, devices: [device(10_000)] });
    expect(result.chunks.map((c) => c.requestId)).toEqual(["request-3", "request-4"]);
  });

  it("add splits by 200 and hands each chunk's per-device results to onChunk", async () => {
    const { client, thingSpace } = mockedClient(server);
    const responses: unknown[] = [];
    const result = await client.addDevicesInBatches(
      devices(401),
      { state: "preactive" },
      {
        onChunk: (chunk) => {
          responses.push(chunk.response?.length);
        },
      },
    );
    expect(sizes(thingSpace.calls("/devices/actions/add"), "devicesToAdd")).toEqual([200, 200, 1]);
    expect(responses).toEqual([200, 200, 1]);
    expect(result).toMatchObject({ chunkSize: 200, deviceCount: 401, acceptedCount: 401 });
    expect(result.chunks.every((c) => c.requestId === undefined)).toBe(true);
  });
});

describe("chunkFingerprint", () => {
  const imei = { kind: "imei", id: "990013907835573" };
  const iccid = { kind: "iccid", id: "89148000000800000001" };

  it("keeps the values journals already hold: count and FNV-1a of the devices' keys", () => {
    expect(chunkFingerprint([])).toBe("0:811c9dc5");
    expect(chunkFingerprint([{ deviceIds: [imei] }])).toBe("1:784e7ffc");
    expect(chunkFingerprint([{ deviceIds: [imei, iccid] }])).toBe("1:a8e5d471");
    expect(chunkFingerprint([{ deviceIds: [imei, iccid, { kind: "msisdn", id: "5551234567" }] }])).toBe("1:2890c29c");
    const chunk = [
      { deviceIds: [imei] },
      { deviceIds: [imei, iccid] },
      {
        deviceIds: [
          { kind: "ICCID", id: "1" },
          { kind: "eid", id: "2" },
        ],
      },
    ];
    expect(chunkFingerprint(chunk)).toBe("3:c94fe837");
  });

  it("ignores the order of a device's identifiers and the case of their kinds, as deviceKey does", () => {
    const swapped = [{ deviceIds: [iccid, { kind: "IMEI", id: imei.id }] }];
    expect(chunkFingerprint(swapped)).toBe("1:a8e5d471");
    // A key that is the start of the other comes first: "imei:1" before "imei:12".
    const prefix = [
      {
        deviceIds: [
          { kind: "imei", id: "12" },
          { kind: "imei", id: "1" },
        ],
      },
    ];
    expect(chunkFingerprint(prefix)).toBe("1:73ca5c85");
    expect(deviceKey(prefix[0]!.deviceIds)).toBe("imei:1|imei:12");
  });
});

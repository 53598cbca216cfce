import { afterEach, describe, expect, it, vi } from "vitest";
import { sliceDevices } from "../../../src/simulator/backlog.js";
import { activateBody, simulatorHarness, testDeviceIds, testDevices } from "./simulator-harness.js";

// The simulator answers an activate once it is checked and carries its devices out afterwards
// (src/simulator/backlog.ts). A `deviceFault` that records the devices it is asked about shows
// when each device is carried out, with no timing involved.
function recordingHarness(options: Parameters<typeof simulatorHarness>[0] = {}) {
  const carriedOut: string[] = [];
  const harness = simulatorHarness({
    faults: {
      deviceFault: ({ deviceIds }) => {
        carriedOut.push(deviceIds[0]!.id);
        return undefined;
      },
    },
    ...options,
  });
  return { ...harness, carriedOut };
}

const imei = (index: number) => testDeviceIds(index)[0]!.id;
const imeis = (count: number, from = 0) => Array.from({ length: count }, (_, i) => imei(from + i));

describe("simulator activate: answered first, carried out after", () => {
  it("shows an answered activate to the very next lookup: list, status, devices(), dated from its arrival", async () => {
    const { m2m, simulator, advance, carriedOut } = recordingHarness();
    const answer = await m2m("POST", "/devices/actions/activate", activateBody(testDevices(2)));
    expect(await answer.json()).toEqual({ requestId: "request-1" });
    expect(carriedOut).toEqual([]);

    advance(4);
    const page = await (await m2m("POST", "/devices/actions/list", {})).json();
    expect(carriedOut).toEqual(imeis(2));
    expect(
      page.devices.map((device: any) => [
        device.deviceIds.at(-1).id,
        device.carrierInformations[0].state,
        device.createdAt,
      ]),
    ).toEqual([
      ["5550000001", "pending activation", "2025-01-01T00:00:00.000Z"],
      ["5550000002", "pending activation", "2025-01-01T00:00:00.000Z"],
    ]);
    const status = async () => (await m2m("GET", "/accounts/TestAccount-1/requests/request-1/status")).json();
    expect(await status()).toEqual({ requestId: "request-1", status: "Pending" });
    // Due 10 ms (callbackDelayMs) after it arrived, not after it was carried out.
    advance(6);
    expect(await status()).toEqual({ requestId: "request-1", status: "Success" });
    expect(simulator.devices().map(({ state, deviceIds }) => [state, deviceIds.length])).toEqual([
      ["ACTIVE", 3],
      ["ACTIVE", 3],
    ]);
  });

  it("carries out each inspection method's backlog first: devices() right after the answer", async () => {
    const { m2m, simulator, carriedOut } = recordingHarness();
    await m2m("POST", "/devices/actions/activate", activateBody(testDevices(1)));
    expect(carriedOut).toEqual([]);
    expect(simulator.device("TestAccount-1", testDeviceIds(0)[0]!)?.state).toBe("ACTIVE");
    expect(carriedOut).toEqual(imeis(1));
  });

  it("keeps the order of arrival: the second activate of a device, answered before either is carried out, fails DeviceAlreadyActive", async () => {
    const { m2m, listen, simulator, received, carriedOut } = recordingHarness();
    await listen("CarrierService");
    await m2m("POST", "/devices/actions/activate", activateBody(testDevices(1)));
    await m2m("POST", "/devices/actions/activate", activateBody(testDevices(1)));
    expect(carriedOut).toEqual([]);
    await simulator.idle();
    expect(carriedOut).toEqual(imeis(1).concat(imeis(1)));
    expect(received.map(({ body }) => [body.requestId, body.status, body.faultResponse?.faultcode])).toEqual([
      ["request-1", "Success", undefined],
      ["request-2", "Failed", "REQUEST_FAILED.DeviceAlreadyActive"],
    ]);
  });

  it("keeps an activate's results when the listener is registered only after its answer, as when it took effect at once", async () => {
    const { m2m, listen, simulator, received } = recordingHarness();
    await m2m("POST", "/devices/actions/activate", activateBody(testDevices(1)));
    await listen("CarrierService");
    await simulator.idle();
    expect(received).toEqual([]);
    expect(simulator.undelivered().map(({ payload }) => [payload.requestId, payload.status])).toEqual([
      ["request-1", "Success"],
    ]);
  });

  it("carries out the requests accepted under a fault before the fault is changed", async () => {
    const faulty = { faultcode: "REQUEST_FAILED.X", faultstring: "x" };
    const { m2m, simulator } = simulatorHarness({ faults: { deviceFault: () => faulty } });
    await m2m("POST", "/devices/actions/activate", activateBody(testDevices(1)));
    simulator.clearFaults();
    await m2m("POST", "/devices/actions/activate", activateBody(testDevices(1, 1)));
    expect(simulator.undelivered().map(({ payload }) => payload.status)).toEqual(["Failed", "Success"]);
  });
});

describe("simulator activate: the background carrying out", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  // An activate whose body arrives when the test says: the request counts as arriving until then.
  function arriving(session: { bearer: string; session: string }, body: unknown) {
    let finish!: () => void;
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        finish = () => {
          controller.enqueue(new TextEncoder().encode(JSON.stringify(body)));
          controller.close();
        };
      },
    });
    const request = new Request("http://simulator.test/api/m2m/v1/devices/actions/activate", {
      method: "POST",
      headers: {
        "content-type": "application/json",
        authorization: `Bearer ${session.bearer}`,
        "vz-m2m-token": session.session,
      },
      body: stream,
      duplex: "half",
    } as RequestInit);
    return { request, finish };
  }

  it("waits while activates arrive, then works through the backlog a slice at a time, yielding to a new arrival", async () => {
    const { m2m, simulator, signIn, carriedOut } = recordingHarness();
    const tokens = await signIn();
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "setImmediate", "clearImmediate"] });
    const devices = sliceDevices * 2 + 500;

    const second = arriving(tokens, activateBody(testDevices(1, devices)));
    const secondAnswer = simulator.handle(second.request);
    await m2m("POST", "/devices/actions/activate", activateBody(testDevices(devices)));
    // Nothing is carried out while a request is arriving, however long it takes.
    await vi.runAllTimersAsync();
    expect(carriedOut).toEqual([]);

    second.finish();
    expect((await secondAnswer).status).toBe(200);
    expect(carriedOut).toEqual([]);
    // Once none has arrived for a while: one slice, then the next in a task of its own.
    await vi.advanceTimersToNextTimerAsync();
    expect(carriedOut).toEqual(imeis(sliceDevices));

    // A request arriving between two slices stops the work until it is answered.
    const third = arriving(tokens, activateBody(testDevices(1, devices + 1)));
    const thirdAnswer = simulator.handle(third.request);
    await vi.runAllTimersAsync();
    expect(carriedOut).toHaveLength(sliceDevices);
    third.finish();
    expect((await thirdAnswer).status).toBe(200);
    await vi.runAllTimersAsync();
    expect(carriedOut).toEqual(imeis(devices + 2));
    expect(simulator.devices()).toHaveLength(devices + 2);
  });
});

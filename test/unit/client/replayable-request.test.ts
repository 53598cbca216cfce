import { describe, expect, it } from "vitest";
import {
  ReplayableRequest,
  callerSignalOf,
  laterCopies,
  startAttempt,
} from "../../../src/client/transport/replayable-request.js";

const url = "https://thingspace.test/api/m2m/v1/devices/actions/activate";
const post = (init: RequestInit = {}) =>
  new ReplayableRequest(url, { method: "POST", body: '{"devices":[]}', headers: { "content-type": "application/json" }, ...init });

describe("ReplayableRequest attempts", () => {
  it("sends the request itself first, then copies with the same method, headers and body", async () => {
    const request = post();
    const first = startAttempt(request);
    expect(first.request).toBe(request);
    expect(await first.request.text()).toBe('{"devices":[]}');
    const second = startAttempt(request);
    expect(second.request).not.toBe(request);
    expect(second.request.method).toBe("POST");
    expect(second.request.headers.get("content-type")).toBe("application/json");
    expect(await second.request.text()).toBe('{"devices":[]}');
  });

  it("aborts the first attempt through the request's own signal, leaving the caller's alone", () => {
    const caller = new AbortController();
    const request = post({ signal: caller.signal });
    const attempt = startAttempt(request);
    attempt.abort(new Error("timeout"));
    expect(request.signal.aborted).toBe(true);
    expect(callerSignalOf(request)).toBe(caller.signal);
    expect(caller.signal.aborted).toBe(false);
  });

  it("follows the caller's abort in the request and in later attempts", () => {
    const caller = new AbortController();
    const request = post({ signal: caller.signal });
    startAttempt(request);
    const retry = startAttempt(request);
    caller.abort(new Error("user gave up"));
    expect(request.signal.aborted).toBe(true);
    expect(retry.request.signal.reason).toEqual(new Error("user gave up"));
  });

  it("has no caller signal when the caller gave none", () => {
    expect(callerSignalOf(post())).toBeUndefined();
    const plain = new Request(url);
    expect(callerSignalOf(plain)).toBe(plain.signal);
  });

  it("replays a request after it was sent, with the headers it has then", async () => {
    const request = post();
    const replay = laterCopies(request);
    await startAttempt(request).request.text();
    request.headers.set("VZ-M2M-Token", "renewed");
    const copy = replay();
    expect(copy.headers.get("VZ-M2M-Token")).toBe("renewed");
    expect(await copy.text()).toBe('{"devices":[]}');
  });

  it("never sends a request whose body is a stream itself: attempts are clones, the original stays readable", async () => {
    const stream = () => new Blob(['{"devices":[]}']).stream();
    const request = new ReplayableRequest(url, { method: "POST", body: stream(), duplex: "half" } as RequestInit);
    const attempt = startAttempt(request);
    expect(attempt.request).not.toBe(request);
    expect(await attempt.request.text()).toBe('{"devices":[]}');
    expect(await request.text()).toBe('{"devices":[]}');
  });
});

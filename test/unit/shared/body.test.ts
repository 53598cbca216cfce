import { describe, expect, it } from "vitest";
import { readBody } from "../../../src/shared/body.js";

function streamed(chunks: string[], onCancel: () => void = () => {}): Request {
  const encoder = new TextEncoder();
  let pulled = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      const chunk = chunks[pulled++];
      if (chunk === undefined) controller.close();
      else controller.enqueue(encoder.encode(chunk));
    },
    cancel: onCancel,
  });
  return new Request("http://127.0.0.1/", { method: "POST", body, duplex: "half" } as RequestInit);
}

describe("readBody", () => {
  it("returns the whole body up to the limit", async () => {
    const result = await readBody(streamed(["{", "}"]), 2);
    expect(result.ok && new TextDecoder().decode(result.bytes)).toBe("{}");
  });

  it("stops reading, and cancels the stream, as soon as the limit is passed without Content-Length", async () => {
    let cancelled = false;
    const result = await readBody(
      streamed(["12345", "6", "never read"], () => {
        cancelled = true;
      }),
      5,
    );
    expect(result).toEqual({ ok: false, reason: "too-large" });
    expect(cancelled).toBe(true);
  });

  it("refuses a declared Content-Length over the limit before reading", async () => {
    const request = new Request("http://127.0.0.1/", {
      method: "POST",
      body: "x",
      headers: { "content-length": "10" },
    });
    expect(await readBody(request, 5)).toEqual({ ok: false, reason: "too-large" });
  });

  it("reports a stream that fails midway as unreadable", async () => {
    const body = new ReadableStream({ pull: (controller) => controller.error(new Error("reset")) });
    const request = new Request("http://127.0.0.1/", { method: "POST", body, duplex: "half" } as RequestInit);
    expect(await readBody(request, 5)).toEqual({ ok: false, reason: "unreadable" });
  });
});

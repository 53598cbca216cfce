/**
 * Request bodies read with a byte limit and parsed as JSON without ever throwing, and without
 * repeating any of the body in a message (a callback body carries credentials, a login body a
 * password). The callback receiver and the simulator both read through here.
 *
 * Without `Content-Length` the limit is enforced while streaming, so a sender that omits it
 * cannot make the reader buffer more; a declared length over the limit is refused before
 * reading, and one within it bounds what HTTP delivers.
 */
import type { Violation } from "./violations.js";

/** The body bytes, or why they were not read. */
export type BodyReadResult =
  | { readonly ok: true; readonly bytes: Uint8Array }
  | { readonly ok: false; readonly reason: "too-large" | "unreadable" };

/** The JSON value of a body, or the violation that says why it is not JSON. */
export type JsonBodyResult =
  { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly violation: Violation };

/** Reads `request`'s body, stopping as soon as it exceeds `maxBytes`. */
export async function readBody(request: Request, maxBytes: number): Promise<BodyReadResult> {
  const declared = request.headers.get("content-length");
  if (declared !== null && Number(declared) > maxBytes) return { ok: false, reason: "too-large" };
  if (declared !== null && /^\d+$/.test(declared)) {
    // HTTP framing makes the body exactly the declared length, within the limit: read it in one
    // go, which hosts serve without a stream (@hono/node-server reads the socket directly).
    try {
      const bytes = new Uint8Array(await request.arrayBuffer());
      return bytes.byteLength > maxBytes ? { ok: false, reason: "too-large" } : { ok: true, bytes };
    } catch {
      return { ok: false, reason: "unreadable" };
    }
  }
  if (request.body === null) return { ok: true, bytes: new Uint8Array(0) };
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > maxBytes) {
        // Not awaited: a host may only settle the cancel once the socket is gone.
        reader.cancel().catch(() => undefined);
        return { ok: false, reason: "too-large" };
      }
      chunks.push(value);
    }
  } catch {
    return { ok: false, reason: "unreadable" };
  }
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return { ok: true, bytes };
}

const decoder = new TextDecoder("utf-8", { fatal: true });

function notJson(message: string, rule = "json"): JsonBodyResult {
  return { ok: false, violation: { path: "", rule, message } };
}

/** Parses body text or UTF-8 bytes as JSON. */
export function parseJson(body: string | Uint8Array | ArrayBuffer): JsonBodyResult {
  let text: string;
  if (typeof body === "string") {
    text = body;
  } else {
    try {
      text = decoder.decode(body);
    } catch {
      return notJson("the body is not valid UTF-8 text", "encoding");
    }
  }
  if (text.trim() === "") return notJson("the body is empty: a callback is a JSON object");
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    // JSON.parse's own message quotes the body, which holds the callback credentials.
    return notJson("the body is not valid JSON (are you passing the raw request body text?)");
  }
}

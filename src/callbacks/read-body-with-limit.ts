/**
 * Reads a request body up to a byte limit. Without `Content-Length` the limit is enforced while
 * streaming, so a sender that omits it cannot make the receiver buffer more; a declared length
 * over the limit is refused before reading, and one within it bounds what HTTP delivers.
 */

/** The body bytes, or why they were not read. */
export type BodyReadResult =
  | { readonly ok: true; readonly bytes: Uint8Array }
  | { readonly ok: false; readonly reason: "too-large" | "unreadable" };

/** Reads `request`'s body, stopping as soon as it exceeds `maxBytes`. */
export async function readBodyWithLimit(request: Request, maxBytes: number): Promise<BodyReadResult> {
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

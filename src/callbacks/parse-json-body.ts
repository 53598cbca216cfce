/**
 * Reads raw body text (or bytes) as JSON without ever throwing, and without repeating any of
 * the body in the message: a callback body carries credentials.
 */
import type { Violation } from "../validation/violations.js";

/** The JSON value of a body, or the violation that says why it is not JSON. */
export type JsonBodyResult = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly violation: Violation };

const decoder = new TextDecoder("utf-8", { fatal: true });

function notJson(message: string, rule = "json"): JsonBodyResult {
  return { ok: false, violation: { path: "", rule, message } };
}

/** Parses body text or UTF-8 bytes as JSON. */
export function parseJsonBody(body: string | Uint8Array | ArrayBuffer): JsonBodyResult {
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

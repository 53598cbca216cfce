/**
 * JSON answers of the callback receiver. Bodies never carry credentials or handler errors. The
 * handler builds plain answers; the Fetch-style handler turns them into `Response`s, while the
 * node adapter writes them to the socket itself (a `Response` costs more to build and to read
 * back than the rest of handling a callback).
 */

/** An answer before it becomes a `Response`. */
export interface JsonAnswer {
  readonly status: number;
  /** Sent as JSON. */
  readonly body: unknown;
  /** Extra headers (`allow`, `accept-post`). */
  readonly headers?: Readonly<Record<string, string>>;
}

/** The headers of an answer, its JSON content type included. */
export function answerHeaders(answer: JsonAnswer): Record<string, string> {
  return { "content-type": "application/json; charset=utf-8", "cache-control": "no-store", ...answer.headers };
}

/** The answer as a Fetch `Response`. */
export function jsonResponse(answer: JsonAnswer): Response {
  return new Response(JSON.stringify(answer.body), { status: answer.status, headers: answerHeaders(answer) });
}

/** JSON answers of the callback receiver. Bodies never carry credentials or handler errors. */

/** A JSON `Response` with `status`, `body` and extra headers. */
export function jsonResponse(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json; charset=utf-8", "cache-control": "no-store", ...headers },
  });
}

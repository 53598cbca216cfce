/** Starts the callback receiver behind a real node:http server on loopback, port chosen by the OS. */
import { createServer, request as httpRequest } from "node:http";
import type { AddressInfo } from "node:net";
import { createCallbackHandler, createNodeCallbackListener } from "../../../src/callbacks/index.js";
import type {
  CallbackHandlerOptions,
  DedupeClaim,
  DedupeStore,
  NodeCallbackListenerOptions,
} from "../../../src/callbacks/index.js";
import { createMemoryDedupeStore } from "../../../src/callbacks/dedupe.js";

export interface Receiver {
  readonly url: string;
  close(): Promise<void>;
}

export async function startReceiver(
  options: CallbackHandlerOptions,
  listenerOptions?: NodeCallbackListenerOptions,
): Promise<Receiver> {
  const server = createServer(createNodeCallbackListener(createCallbackHandler(options), listenerOptions));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/callbacks/CarrierService`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export interface Answer {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  readonly json: unknown;
}

/** POSTs `body` (a string as is, anything else as JSON) and reads the whole answer. */
export async function post(
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
  method = "POST",
): Promise<Answer> {
  const response = await fetch(url, {
    method,
    headers: { "content-type": "application/json", ...headers },
    body: method === "GET" ? undefined : typeof body === "string" ? body : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, text, json: JSON.parse(text) as unknown };
}

/** POSTs `chunks` with chunked transfer encoding (no Content-Length) through node:http. */
export function postChunked(url: string, chunks: string[]): Promise<{ status: number; json: unknown }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      url,
      { method: "POST", headers: { "content-type": "application/json", "transfer-encoding": "chunked" } },
      (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (part: string) => (text += part));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, json: JSON.parse(text) as unknown }));
      },
    );
    // The server may answer 413 and close before every chunk is written.
    req.on("error", (error: NodeJS.ErrnoException) =>
      error.code === "ECONNRESET" || error.code === "EPIPE" ? undefined : reject(error),
    );
    for (const chunk of chunks) req.write(chunk);
    req.end();
  });
}

/** Resolves `until(n)` once `count()` reached n: waiting on events, never on time. */
function counter() {
  let count = 0;
  const waiters: { n: number; wake: () => void }[] = [];
  return {
    count: () => count,
    bump() {
      count++;
      for (const waiter of waiters.filter((w) => count >= w.n)) waiter.wake();
    },
    until: (n: number) => (count >= n ? Promise.resolve() : new Promise<void>((wake) => waiters.push({ n, wake }))),
  };
}

/** A memory store whose claims and waits a test can await, to know where each copy stands. */
export function observedStore() {
  const inner = createMemoryDedupeStore();
  const claims: DedupeClaim[] = [];
  const waitCount = counter();
  const store: DedupeStore = {
    async claim(key) {
      const claim = await inner.claim(key);
      claims.push(claim);
      return claim;
    },
    complete: (key) => inner.complete(key),
    release: (key) => inner.release(key),
    settled(key) {
      waitCount.bump();
      return inner.settled!(key);
    },
  };
  return { store, claims, waited: waitCount.until };
}

/** A promise a test settles by hand, and a signal that the code under test reached it. */
export function gate() {
  let open!: () => void;
  let fail!: (error: Error) => void;
  let entered!: () => void;
  const promise = new Promise<void>((resolve, reject) => ((open = resolve), (fail = reject)));
  const reached = new Promise<void>((resolve) => (entered = resolve));
  return { promise, open, fail, reached, enter: () => (entered(), promise) };
}

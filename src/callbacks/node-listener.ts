/**
 * Serves a Fetch-style callback handler from `node:http` or Express. @hono/node-server turns
 * the IncomingMessage into a `Request` (body streamed, not buffered) and writes the `Response`
 * back; this adapter only adds the socket's address for the allowlist.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { getRequestListener } from "@hono/node-server";
import type { CallbackRequestHandler } from "./callback-handler.js";

/** Options of `createNodeCallbackListener`. */
export interface NodeCallbackListenerOptions {
  /**
   * The sender's address for `allowedSources`. Default: the socket's peer address. Behind a
   * reverse proxy, return the client address the proxy vouches for (e.g. the last
   * `X-Forwarded-For` entry it appended), never a header a sender could forge.
   */
  readonly remoteAddress?: (incoming: IncomingMessage) => string | undefined;
}

/** A `(req, res)` listener for `http.createServer(listener)` or `app.post(path, listener)`. */
export type NodeCallbackListener = (incoming: IncomingMessage, outgoing: ServerResponse) => Promise<void>;

/**
 * Adapts `handler` to node:http and Express. With Express, mount it before any body parser
 * (`express.json()` would consume the body the handler must read and check).
 */
export function createNodeCallbackListener(handler: CallbackRequestHandler, options: NodeCallbackListenerOptions = {}): NodeCallbackListener {
  const addressOf = options.remoteAddress ?? ((incoming: IncomingMessage) => incoming.socket.remoteAddress);
  const listener = getRequestListener(
    (request, env) => handler(request, { remoteAddress: addressOf(env.incoming as IncomingMessage) }),
    // A library must not replace the process's global Request and Response.
    { overrideGlobalObjects: false },
  );
  return (incoming, outgoing) => listener(incoming, outgoing);
}

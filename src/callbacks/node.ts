/**
 * Serves a Fetch-style callback handler from `node:http` or Express. @hono/node-server turns
 * the IncomingMessage into a `Request` (body read straight from the socket, no stream when its
 * length is declared); this adapter adds the socket's address for the allowlist. A handler made
 * by `createCallbackHandler` has a declared `answer` that gives its answer as plain data, which
 * is written to the socket directly, without building a `Response` and reading it back; any
 * other handler's `Response` is written by @hono/node-server.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { getRequestListener } from "@hono/node-server";
import { RESPONSE_ALREADY_SENT } from "@hono/node-server/utils/response";
import type { CallbackRequestHandler } from "./receiver.js";

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
export function createNodeCallbackListener(
  handler: CallbackRequestHandler,
  options: NodeCallbackListenerOptions = {},
): NodeCallbackListener {
  const addressOf = options.remoteAddress ?? ((incoming: IncomingMessage) => incoming.socket.remoteAddress);
  const answer = handler.answer;
  const listener = getRequestListener(
    async (request, env) => {
      // Only ever called with the node:http pair passed below.
      const { incoming, outgoing } = env as { incoming: IncomingMessage; outgoing: ServerResponse };
      const context = { remoteAddress: addressOf(incoming) };
      if (!answer) return handler(request, context);
      const { status, headers, body } = await answer(request, context);
      const text = JSON.stringify(body);
      outgoing.writeHead(status, { ...headers, "content-length": Buffer.byteLength(text) });
      outgoing.end(text);
      return RESPONSE_ALREADY_SENT;
    },
    // A library must not replace the process's global Request and Response.
    { overrideGlobalObjects: false },
  );
  return (incoming, outgoing) => listener(incoming, outgoing);
}

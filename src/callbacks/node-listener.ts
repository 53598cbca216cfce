/**
 * Serves a Fetch-style callback handler from `node:http` or Express. @hono/node-server turns
 * the IncomingMessage into a `Request` (body read straight from the socket, no stream when its
 * length is declared) and writes the `Response` back; this adapter adds the socket's address
 * for the allowlist. A handler made by `createCallbackHandler` answers with plain JSON answers
 * that are written to the socket directly, without building a `Response` and reading it back.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { getRequestListener } from "@hono/node-server";
import { RESPONSE_ALREADY_SENT } from "@hono/node-server/utils/response";
import { answeringCoreOf, type CallbackRequestHandler } from "./callback-handler.js";
import { answerHeaders } from "./json-response.js";

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
  const core = answeringCoreOf(handler);
  const listener = getRequestListener(
    async (request, env) => {
      // Only ever called with the node:http pair passed below.
      const { incoming, outgoing } = env as { incoming: IncomingMessage; outgoing: ServerResponse };
      const context = { remoteAddress: addressOf(incoming) };
      if (!core) return handler(request, context);
      const answer = await core(request, context);
      const body = JSON.stringify(answer.body);
      outgoing.writeHead(answer.status, { ...answerHeaders(answer), "content-length": Buffer.byteLength(body) });
      outgoing.end(body);
      return RESPONSE_ALREADY_SENT;
    },
    // A library must not replace the process's global Request and Response.
    { overrideGlobalObjects: false },
  );
  return (incoming, outgoing) => listener(incoming, outgoing);
}

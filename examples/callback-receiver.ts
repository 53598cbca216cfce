/**
 * The demo's callback listener: one node:http server on loopback with a route per callback
 * service, each a `createCallbackHandler` behind the node adapter, feeding one tracker. It also
 * counts what the handler answered, so the summary can say how many redeliveries were ignored.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import {
  createCallbackHandler,
  createCallbackTracker,
  createNodeCallbackListener,
  type CallbackCredentials,
  type CallbackService,
  type CallbackTracker,
  type ParsedCallback,
} from "../src/callbacks/index.js";

export interface ReceiverCounts {
  /** Posts that reached the listener. */
  received: number;
  /** Callbacks handled for the first time (validated, authenticated, recorded). */
  handled: number;
  /** Redeliveries acknowledged without running the handler again. */
  duplicates: number;
  /** Answers other than 200 (ThingSpace sends those again). */
  rejected: number;
}

export interface CallbackReceiver {
  /** The URL to register for a service. */
  urlFor(service: CallbackService): string;
  tracker: CallbackTracker;
  counts: ReceiverCounts;
  close(): Promise<void>;
}

const routes: Record<string, CallbackService> = {
  "/thingspace/carrier-service": "CarrierService",
  "/thingspace/state-service": "StateService",
};

/** Starts the listener on 127.0.0.1 (any free port unless `port` is given). */
export async function startCallbackReceiver(options: {
  credentials: CallbackCredentials;
  onCallback?: (callback: ParsedCallback) => void;
  port?: number;
}): Promise<CallbackReceiver> {
  const tracker = createCallbackTracker();
  const counts: ReceiverCounts = { received: 0, handled: 0, duplicates: 0, rejected: 0 };
  const listeners = new Map(
    Object.entries(routes).map(([path, service]) => {
      const handler = createCallbackHandler({
        service,
        credentials: options.credentials,
        onCallback: (callback) => {
          tracker.record(callback);
          options.onCallback?.(callback);
        },
      });
      const counted: typeof handler = async (request, context) => {
        counts.received++;
        const response = await handler(request, context);
        const answer = (await response
          .clone()
          .json()
          .catch(() => ({}))) as { status?: string };
        if (response.status !== 200) counts.rejected++;
        else if (answer.status === "duplicate") counts.duplicates++;
        else counts.handled++;
        return response;
      };
      return [path, createNodeCallbackListener(counted)] as const;
    }),
  );
  const server: Server = createServer((incoming, outgoing) => {
    const listener = listeners.get(new URL(incoming.url ?? "/", "http://localhost").pathname);
    if (listener) return void listener(incoming, outgoing);
    outgoing.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const byService = Object.fromEntries(Object.entries(routes).map(([path, service]) => [service, path]));
  return {
    urlFor: (service) => `http://127.0.0.1:${port}${byService[service] ?? "/thingspace/unknown"}`,
    tracker,
    counts,
    close: () => (server.listening ? new Promise((resolve) => server.close(() => resolve())) : Promise.resolve()),
  };
}

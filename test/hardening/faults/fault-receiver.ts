/**
 * A real callback receiver for the fault tests: `createCallbackHandler` (CarrierService) behind
 * `createNodeCallbackListener` on node:http, 127.0.0.1. It records the side effect each device's
 * result must have exactly once, every answer it gave, and can go down and come back on the
 * same port (its dedupe store survives, as a shared store would).
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import {
  createCallbackHandler,
  createCallbackTracker,
  createNodeCallbackListener,
  type CallbackRequestHandler,
} from "../../../src/callbacks/index.js";

/** The pair registered with the simulator for the listener. */
export const listenerCredentials = { username: "fault-listener", password: "fault-listener-secret-1" };

/** A receiver that records what it handled. */
export interface FaultReceiver {
  url: string;
  /** Activated devices (deviceKey) and how many times their result was handled. */
  activated: Map<string, number>;
  /** Devices whose activation failed, with the fault codes reported. */
  failed: Map<string, string[]>;
  /** Every answer's status, in order. */
  statuses: number[];
  /** Correlates the results with the client's batch chunks. */
  tracker: ReturnType<typeof createCallbackTracker>;
  /** Stops listening and drops connections: senders now get ECONNREFUSED. */
  stop(): Promise<void>;
  /** Listens again on the same port. */
  start(): Promise<void>;
}

/** Starts a receiver on a free loopback port. */
export async function startFaultReceiver(): Promise<FaultReceiver> {
  const activated = new Map<string, number>();
  const failed = new Map<string, string[]>();
  const statuses: number[] = [];
  const tracker = createCallbackTracker();
  const handler = createCallbackHandler({
    service: "CarrierService",
    credentials: listenerCredentials,
    handlers: {
      activateSucceeded: (callback) => {
        activated.set(callback.deviceKey, (activated.get(callback.deviceKey) ?? 0) + 1);
      },
      activateFailed: (callback) => {
        failed.set(callback.deviceKey, [
          ...(failed.get(callback.deviceKey) ?? []),
          callback.payload.faultResponse.faultcode,
        ]);
      },
    },
    onCallback: (callback) => {
      tracker.record(callback);
    },
  });
  const answering: CallbackRequestHandler = async (request, context) => {
    const response = await handler(request, context);
    statuses.push(response.status);
    return response;
  };
  const server = createServer(createNodeCallbackListener(answering));
  let port = 0;
  const start = () =>
    new Promise<void>((resolve) => {
      server.listen(port, "127.0.0.1", () => {
        port = (server.address() as AddressInfo).port;
        resolve();
      });
    });
  await start();
  return {
    url: `http://127.0.0.1:${port}/thingspace/carrier`,
    activated,
    failed,
    statuses,
    tracker,
    start,
    stop: () =>
      new Promise<void>((resolve) => {
        if (!server.listening) return resolve();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

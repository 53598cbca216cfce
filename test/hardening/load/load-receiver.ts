/**
 * The receiver under load: `createCallbackHandler` behind `createNodeCallbackListener` on a real
 * node:http server on 127.0.0.1, whose handler records each device it handles (the side effect
 * that must happen exactly once) and throws the first time for the devices `failsFirst` picks.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import {
  createCallbackHandler,
  createMemoryDedupeStore,
  createNodeCallbackListener,
} from "../../../src/callbacks/index.js";
import { listenerCredentials } from "./carrier-callback.js";

/** A running load receiver and what it recorded. */
export interface LoadReceiver {
  url: string;
  /** Handled devices (deviceKey) and how many times each one's side effect ran. */
  handled: Map<string, number>;
  /** Devices whose handler threw its one planned failure. */
  thrown: Set<string>;
  /** Errors reported to `onError`, by stage. */
  errorStages: Map<string, number>;
  /** How many keys the dedupe store holds now. */
  storeSize(): number;
  close(): Promise<void>;
}

/** Starts a receiver; `maxEntries` bounds its in-memory dedupe store. */
export async function startLoadReceiver(options: {
  failsFirst: (deviceKey: string) => boolean;
  maxEntries?: number;
}): Promise<LoadReceiver> {
  const store = createMemoryDedupeStore(options.maxEntries === undefined ? {} : { maxEntries: options.maxEntries });
  const handled = new Map<string, number>();
  const thrown = new Set<string>();
  const errorStages = new Map<string, number>();
  const handler = createCallbackHandler({
    service: "CarrierService",
    credentials: listenerCredentials,
    dedupeStore: store,
    handlers: {
      activateSucceeded: async (callback) => {
        // Yield once, as a handler storing the result would, so that concurrent copies overlap.
        await new Promise((resolve) => setImmediate(resolve));
        if (options.failsFirst(callback.deviceKey) && !thrown.has(callback.deviceKey)) {
          thrown.add(callback.deviceKey);
          throw new Error(`planned first failure for ${callback.deviceKey}`);
        }
        handled.set(callback.deviceKey, (handled.get(callback.deviceKey) ?? 0) + 1);
      },
    },
    onError: (_error, details) => errorStages.set(details.stage, (errorStages.get(details.stage) ?? 0) + 1),
  });
  const server = createServer({ keepAliveTimeout: 30_000 }, createNodeCallbackListener(handler));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/thingspace/carrier`,
    handled,
    thrown,
    errorStages,
    storeSize: () => store.size,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

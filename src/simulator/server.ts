/**
 * Runs a simulator on node:http (through @hono/node-server), on loopback by default. An injected
 * connection reset really destroys the socket, so a client sees what it would see on the wire.
 */
import type { AddressInfo } from "node:net";
import { createAdaptorServer, type Http2Bindings, type HttpBindings } from "@hono/node-server";
import { createSimulator, type Simulator } from "./simulator.js";
import type { SimulatorOptions } from "./options.js";

/** Options of {@link startSimulatorServer}: where to listen, and the simulator or its options. */
export interface SimulatorServerOptions extends SimulatorOptions {
  /** Port to listen on; 0 (default) picks a free one. */
  port?: number;
  /** Interface to listen on. Default `127.0.0.1`: the simulator is for this machine only. */
  host?: string;
  /** Serve this simulator instead of creating one (it is then not closed with the server). */
  simulator?: Simulator;
}

/** A running simulator server. */
export interface SimulatorServer {
  /** The API root to give a client as `baseUrl`, e.g. `http://127.0.0.1:4010/api`. */
  url: string;
  /** `http://host:port`. */
  origin: string;
  port: number;
  simulator: Simulator;
  /** Stops listening, drops open connections and (if it created it) closes the simulator. */
  close(): Promise<void>;
}

/** Starts a simulator server and resolves once it listens. */
export async function startSimulatorServer(options: SimulatorServerOptions = {}): Promise<SimulatorServer> {
  const { port = 0, host = "127.0.0.1", simulator: given, ...simulatorOptions } = options;
  const simulator = given ?? createSimulator(simulatorOptions);
  const server = createAdaptorServer({
    overrideGlobalObjects: false,
    fetch: async (request: Request, env: HttpBindings | Http2Bindings) => {
      const response = await simulator.handle(request);
      if (response.type !== "error") return response;
      env.incoming.socket.destroy();
      return new Response(null, { status: 204 });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const origin = `http://${address.family === "IPv6" ? `[${address.address}]` : address.address}:${address.port}`;
  return {
    url: `${origin}${simulator.basePath}`,
    origin,
    port: address.port,
    simulator,
    async close() {
      if (!given) simulator.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        if ("closeAllConnections" in server) server.closeAllConnections();
      });
    },
  };
}

/**
 * The client against the project's simulator over real HTTP (127.0.0.1), as the integration tests
 * of the client start it: one simulator server per call, closed when the test ends.
 */
import { onTestFinished } from "vitest";
import { createThingSpaceClient, type ThingSpaceCommonOptions } from "../../src/client/index.js";
import { startSimulatorServer, type SimulatorServerOptions } from "../../src/simulator/index.js";

/** The client's credentials; the simulator accepts any user it was not told otherwise about. */
export const simulatorCredentials = {
  clientId: "integration-client",
  clientSecret: "integration-secret",
  username: "operator",
  password: "operator-password",
};

/**
 * Starts a simulator on a loopback port (callbacks due at once, `callbackDelayMs: 0`) and a
 * client against it for account `TestAccount-1`; either's options override these. The server
 * closes when the test ends, or earlier with `close()`.
 */
export async function startSimulatorWithClient(
  simulatorOptions: SimulatorServerOptions = {},
  clientOptions: Partial<ThingSpaceCommonOptions> = {},
) {
  const server = await startSimulatorServer({ callbackDelayMs: 0, ...simulatorOptions });
  let closing: Promise<void> | undefined;
  const close = () => (closing ??= server.close());
  onTestFinished(close);
  const client = createThingSpaceClient({
    baseUrl: server.url,
    credentials: simulatorCredentials,
    accountName: "TestAccount-1",
    ...clientOptions,
  });
  return { client, simulator: server.simulator, close };
}

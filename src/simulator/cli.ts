/**
 * `npm run simulator`: a standalone ThingSpace simulator on loopback. Point a client's `baseUrl`
 * at the URL it prints. Port from `--port`, else `THINGSPACE_SIMULATOR_PORT`, else 4010.
 */
import { parseArgs } from "node:util";
import { createSimulator, type Simulator } from "./simulator.js";
import { startSimulatorServer } from "./server.js";

// The port used when none is given.
const defaultSimulatorPort = 4010;

const usage = `Usage: npm run simulator -- [--port 4010] [--host 127.0.0.1] [--verbose]
  --port     port to listen on (or THINGSPACE_SIMULATOR_PORT; 0 picks a free one)
  --host     interface to listen on (loopback by default)
  --verbose  print one line per request (method, path, status)`;

function fail(message: string): never {
  console.error(`${message}\n${usage}`);
  process.exit(2);
}

// Logs method, path and status only: bodies and headers carry credentials.
function verbose(simulator: Simulator): Simulator {
  return {
    ...simulator,
    async handle(request) {
      const response = await simulator.handle(request);
      const status = response.type === "error" ? "connection reset" : String(response.status);
      console.log(`${request.method} ${new URL(request.url).pathname} ${status}`);
      return response;
    },
  };
}

async function main(): Promise<void> {
  let values: { port?: string; host?: string; verbose?: boolean; help?: boolean };
  try {
    ({ values } = parseArgs({
      options: {
        port: { type: "string" },
        host: { type: "string" },
        verbose: { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
    }));
  } catch (error) {
    fail((error as Error).message);
  }
  if (values.help) {
    console.log(usage);
    return;
  }
  const rawPort = values.port ?? process.env.THINGSPACE_SIMULATOR_PORT ?? String(defaultSimulatorPort);
  const port = Number(rawPort);
  if (!/^\d+$/.test(rawPort) || port > 65_535) fail(`--port must be a whole number from 0 to 65535 (got ${rawPort}).`);

  const simulator = createSimulator();
  const server = await startSimulatorServer({
    port,
    host: values.host ?? "127.0.0.1",
    simulator: values.verbose ? verbose(simulator) : simulator,
  }).catch((error: NodeJS.ErrnoException) => {
    if (error.code === "EADDRINUSE") fail(`Port ${port} is already in use: pass another with --port.`);
    throw error;
  });

  console.log(`ThingSpace simulator: ${server.url}`);
  console.log(`  OAuth token: POST ${server.url}/ts/v1/oauth2/token (any client id and secret)`);
  console.log(
    `  M2M API:     ${server.url}/m2m/v1/... (any username and password; accounts TestAccount-1, TestAccount-2, or any name)`,
  );
  console.log("Press Ctrl+C to stop.");

  const stop = () => {
    void server.close().then(() => {
      simulator.close();
      process.exit(0);
    });
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}

await main();

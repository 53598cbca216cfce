/**
 * `npm run simulator`: a standalone ThingSpace simulator on loopback. Point a client's `baseUrl`
 * at the URL it prints. Port from `--port`, else `THINGSPACE_SIMULATOR_PORT`, else 4010. Users
 * (`--user name:password`) and OAuth clients (`--client id:secret`) restrict who gets in, so a
 * wrong password can be tried; their passwords and secrets are never printed.
 */
import { parseArgs } from "node:util";
import { createSimulator, type Simulator } from "./simulator.js";
import { startSimulatorServer } from "./server.js";

// The port used when none is given.
const defaultSimulatorPort = 4010;

const usage = `Usage: npm run simulator -- [--port 4010] [--host 127.0.0.1] [--user name:password]... [--client id:secret]... [--verbose]
  --port     port to listen on (or THINGSPACE_SIMULATOR_PORT; 0 picks a free one)
  --host     interface to listen on (loopback by default)
  --user     an M2M user who may log in, as name:password (repeat for more users). Without
             --user any username and password log in; with it, a wrong pair is refused and
             five refusals in a row lock the user
  --client   an OAuth client, as id:secret (repeat for more). Without --client any client id
             and secret get a token
  --verbose  print one line per request (method, path, status)`;

function fail(message: string): never {
  console.error(`${message}\n${usage}`);
  process.exit(2);
}

/**
 * `name:password` pairs of a repeatable option, as the simulator's `users` or `clients`; the
 * first colon splits them, so a password may hold colons. Errors name the option and never
 * repeat the value: it may be a password.
 */
function credentialPairs(
  option: "user" | "client",
  values: readonly string[] | undefined,
): Record<string, string> | undefined {
  if (!values) return undefined;
  const [name, secret] = option === "user" ? ["name", "password"] : ["id", "secret"];
  // A Map, so that a name such as "__proto__" is a name like any other.
  const pairs = new Map<string, string>();
  for (const value of values) {
    const colon = value.indexOf(":");
    if (colon < 1 || colon === value.length - 1) {
      fail(
        `--${option} must be ${name}:${secret}, both non-empty (the value given is not shown: it may hold a ${secret}).`,
      );
    }
    const key = value.slice(0, colon);
    if (pairs.has(key)) fail(`--${option} ${key} is given twice.`);
    pairs.set(key, value.slice(colon + 1));
  }
  return Object.fromEntries(pairs);
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
  let values: {
    port?: string;
    host?: string;
    user?: string[];
    client?: string[];
    verbose?: boolean;
    help?: boolean;
  };
  try {
    ({ values } = parseArgs({
      options: {
        port: { type: "string" },
        host: { type: "string" },
        user: { type: "string", multiple: true },
        client: { type: "string", multiple: true },
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
  const users = credentialPairs("user", values.user);
  const clients = credentialPairs("client", values.client);
  const rawPort = values.port ?? process.env.THINGSPACE_SIMULATOR_PORT ?? String(defaultSimulatorPort);
  const port = Number(rawPort);
  if (!/^\d+$/.test(rawPort) || port > 65_535) fail(`--port must be a whole number from 0 to 65535 (got ${rawPort}).`);

  const simulator = createSimulator({ users, clients });
  const server = await startSimulatorServer({
    port,
    host: values.host ?? "127.0.0.1",
    simulator: values.verbose ? verbose(simulator) : simulator,
  }).catch((error: NodeJS.ErrnoException) => {
    if (error.code === "EADDRINUSE") fail(`Port ${port} is already in use: pass another with --port.`);
    throw error;
  });

  // Ready to stop cleanly before saying where it listens: whoever reads the URL may stop it at once.
  const stop = () => {
    void server.close().then(() => {
      simulator.close();
      process.exit(0);
    });
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);

  console.log(`ThingSpace simulator: ${server.url}`);
  // Names only: a password or a secret is never printed.
  const clientsAccepted = clients ? `clients ${Object.keys(clients).join(", ")}` : "any client id and secret";
  const usersAccepted = users ? `users ${Object.keys(users).join(", ")}` : "any username and password";
  console.log(`  OAuth token: POST ${server.url}/ts/v1/oauth2/token (${clientsAccepted})`);
  console.log(
    `  M2M API:     ${server.url}/m2m/v1/... (${usersAccepted}; accounts TestAccount-1, TestAccount-2, or any name)`,
  );
  console.log("Press Ctrl+C to stop.");
}

await main();

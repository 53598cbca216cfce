/**
 * Benchmark #9's ThingSpace, in a process of its own (its state is not the command's memory),
 * answering each activate `ms` after it arrived, as ThingSpace's ~2 s:
 * - `simulator`: the simulator server (it keeps every device it activated; as ThingSpace, it
 *   answers an activate once it is checked and carries the devices out afterwards, in the idle
 *   time between bursts: src/simulator/backlog.ts);
 * - `stub`: a node:http server that only reads each request's JSON and counts its devices, so
 *   that what is measured is the command alone.
 * Prints `{"url": …}` once it listens; on a `stats` line on stdin prints the count of answers by
 * operation and status, the span from the first activate's arrival to the last one's answer and
 * its own CPU time (the simulator's with every accepted device carried out); exits on `exit`.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { createInterface } from "node:readline";
import { createSimulator, startSimulatorServer, type Simulator } from "../src/simulator/index.js";

const [target = "simulator", delay = "2000"] = process.argv.slice(2);
const ms = Number(delay);
const answers: Record<string, number> = {};
// When the first activate arrived and the last one was answered (ms, this process's clock).
const activates = { first: 0, last: 0 };
let devices = 0;
const count = (operation: string | undefined, status: number) => {
  const key = `${operation} ${status}`;
  answers[key] = (answers[key] ?? 0) + 1;
  if (operation === "activate") activates.last = performance.now();
};
const arrived = (operation: string | undefined) => {
  if (operation === "activate" && activates.first === 0) activates.first = performance.now();
};

let url: string;
let close: () => Promise<void>;
let deviceCount = () => devices;
let settle = () => {};
if (target === "simulator") {
  const simulator = createSimulator({ faults: { delayResponse: { ms, operation: "activateDevices" } } });
  const counted: Simulator = {
    ...simulator,
    async handle(request) {
      const operation = new URL(request.url).pathname.split("/").pop();
      arrived(operation);
      const response = await simulator.handle(request);
      count(operation, response.status);
      return response;
    },
  };
  const server = await startSimulatorServer({ simulator: counted });
  url = server.url;
  deviceCount = () => simulator.devices().length;
  // calls(), like every inspection method, first carries out what is accepted; it copies nothing.
  settle = () => void simulator.calls();
  close = async () => {
    await server.close();
    simulator.close();
  };
} else {
  let requests = 0;
  const server = createServer((incoming, outgoing) => {
    const operation = incoming.url?.split("/").pop();
    arrived(operation);
    const parts: Buffer[] = [];
    incoming.on("data", (part: Buffer) => parts.push(part));
    incoming.on("end", () => {
      const answer = (status: number, body: unknown) => {
        count(operation, status);
        outgoing.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
      };
      if (operation === "token")
        return answer(200, { access_token: "bench-token", token_type: "bearer", expires_in: 3600 });
      if (operation === "login") return answer(200, { sessionToken: "bench-session" });
      if (operation !== "activate") return answer(200, {});
      devices += (JSON.parse(Buffer.concat(parts).toString()) as { devices: unknown[] }).devices.length;
      setTimeout(() => answer(200, { requestId: `bench-${++requests}` }), ms);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api`;
  close = () => new Promise((resolve) => server.close(() => resolve()));
}

console.log(JSON.stringify({ url }));
for await (const line of createInterface({ input: process.stdin })) {
  if (line === "stats") {
    settle();
    const cpuMs = (process.cpuUsage().user + process.cpuUsage().system) / 1000;
    const span = activates.last - activates.first;
    console.log(JSON.stringify({ answers, activateSpanMs: span, cpuMs, devices: deviceCount() }));
  }
  if (line === "exit") break;
}
await close();
// The simulator's timers (results it keeps for a listener that never registers) must not keep it alive.
process.exit(0);

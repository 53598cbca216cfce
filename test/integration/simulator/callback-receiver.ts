/** A real node:http listener on loopback that records the callbacks it receives. */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

/** One received callback. */
export interface Captured {
  path: string;
  body: Record<string, any>;
}

/** Starts a listener answering each callback with `answer(body)` (200 by default). */
export async function startCallbackReceiver(answer: (body: Record<string, any>) => number = () => 200) {
  const received: Captured[] = [];
  let inFlight = 0;
  let mostInFlight = 0;
  const server = createServer((request, response) => {
    inFlight += 1;
    mostInFlight = Math.max(mostInFlight, inFlight);
    response.on("close", () => (inFlight -= 1));
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as Record<string, any>;
      received.push({ path: request.url ?? "", body });
      response.statusCode = answer(body);
      response.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    /** The most callbacks that were being received at the same time. */
    mostInFlight: () => mostInFlight,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

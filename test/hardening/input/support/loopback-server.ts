/** A node:http server on 127.0.0.1 (port chosen by the OS) for a request listener. */
import { createServer, type RequestListener } from "node:http";
import type { AddressInfo } from "node:net";

/** Listens with `listener`; resolves to its origin and a `close` that drops open connections. */
export async function listenOnLoopback(
  listener: RequestListener,
): Promise<{ origin: string; close: () => Promise<void> }> {
  const server = createServer(listener);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

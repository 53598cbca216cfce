/**
 * The simulator as msw handlers, for users' own tests: the client talks to "ThingSpace" and
 * msw answers from the simulator, with no server and no port. Kept apart from the rest of the
 * simulator so that only users of msw need it installed.
 */
import { http, HttpResponse, type HttpHandler } from "msw";
import type { Simulator } from "./simulator.js";

/** Options of {@link simulatorHandlers}. */
export interface SimulatorHandlerOptions {
  /** The origin the client calls. Default `https://thingspace.verizon.com` (the client's default). */
  origin?: string;
}

/**
 * One msw handler answering every request under `${origin}${simulator.basePath}/` from the
 * simulator; an injected connection reset becomes msw's network error.
 */
export function simulatorHandlers(simulator: Simulator, options: SimulatorHandlerOptions = {}): HttpHandler[] {
  const origin = (options.origin ?? "https://thingspace.verizon.com").replace(/\/+$/, "");
  return [
    http.all(`${origin}${simulator.basePath}/*`, async ({ request }) => {
      const response = await simulator.handle(request);
      return response.type === "error" ? HttpResponse.error() : response;
    }),
  ];
}

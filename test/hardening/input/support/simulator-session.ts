/** A simulator with a logged-in session, to send it request bodies as a client would. */
import { createSimulator, type Simulator, type SimulatorOptions } from "../../../../src/simulator/index.js";

/** Sends `body` (text as is, undefined as none, anything else as JSON) to `path` below `/api`, with the session's tokens. */
export type SimulatorSend = (method: string, path: string, body: unknown) => Promise<Response>;

/** A simulator that accepts any number of activations, callbacks kept instead of sent, and a session on it. */
export async function simulatorSession(
  options: SimulatorOptions = {},
): Promise<{ simulator: Simulator; send: SimulatorSend }> {
  const simulator = createSimulator({
    activateRequestsPerMinute: 1_000_000,
    callbackDelayMs: 0,
    clock: { now: () => Date.now(), sleep: async () => undefined },
    ...options,
  });
  const base = "http://simulator.test/api";
  const token = await simulator.handle(
    new Request(`${base}/ts/v1/oauth2/token`, {
      method: "POST",
      headers: { authorization: `Basic ${btoa("client:secret")}`, "content-type": "application/x-www-form-urlencoded" },
      body: "grant_type=client_credentials",
    }),
  );
  const bearer = ((await token.json()) as { access_token: string }).access_token;
  const login = await simulator.handle(
    new Request(`${base}/m2m/v1/session/login`, {
      method: "POST",
      headers: { authorization: `Bearer ${bearer}`, "content-type": "application/json" },
      body: JSON.stringify({ username: "user", password: "password" }),
    }),
  );
  const session = ((await login.json()) as { sessionToken: string }).sessionToken;
  const send: SimulatorSend = (method, path, body) =>
    simulator.handle(
      new Request(`${base}${path}`, {
        method,
        headers: { authorization: `Bearer ${bearer}`, "vz-m2m-token": session, "content-type": "application/json" },
        body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
      }),
    );
  return { simulator, send };
}

/** A client on an injected fetch that records every request and answers like ThingSpace would. */
import {
  createThingSpaceClient,
  type ThingSpaceClient,
  type ThingSpaceCommonOptions,
} from "../../../../src/client/index.js";

/** A request the client sent: method, path below the API root, and body text. */
export interface SentRequest {
  readonly method: string;
  readonly path: string;
  readonly body: string;
}

const answers: Record<string, () => unknown> = {
  "/ts/v1/oauth2/token": () => ({
    access_token: "hardening-access-token",
    token_type: "Bearer",
    expires_in: 3600,
    scope: "m2m",
  }),
  "/m2m/v1/session/login": () => ({ sessionToken: "hardening-session-token" }),
  "/m2m/v1/devices/actions/activate": () => ({ requestId: "request-1" }),
  "/m2m/v1/devices/actions/goToState": () => ({ requestId: "request-2" }),
  "/m2m/v1/devices/actions/add": () => [],
  "/m2m/v1/devices/actions/list": () => ({ hasMoreData: false, devices: [] }),
};

/** A client whose fetch records what reaches it; `operations()` lists what is not token or login. */
export function recordingClient(options: Partial<ThingSpaceCommonOptions> = {}): {
  client: ThingSpaceClient;
  sent: SentRequest[];
  operations: () => SentRequest[];
} {
  const sent: SentRequest[] = [];
  const client = createThingSpaceClient({
    baseUrl: "https://thingspace.test/api",
    credentials: {
      clientId: "client-id",
      clientSecret: "client-secret",
      username: "m2m-user",
      password: "m2m-password",
    },
    fetch: async (request) => {
      const path = new URL(request.url).pathname.replace(/^\/api/, "");
      sent.push({ method: request.method, path, body: await request.text() });
      const answer = answers[path] ?? (() => ({ accountName: "0868924207-00001", name: "CarrierService" }));
      return Response.json(answer());
    },
    ...options,
  });
  const operations = () => sent.filter((r) => !r.path.startsWith("/ts/") && !r.path.endsWith("/session/login"));
  return { client, sent, operations };
}

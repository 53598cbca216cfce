/**
 * A ThingSpace stand-in for msw: OAuth, login/logout, the device actions and callbacks, with
 * every request recorded and the next answers of any path overridable. Sessions can be
 * expired on demand to pin the client's re-login.
 */
import { http, HttpResponse, type HttpHandler } from "msw";

export const testBaseUrl = "https://thingspace.test/api";
export const m2m = `${testBaseUrl}/m2m/v1`;

/** Distinctive values, so a test can search any text for them. */
export const testCredentials = {
  clientId: "client-id-4f1c",
  clientSecret: "client-secret-9Xq27",
  username: "m2m-user-7731",
  password: "m2m-password-Zk48",
};

export interface RecordedRequest {
  method: string;
  /** The route, relative to the M2M root: `/callbacks/:accountName`. */
  path: string;
  /** The real path, relative to the M2M root: `/callbacks/0868924207-00001`. */
  realPath: string;
  body: unknown;
  authorization: string | null;
  session: string | null;
  contentType: string | null;
}

/** Answers a request itself, or returns undefined to let the default answer it. */
export type Answer = (request: RecordedRequest) => Response | undefined | Promise<Response | undefined>;

export class MockThingSpace {
  readonly requests: RecordedRequest[] = [];
  readonly validSessions = new Set<string>();
  readonly validAccessTokens = new Set<string>();
  /** Answers used before the defaults, by path (`/devices/actions/activate`), first in first out. */
  readonly next = new Map<string, Answer[]>();
  tokenExpiresIn = 3600;
  #issued = 0;

  /** Requests to the route `path` (relative to the M2M root, or `/oauth2/token`). */
  calls(path: string): RecordedRequest[] {
    return this.requests.filter((r) => r.path === path);
  }

  /** Queues `answers` for the next requests to the route `path`. */
  answerNext(path: string, ...answers: Answer[]): void {
    this.next.set(path, [...(this.next.get(path) ?? []), ...answers]);
  }

  /** Every session ThingSpace issued so far now answers `SessionToken.Expired`. */
  expireSessions(): void {
    this.validSessions.clear();
  }

  handlers(): HttpHandler[] {
    const route = (method: "post" | "put" | "get" | "delete", path: string, fallback: Answer): HttpHandler =>
      http[method](`${path.startsWith("/oauth2") ? `${testBaseUrl}/ts/v1` : m2m}${path}`, async ({ request }) => {
        const recorded = await this.#record(request, path);
        for (const answer of [...this.#take(path), fallback]) {
          const response = await answer(recorded);
          if (response) return response;
        }
        return HttpResponse.json(
          { errorCode: "REQUEST_FAILED.UnexpectedError", errorMessage: "no answer" },
          { status: 500 },
        );
      });
    return [
      route("post", "/oauth2/token", () => {
        const token = `access-token-${++this.#issued}`;
        this.validAccessTokens.add(token);
        return HttpResponse.json({
          access_token: token,
          token_type: "Bearer",
          expires_in: this.tokenExpiresIn,
          scope: "m2m",
        });
      }),
      route("post", "/session/login", (r) => {
        if (!this.#bearerOk(r))
          return HttpResponse.json({ errorCode: "UNAUTHORIZED", errorMessage: "bad bearer" }, { status: 401 });
        const token = `session-token-${++this.#issued}`;
        this.validSessions.add(token);
        return HttpResponse.json({ sessionToken: token });
      }),
      route("post", "/session/logout", (r) => this.#guard(r) ?? HttpResponse.json({ sessionToken: r.session })),
      route(
        "post",
        "/devices/actions/activate",
        (r) => this.#guard(r) ?? HttpResponse.json({ requestId: `request-${this.requests.length}` }),
      ),
      route(
        "put",
        "/devices/actions/goToState",
        (r) => this.#guard(r) ?? HttpResponse.json({ requestId: `request-${this.requests.length}` }),
      ),
      route("post", "/devices/actions/add", (r) => {
        const devices = (r.body as { devicesToAdd: { deviceIds: unknown }[] }).devicesToAdd;
        return (
          this.#guard(r) ?? HttpResponse.json(devices.map((d) => ({ deviceIds: d.deviceIds, response: "Success" })))
        );
      }),
      route(
        "post",
        "/callbacks/:accountName",
        (r) =>
          this.#guard(r) ??
          HttpResponse.json({ accountName: accountOf(r.realPath), serviceName: (r.body as { name: string }).name }),
      ),
      route("get", "/callbacks/:accountName", (r) => this.#guard(r) ?? HttpResponse.json([])),
      route(
        "delete",
        "/callbacks/:accountName/name/:serviceName",
        (r) =>
          this.#guard(r) ??
          HttpResponse.json({ accountName: accountOf(r.realPath), serviceName: r.realPath.split("/").pop() }),
      ),
    ];
  }

  #take(path: string): Answer[] {
    const queue = this.next.get(path);
    const answer = queue?.shift();
    return answer ? [answer] : [];
  }

  #bearerOk(r: RecordedRequest): boolean {
    return this.validAccessTokens.has(r.authorization?.replace(/^Bearer /, "") ?? "");
  }

  // ThingSpace's answers to a missing or stale token.
  #guard(r: RecordedRequest): Response | undefined {
    if (!this.#bearerOk(r))
      return HttpResponse.json({ errorCode: "UNAUTHORIZED", errorMessage: "Invalid access token" }, { status: 401 });
    if (!this.validSessions.has(r.session ?? "")) {
      return HttpResponse.json(
        { errorCode: "REQUEST_FAILED.SessionToken.Expired", errorMessage: "Session token expired" },
        { status: 400 },
      );
    }
    return undefined;
  }

  async #record(request: Request, schemaPath: string): Promise<RecordedRequest> {
    const text = await request.text();
    const contentType = request.headers.get("Content-Type");
    let body: unknown = text;
    if (contentType?.includes("json") && text) body = JSON.parse(text);
    const recorded = {
      method: request.method,
      path: schemaPath,
      realPath: new URL(request.url).pathname.replace(/^.*\/(m2m|ts)\/v1/, ""),
      body,
      authorization: request.headers.get("Authorization"),
      session: request.headers.get("VZ-M2M-Token"),
      contentType,
    };
    this.requests.push(recorded);
    return recorded;
  }
}

function accountOf(path: string): string {
  return decodeURIComponent(path.split("/")[2] ?? "");
}

/** ThingSpace's error body. */
export function thingSpaceError(
  status: number,
  errorCode: string,
  errorMessage = "refused",
  headers?: HeadersInit,
): Response {
  return HttpResponse.json({ errorCode, errorMessage }, { status, headers });
}

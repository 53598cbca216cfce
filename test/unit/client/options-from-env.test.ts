import { describe, expect, it } from "vitest";
import {
  clientOptionsFromEnv,
  ConfigurationError,
  createThingSpaceClient,
  defaultBaseUrl,
} from "../../../src/client/index.js";

const complete = {
  THINGSPACE_CLIENT_ID: "app-key",
  THINGSPACE_CLIENT_SECRET: "app-secret-Qw81",
  THINGSPACE_USERNAME: "uws-user",
  THINGSPACE_PASSWORD: "uws-password-Zk48",
  THINGSPACE_ACCOUNT_NAME: "0868924207-00001",
};

describe("clientOptionsFromEnv", () => {
  it("reads the credentials and the account; without THINGSPACE_BASE_URL the client's default applies", () => {
    expect(clientOptionsFromEnv({ ...complete, UNRELATED: "x" })).toEqual({
      credentials: {
        clientId: "app-key",
        clientSecret: "app-secret-Qw81",
        username: "uws-user",
        password: "uws-password-Zk48",
      },
      accountName: "0868924207-00001",
    });
  });

  it("takes THINGSPACE_BASE_URL when set", () => {
    const options = clientOptionsFromEnv({ ...complete, THINGSPACE_BASE_URL: "http://127.0.0.1:4010/api" });
    expect(options.baseUrl).toBe("http://127.0.0.1:4010/api");
  });

  it("names every missing variable at once (an empty value counts as missing), in one ConfigurationError", () => {
    const error = (() => {
      try {
        clientOptionsFromEnv({ THINGSPACE_CLIENT_ID: "app-key", THINGSPACE_PASSWORD: "" });
      } catch (caught) {
        return caught;
      }
    })();
    expect(error).toBeInstanceOf(ConfigurationError);
    expect((error as ConfigurationError).problems).toEqual([
      "THINGSPACE_CLIENT_SECRET is not set: the application's OAuth secret, from the ThingSpace portal",
      "THINGSPACE_USERNAME is not set: the M2M (UWS) user's name",
      "THINGSPACE_PASSWORD is not set: the M2M (UWS) user's password",
      "THINGSPACE_ACCOUNT_NAME is not set: the billing account, e.g. 0868924207-00001",
    ]);
    expect((error as Error).message).toBe(
      "The ThingSpace client cannot be configured from the environment (4 problems):\n" +
        "- THINGSPACE_CLIENT_SECRET is not set: the application's OAuth secret, from the ThingSpace portal\n" +
        "- THINGSPACE_USERNAME is not set: the M2M (UWS) user's name\n" +
        "- THINGSPACE_PASSWORD is not set: the M2M (UWS) user's password\n" +
        "- THINGSPACE_ACCOUNT_NAME is not set: the billing account, e.g. 0868924207-00001",
    );
  });

  it("refuses a THINGSPACE_BASE_URL that is not an http(s) URL, without repeating the value", () => {
    for (const baseUrl of ["thingspace.verizon.com/api", "ftp://user:hunter2-secret@host/api"]) {
      const error = (() => {
        try {
          clientOptionsFromEnv({ ...complete, THINGSPACE_BASE_URL: baseUrl });
        } catch (caught) {
          return caught as ConfigurationError;
        }
      })();
      expect(error?.problems).toEqual([
        `THINGSPACE_BASE_URL must be an http:// or https:// URL such as ${defaultBaseUrl}, or unset`,
      ]);
      expect(JSON.stringify(error)).not.toContain("hunter2");
    }
  });

  it("gives options createThingSpaceClient takes as they are", async () => {
    const urls: string[] = [];
    const client = createThingSpaceClient({
      ...clientOptionsFromEnv({ ...complete, THINGSPACE_BASE_URL: "https://thingspace.test/api" }),
      fetch: async (request) => {
        urls.push(request.url);
        if (request.url.endsWith("/oauth2/token")) return Response.json({ access_token: "a", expires_in: 3600 });
        if (request.url.endsWith("/session/login")) return Response.json({ sessionToken: "s" });
        return Response.json([]);
      },
    });
    await expect(client.listCallbacks()).resolves.toEqual([]);
    expect(urls).toEqual([
      "https://thingspace.test/api/ts/v1/oauth2/token",
      "https://thingspace.test/api/m2m/v1/session/login",
      "https://thingspace.test/api/m2m/v1/callbacks/0868924207-00001",
    ]);
  });
});

/** A callback request as ThingSpace sends it: a spec example carrying the registered pair. */
import { specExample } from "../../support/spec-document.js";

/** The pair registered for the listener URL. */
export const credentials = { username: "listener", password: "a-long-random-secret" };

/** A POST of the spec example `name`, with `credentials` in its body. */
export function signedCallback(name: string): Request {
  return new Request("https://listener.example/thingspace", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ ...specExample<object>(name), ...credentials }),
  });
}

// Runs the code blocks of the "Receiving callbacks" section exactly as written, with the
// package's import specifiers pointed at the sources, so the documentation cannot drift from what
// runs.
import { afterAll, afterEach, describe, expect, it, vi } from "vitest";
import { readmeBlocks, readmeModules } from "../../support/readme-blocks.js";
import { specExample } from "../../support/spec-document.js";

const blocks = readmeBlocks("## Receiving callbacks");
const modules = readmeModules(blocks);
const load = (index: number) => modules.load(index);
afterAll(() => modules.remove());

const logs = () =>
  (console.log as unknown as ReturnType<typeof vi.fn>).mock.calls.map((args) => args.map(String).join(" "));
afterEach(() => vi.restoreAllMocks());

describe("README: Receiving callbacks", () => {
  it("has the three examples this test runs", () => {
    expect(blocks).toHaveLength(3);
  });

  it("node:http listener fed by the client's batches: every device reports once", async () => {
    vi.spyOn(console, "log").mockImplementation(() => undefined);
    await load(0);
    const lines = logs();
    expect(lines.filter((line) => line.startsWith("active: imei:"))).toHaveLength(5);
    expect(lines).toContain("every device reported ");
    expect(lines).toContain(
      [
        "990013907835573 succeeded",
        "990013907835581 succeeded",
        "990013907835599 succeeded",
        "990013907835607 succeeded",
        "990013907835615 succeeded",
      ].join(","),
    );
  });

  it("fetch-style export default { fetch }: handles the goToState example, refuses a wrong password", async () => {
    vi.spyOn(console, "log").mockImplementation(() => undefined);
    const { default: server } = await load(1);
    const send = (password: string) =>
      server.fetch(
        new Request("http://127.0.0.1/thingspace/state", {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({
            ...specExample<object>("StateServiceGoToStateSucceeded"),
            username: "listener",
            password,
          }),
        }),
      ) as Promise<Response>;
    const accepted = await send("a-long-random-secret");
    expect([accepted.status, await accepted.json()]).toEqual([
      200,
      { status: "handled", kind: "goToStateSucceeded", requestId: "595f5c44-c31c-4552-8670-020a1545a84d" },
    ]);
    expect(logs()).toEqual(["imei:16-digit IMEI is now new active"]);
    expect((await send("guess")).status).toBe(401);
  });

  it("parseCallback: a typed failure and the violations of an invalid body", async () => {
    vi.spyOn(console, "log").mockImplementation(() => undefined);
    await load(2);
    expect(logs()).toEqual([
      "imei:990013907884259 REQUEST_FAILED.DeviceNotFound",
      "/requestId minLength,/deviceIds required,/deviceResponse required,/faultResponse required, oneOf",
    ]);
  });
});

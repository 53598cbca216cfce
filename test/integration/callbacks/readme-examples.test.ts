// Runs the code blocks of the "Receiving callbacks" section exactly as written, with the
// package's import specifiers pointed at the sources, so the documentation cannot drift from what
// runs.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { afterAll, afterEach, describe, expect, it, vi } from "vitest";
import { specExample } from "../../support/spec-document.js";

function section(): string {
  const root = readFileSync(new URL("../../../README.md", import.meta.url), "utf8");
  const start = root.indexOf("## Receiving callbacks");
  if (start < 0) throw new Error('README.md has no "## Receiving callbacks" section');
  const end = root.indexOf("\n## ", start + 1);
  return root.slice(start, end < 0 ? undefined : end);
}
const readme = section();
const blocks = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((match) => match[1]!);
const source = (path: string) => fileURLToPath(new URL(`../../../src/${path}`, import.meta.url));
const specifiers: Record<string, string> = {
  "thingspace-m2m/callbacks": source("callbacks/index.js"),
  "thingspace-m2m/simulator": source("simulator/index.js"),
  "thingspace-m2m": source("index.js"),
};
const directory = mkdtempSync(join(tmpdir(), "callbacks-readme-"));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

/** Writes block `index` as a module with its imports rewritten, and imports it. */
async function load(index: number): Promise<Record<string, any>> {
  const code = blocks[index]!.replace(
    /from "(thingspace-m2m[^"]*)"/g,
    (_, name: string) => `from ${JSON.stringify(specifiers[name])}`,
  );
  const file = join(directory, `block-${index}.ts`);
  writeFileSync(file, code);
  return import(pathToFileURL(file).href);
}

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

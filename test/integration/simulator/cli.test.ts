import { describe, expect, it } from "vitest";
import { spawnSimulatorCli, startSimulatorCli } from "../../support/simulator-cli.js";

describe("npm run simulator (cli)", () => {
  it("prints its base URL, serves the API on loopback and exits 0 on SIGTERM", async () => {
    const { url, stop } = await startSimulatorCli();
    const token = await fetch(`${url}/ts/v1/oauth2/token`, {
      method: "POST",
      headers: {
        authorization: `Basic ${Buffer.from("a:b").toString("base64")}`,
        "content-type": "application/x-www-form-urlencoded",
      },
      body: "grant_type=client_credentials",
    });
    expect(token.status).toBe(200);
    expect(await stop()).toEqual([0, null]);
  });

  it("refuses a port that is not a number, exiting 2 with the usage", async () => {
    const { exited, output } = spawnSimulatorCli("--port", "http");
    expect(await exited).toEqual([2, null]);
    expect(output().stderr).toContain(
      "--port must be a whole number from 0 to 65535 (got http).\nUsage: npm run simulator",
    );
  });
});

import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { spawnSimulatorCli, startSimulatorCli } from "../../support/simulator-cli.js";

const tokenRequest = (clientId: string, secret: string): RequestInit => ({
  method: "POST",
  headers: {
    authorization: `Basic ${Buffer.from(`${clientId}:${secret}`).toString("base64")}`,
    "content-type": "application/x-www-form-urlencoded",
  },
  body: "grant_type=client_credentials",
});

/** An access token from the simulator at `url`; throws when refused. */
async function accessToken(url: string, clientId: string, secret: string): Promise<string> {
  const response = await fetch(`${url}/ts/v1/oauth2/token`, tokenRequest(clientId, secret));
  if (!response.ok) throw new Error(`token refused: ${response.status}`);
  return ((await response.json()) as { access_token: string }).access_token;
}

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

  it("with --user, refuses a wrong password and lets the right one log in, printing no password", async () => {
    const { url, output, stop } = await startSimulatorCli(
      "--user",
      "alice:right-password",
      "--user",
      "bob:with:colons",
    );
    const logIn = (username: string, password: string) =>
      fetch(`${url}/m2m/v1/session/login`, {
        method: "POST",
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        body: JSON.stringify({ username, password }),
      });
    const token = await accessToken(url, "any-client", "any-secret");

    const wrong = await logIn("alice", "wrong-password");
    expect(wrong.status).toBe(400);
    expect(await wrong.json()).toEqual({
      errorCode: "REQUEST_FAILED.Login.Failed",
      errorMessage: "Invalid username or password.",
    });
    const unknown = await logIn("mallory", "right-password");
    expect(unknown.status).toBe(400);
    const right = await logIn("alice", "right-password");
    expect(right.status).toBe(200);
    expect(await right.json()).toEqual({ sessionToken: expect.stringMatching(/^[0-9a-f]{32}$/) });
    const colons = await logIn("bob", "with:colons");
    expect(colons.status).toBe(200);

    expect(await stop()).toEqual([0, null]);
    const { stdout, stderr } = output();
    expect(stdout).toContain(`  M2M API:     ${url}/m2m/v1/... (users alice, bob; accounts`);
    expect(stdout + stderr).not.toMatch(/right-password|with:colons/);
  });

  it("with --client, gives a token to that client's secret only, printing no secret", async () => {
    const { url, output, stop } = await startSimulatorCli("--client", "app:app-secret");
    const refused = await fetch(`${url}/ts/v1/oauth2/token`, tokenRequest("app", "not-the-secret"));
    expect(refused.status).toBe(401);
    expect(((await refused.json()) as { error: string }).error).toBe("invalid_client");
    await expect(accessToken(url, "app", "app-secret")).resolves.toMatch(/./);
    expect(await stop()).toEqual([0, null]);
    expect(output().stdout).toContain(`  OAuth token: POST ${url}/ts/v1/oauth2/token (clients app)\n`);
    expect(output().stdout).not.toContain("app-secret");
  });

  it.each([
    ["--user", "s3cret-only", "--user must be name:password, both non-empty", "s3cret-only"],
    ["--user", "alice:", "--user must be name:password, both non-empty", "alice"],
    ["--user", ":s3cret-only", "--user must be name:password, both non-empty", "s3cret-only"],
    ["--client", "s3cret-only", "--client must be id:secret, both non-empty", "s3cret-only"],
  ])("refuses %s %s, exiting 2 without repeating the value", async (option, value, message, unsaid) => {
    const { exited, output } = spawnSimulatorCli(option, value);
    expect(await exited).toEqual([2, null]);
    expect(output().stderr).toContain(`${message} (the value given is not shown: it may hold a `);
    expect(output().stderr).not.toContain(unsaid);
  });

  it("refuses the same user given twice", async () => {
    const { exited, output } = spawnSimulatorCli("--user", "alice:one", "--user", "alice:two");
    expect(await exited).toEqual([2, null]);
    expect(output().stderr).toMatch(/^--user alice is given twice\.\nUsage: npm run simulator/);
  });

  it("starts as each command of the README's Run it block says", async () => {
    const readme = readFileSync(new URL("../../../README.md", import.meta.url), "utf8");
    const block = /### Run it\n\n```sh\n([\s\S]*?)```/.exec(readme)![1]!;
    const commands = block
      .trim()
      .split("\n")
      .map((line) => line.replace(/\s+#.*$/, ""));
    expect(commands).toHaveLength(4);
    const accepted: string[] = [];
    for (const command of commands) {
      const match = /^(?:THINGSPACE_SIMULATOR_PORT=\d+ )?npm run simulator(?: -- (.*))?$/.exec(command);
      expect(match, command).not.toBeNull();
      // Any free port, whatever the line asks, so that the test never meets a simulator already running.
      const args = (match![1] ?? "")
        .replace(/--port \d+/, "")
        .split(" ")
        .filter(Boolean);
      const { output, stop } = await startSimulatorCli(...args);
      expect(await stop()).toEqual([0, null]);
      const [, oauthLine, m2mLine] = output().stdout.split("\n");
      accepted.push(`${/\((.*)\)$/.exec(oauthLine!)![1]} / ${/\(([^;]*);/.exec(m2mLine!)![1]}`);
    }
    expect(accepted).toEqual([
      "any client id and secret / any username and password",
      "any client id and secret / any username and password",
      "any client id and secret / any username and password",
      "clients app / users alice, bob",
    ]);
  });

  it("refuses a port that is not a number, exiting 2 with the usage", async () => {
    const { exited, output } = spawnSimulatorCli("--port", "http");
    expect(await exited).toEqual([2, null]);
    expect(output().stderr).toContain(
      "--port must be a whole number from 0 to 65535 (got http).\nUsage: npm run simulator",
    );
  });
});

// The README's simulator examples, as written there (imports point at the sources instead of
// the package's subpaths), so the documentation cannot drift from what runs.
import { setupServer } from "msw/node";
import { describe, expect, it } from "vitest";
import { createThingSpaceClient } from "../../../src/client/index.js";
import { createSimulator } from "../../../src/simulator/simulator.js";
import { simulatorHandlers } from "../../../src/simulator/msw.js";
import { startSimulatorServer } from "../../../src/simulator/server.js";

describe("README: Simulator", () => {
  it("From code: a client against startSimulatorServer", async () => {
    const server = await startSimulatorServer({ port: 0 }); // 0: any free port, on 127.0.0.1
    const client = createThingSpaceClient({
      baseUrl: server.url, // http://127.0.0.1:<port>/api
      credentials: { clientId: "any", clientSecret: "any", username: "any", password: "any" },
    });
    const [added] = await client.addDevices({
      state: "preactive",
      devicesToAdd: [{ deviceIds: [{ kind: "imei", id: "990013907835573" }] }],
    });
    expect(added?.response).toBe("Success");
    expect(server.simulator.devices("TestAccount-1")[0]?.state).toBe("PRE-ACTIVE");
    await server.close();
  });

  it("In your tests, with msw: callbacks through an injected fetch", async () => {
    const callbacks: Array<Record<string, unknown>> = [];
    const simulator = createSimulator({
      callbackDelayMs: 0,
      fetch: async (_url, init) => {
        callbacks.push(JSON.parse(String(init.body)));
        return new Response(null, { status: 200 });
      },
    });
    const server = setupServer(...simulatorHandlers(simulator));
    server.listen();

    const client = createThingSpaceClient({
      accountName: "TestAccount-1",
      credentials: { clientId: "id", clientSecret: "secret", username: "user", password: "pass" },
    });
    await client.registerCallback({
      name: "CarrierService",
      url: "https://listener.example/thingspace",
      username: "listener",
      password: "a-long-random-secret",
    });
    const { requestId } = await client.activateDevices({
      accountName: "TestAccount-1",
      servicePlan: "M2MPlan",
      mdnZipCode: "98801",
      devices: [{ deviceIds: [{ kind: "imei", id: "990013907835573" }] }],
    });
    await simulator.idle(); // every callback acknowledged (or given up)
    expect([callbacks[0]?.requestId === requestId, callbacks[0]?.status]).toEqual([true, "Success"]);

    server.close();
    simulator.close();
  });
});

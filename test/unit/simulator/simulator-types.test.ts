import { describe, expect, expectTypeOf, it } from "vitest";
import * as simulatorModule from "../../../src/simulator/index.js";
import {
  createSimulator,
  type SimulatedDevice,
  type Simulator,
  type SimulatorServer,
} from "../../../src/simulator/index.js";

describe("thingspace-m2m/simulator exports", () => {
  it("exports the factory, the server, the defaults, the states, the error codes and the example devices (msw handlers live apart)", () => {
    expect(Object.keys(simulatorModule).sort()).toEqual([
      "activeState",
      "createSimulator",
      "exampleDevice",
      "exampleDeviceStream",
      "exampleDevices",
      "preActiveState",
      "simulatorDefaults",
      "simulatorErrorCodes",
      "startSimulatorServer",
    ]);
  });

  it("types the core and its controls", () => {
    const simulator = createSimulator();
    expectTypeOf(simulator).toEqualTypeOf<Simulator>();
    expectTypeOf(simulator.handle).toEqualTypeOf<(request: Request) => Promise<Response>>();
    expectTypeOf(simulator.devices()).toEqualTypeOf<SimulatedDevice[]>();
    expectTypeOf<SimulatorServer["url"]>().toEqualTypeOf<string>();
    simulator.setFaults({ resetConnection: { operation: ["activateDevices", "goToState"], afterEffect: true } });
    expect(simulator.faults().resetConnection).toEqual({
      operation: ["activateDevices", "goToState"],
      afterEffect: true,
    });
    // Misuses the compiler must refuse (checked by tsc, never run).
    const misuses = () => {
      // @ts-expect-error: operations are the spec's operationIds
      simulator.setFaults({ resetConnection: { operation: "activate" } });
      // @ts-expect-error: the token endpoint fails with 401, 500 or 503 only
      simulator.setFaults({ oauthFailure: { status: 404 } });
      // @ts-expect-error: a device fault is a faultResponse, not a string
      simulator.setFaults({ deviceFault: () => "REQUEST_FAILED.UnexpectedError" });
    };
    expectTypeOf(misuses).returns.toEqualTypeOf<void>();
    simulator.close();
  });
});

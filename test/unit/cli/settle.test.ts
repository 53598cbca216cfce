import { describe, expect, it } from "vitest";
import { aimOf } from "../../../src/cli/settle.js";

describe("what a resumed run looks for in its unanswered chunks", () => {
  it("an add: that the device exists", () => {
    expect(aimOf("addDevices", { devicesToAdd: [] })).toEqual({ exists: true });
  });

  it("a goToState: the state its body names, whether from --state-name or a template", () => {
    expect(aimOf("goToState", { serviceName: "svc", stateName: "Ready" })).toEqual({ expectedState: "Ready" });
  });

  it("an activate: in service (no state named)", () => {
    expect(aimOf("activateDevices", { servicePlan: "m2m4g", stateName: "ignored" })).toEqual({});
  });
});

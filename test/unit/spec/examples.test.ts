import { describe, expect, it } from "vitest";
import { requestBodyExamples, specExample, validatorFor } from "../../support/spec-document.js";

const rows = requestBodyExamples();

describe("the spec's named examples", () => {
  it("cover every request and callback example of the three pages, the lookups' examples and a callback registration", () => {
    expect(rows.map((row) => `${row.operationId}:${row.example}`).sort()).toEqual([
      "activateDevices:ActivateDevicesBySku",
      "activateDevices:ActivateDevicesWithIpAddresses",
      "addDevices:AddDevicesTwo4GDevices",
      "goToState:GoToStateBusinessInternet",
      "goToState:GoToStateByFilter",
      "goToState:GoToStateTwoDevices",
      "listDevices:ListDevicesByIdentifierPattern",
      "listDevices:ListDevicesNextPage",
      "listDevices:ListDevicesOneDevice",
      "receiveCarrierServiceCallback:CarrierServiceActivateFailed",
      "receiveCarrierServiceCallback:CarrierServiceActivateSucceeded",
      "receiveNiddServiceCallback:NiddServiceConfigCreated",
      "receiveNiddServiceCallback:NiddServiceConfigFailed",
      "receiveStateServiceCallback:StateServiceGoToStateSucceeded",
      "registerCallback:RegisterCallbackCarrierService",
    ]);
  });

  it.each(rows)("$example passes the generated validator of $schema", ({ example, schema }) => {
    const validate = validatorFor(schema);
    const valid = validate(specExample(example));
    expect(validate.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
  });

  it.each([
    ["CarrierServiceActivateSucceeded", "ActivateSucceededCallback"],
    ["CarrierServiceActivateFailed", "DeviceFailedCallback"],
    ["NiddServiceConfigCreated", "NiddConfigCreatedCallback"],
    ["NiddServiceConfigFailed", "NiddConfigFailedCallback"],
    ["StateServiceGoToStateSucceeded", "GoToStateSucceededCallback"],
  ])("callback example %s is a %s and no other variant", (example, variant) => {
    const matching = [
      "ActivateSucceededCallback",
      "DeviceFailedCallback",
      "NiddConfigCreatedCallback",
      "NiddConfigFailedCallback",
      "GoToStateSucceededCallback",
    ].filter((name) => validatorFor(name)(specExample(example)));
    expect(matching).toEqual([variant]);
  });
});

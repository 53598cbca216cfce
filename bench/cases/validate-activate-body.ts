/** #3: validating a 10,000-device activate body, against JSON.stringify of the same body. */
import { validateActivateDevicesRequest } from "../../generated/validators.js";
import type { BenchCase } from "../case.js";
import { compare, formatMs } from "../harness.js";
import { exampleDevices } from "../../src/devices/example-devices.js";

export const validateActivateBody: BenchCase = {
  id: 3,
  async run() {
    const body = { devices: exampleDevices(10_000), accountName: "0868924207-00001", servicePlan: "plan", mdnZipCode: "98801" };
    if (!validateActivateDevicesRequest(body)) throw new Error("benchmark body is invalid");
    const result = await compare(
      () => JSON.stringify(body),
      () => validateActivateDevicesRequest(body),
      { rounds: 5, msPerRound: 400 },
    );
    return {
      id: 3,
      what: "validating a 10,000-device activate body",
      baseline: "`JSON.stringify` of that body",
      target: "≤ 0.5×",
      figures: [
        `${result.ratio.toFixed(2)}× JSON.stringify`,
        `validate ${formatMs(result.subject.mean)}, stringify ${formatMs(result.baseline.mean)} per body`,
      ],
      met: result.ratio <= 0.5,
    };
  },
};

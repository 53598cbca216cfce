/** Every benchmark, in the order of issue #6's table. */
import type { BenchCase } from "../case.js";
import { activateDevicesOverhead } from "./activate-devices-overhead.js";
import { batchMillionDevices } from "./batch-million-devices.js";
import { callbackReceiverLoad } from "./callback-receiver-load.js";
import { callbackReceiverStores } from "./callback-receiver-stores.js";
import { packageSize } from "./package-size.js";
import { parseCallbackExamples } from "./parse-callback-examples.js";
import { provisioningCommand } from "./provisioning-command.js";
import { runtimeCompilation } from "./runtime-compilation.js";
import { validateActivateBody } from "./validate-activate-body.js";

export const allCases: BenchCase[] = [
  parseCallbackExamples,
  runtimeCompilation,
  validateActivateBody,
  activateDevicesOverhead,
  callbackReceiverLoad,
  batchMillionDevices,
  packageSize,
  callbackReceiverStores,
  provisioningCommand,
];

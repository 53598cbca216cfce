import type { components } from "../../generated/openapi-types.js";
import type { ClientContext } from "./client-context.js";
import type { Operations } from "./operations.js";
import type { ThingSpaceClient } from "./thing-space-client.js";
import { runBatch } from "./batching/run-batch.js";
import { maxActivateDevices, maxAddDevices, maxGoToStateDevices } from "./spec-limits.js";

type Schemas = components["schemas"];

/** The batch methods of {@link ThingSpaceClient}. */
export type BatchOperations = Pick<ThingSpaceClient, "activateDevicesInBatches" | "goToStateInBatches" | "addDevicesInBatches">;

const requestIdOf = (response: Schemas["RequestIdResponse"]): string => response.requestId;

/**
 * Builds the batch methods: each chunk is one call of the single-call method (so it is
 * validated, paced, authenticated and replayed after a session expiry like any call).
 */
export function createBatchOperations(ctx: ClientContext, operations: Operations): BatchOperations {
  const { logger } = ctx;
  return {
    activateDevicesInBatches(devices, request, options) {
      const sender = {
        operation: "activateDevices",
        maxChunkSize: maxActivateDevices,
        send: (chunk: Schemas["DeviceWithIpAddress"][], signal: AbortSignal | undefined) =>
          operations.activateDevices({ ...request, devices: chunk }, { signal }),
        requestIdOf,
        logger,
      };
      return runBatch(sender, devices, options);
    },
    goToStateInBatches(devices, request, options) {
      const sender = {
        operation: "goToState",
        maxChunkSize: maxGoToStateDevices,
        send: (chunk: Schemas["DeviceWithIpAddress"][], signal: AbortSignal | undefined) =>
          operations.goToState({ ...request, devices: chunk }, { signal }),
        requestIdOf,
        logger,
      };
      return runBatch(sender, devices, options);
    },
    addDevicesInBatches(devices, request, options) {
      const sender = {
        operation: "addDevices",
        maxChunkSize: maxAddDevices,
        send: (chunk: Schemas["DeviceToAdd"][], signal: AbortSignal | undefined) =>
          operations.addDevices({ ...request, devicesToAdd: chunk }, { signal }),
        requestIdOf: () => undefined,
        logger,
      };
      return runBatch(sender, devices, options);
    },
  };
}

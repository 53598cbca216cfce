import type { components } from "../../generated/openapi-types.js";
import type { ClientContext } from "./client-context.js";
import type { Operations } from "./operations.js";
import type { ActivateDevice, AddDevice, GoToStateDevice, ThingSpaceClient } from "./thing-space-client.js";
import { runBatch, type BatchSender } from "./batching/run-batch.js";
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
  const sender = <Device, Response>(
    operation: string,
    maxChunkSize: number,
    send: BatchSender<Device, Response>["send"],
    idOf: (response: Response) => string | undefined,
  ): BatchSender<Device, Response> => ({ operation, maxChunkSize, send, requestIdOf: idOf, logger: ctx.logger });
  return {
    activateDevicesInBatches(devices, request, options) {
      const send = (chunk: ActivateDevice[], signal?: AbortSignal) => operations.activateDevices({ ...request, devices: chunk }, { signal });
      return runBatch(sender("activateDevices", maxActivateDevices, send, requestIdOf), devices, options);
    },
    goToStateInBatches(devices, request, options) {
      const send = (chunk: GoToStateDevice[], signal?: AbortSignal) => operations.goToState({ ...request, devices: chunk }, { signal });
      return runBatch(sender("goToState", maxGoToStateDevices, send, requestIdOf), devices, options);
    },
    addDevicesInBatches(devices, request, options) {
      const send = (chunk: AddDevice[], signal?: AbortSignal) => operations.addDevices({ ...request, devicesToAdd: chunk }, { signal });
      return runBatch(sender("addDevices", maxAddDevices, send, () => undefined), devices, options);
    },
  };
}

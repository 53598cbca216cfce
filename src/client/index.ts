/**
 * The typed ThingSpace M2M client: the factory, its options and result types, its errors and
 * the batching types. `src/index.ts` re-exports this.
 */
export { createThingSpaceClient, defaultTimeoutMs } from "./create-thing-space-client.js";
export type {
  ThingSpaceClient,
  CallOptions,
  AccountCallOptions,
  ActivateDevice,
  GoToStateDevice,
  AddDevice,
  ActivateBatchRequest,
  GoToStateBatchRequest,
  AddBatchRequest,
} from "./thing-space-client.js";
export { defaultBaseUrl } from "./client-options.js";
export type {
  ThingSpaceClientOptions,
  ThingSpaceCommonOptions,
  ThingSpaceCredentials,
  ThingSpaceCredentialsAuth,
  ThingSpaceProviderAuth,
} from "./client-options.js";
export type { TokenProvider } from "./auth/provider-token-issuer.js";
export { refreshBeforeExpiryMs } from "./auth/create-authentication.js";
export { systemClock, type Clock } from "./clock.js";
export type { ThingSpaceLogger } from "./logger.js";
export type { PacingOptions } from "./pacing/rolling-window-pacer.js";
export type { RetryOptions } from "./transport/retry-policy.js";

export { ThingSpaceError } from "./errors/thing-space-error.js";
export { ThingSpaceApiError } from "./errors/thing-space-api-error.js";
export { AuthenticationError, type AuthenticationStage } from "./errors/authentication-error.js";
export { ValidationError } from "./errors/validation-error.js";
export { ConnectionError } from "./errors/connection-error.js";
export { OutcomeUnknownError, type OutcomeUnknownReason } from "./errors/outcome-unknown-error.js";
export { TimeoutError } from "./errors/timeout-error.js";
export { parseErrorCode, errorClasses, type ErrorClass, type ParsedErrorCode } from "./errors/parse-error-code.js";

export type {
  BatchChunk,
  BatchChunkStatus,
  BatchChunkSummary,
  BatchOptions,
  BatchProgress,
  BatchResult,
  DeviceSource,
} from "./batching/batch-types.js";
export { chunkFingerprint } from "./batching/chunk-fingerprint.js";
export { maxActivateDevices, maxGoToStateDevices, maxAddDevices } from "./spec-limits.js";

/**
 * The typed ThingSpace M2M client: the factory, its options and result types, its errors and
 * the batching types. `src/index.ts` re-exports this; nothing else in `src/client/` is public.
 */
export {
  createThingSpaceClient,
  type ThingSpaceClient,
  type CallOptions,
  type AccountCallOptions,
  type DeviceActionOptions,
  type ActivateDevice,
  type GoToStateDevice,
  type AddDevice,
  type ActivateBatchRequest,
  type GoToStateBatchRequest,
  type AddBatchRequest,
  type LookUpOptions,
  type RegisterCallbackRequest,
} from "./client.js";
export { callbackServiceNames, type AnyCallbackServiceName } from "../shared/callback-services.js";
export {
  effectOfFinding,
  type DeviceEffect,
  type DeviceLookupResult,
  type ListedDevice,
  type OutcomeCheck,
} from "./lookup.js";
export type { LookupFinding } from "../shared/lookup-finding.js";
export {
  defaultBaseUrl,
  defaultTimeoutMs,
  type ThingSpaceClientOptions,
  type ThingSpaceCommonOptions,
  type ThingSpaceCredentials,
  type ThingSpaceCredentialsAuth,
  type ThingSpaceProviderAuth,
  type RetryOptions,
  clientOptionsFromEnv,
  clientEnvironment,
  type ClientEnvironmentVariable,
  type ThingSpaceEnvironmentOptions,
} from "./options.js";
export { refreshBeforeExpiryMs, assumedAccessTokenLifetimeMs, type TokenProvider } from "./auth.js";
export { systemClock, type Clock } from "../shared/clock.js";
export type { ThingSpaceLogger } from "./log.js";
export type { PacingOptions } from "./pacer.js";

export {
  ThingSpaceError,
  ThingSpaceApiError,
  AuthenticationError,
  type AuthenticationStage,
  type RequestStage,
  ValidationError,
  ConnectionError,
  ConfigurationError,
  OutcomeUnknownError,
  type OutcomeUnknownReason,
  type CallTarget,
  TimeoutError,
  parseErrorCode,
  errorClasses,
  type ErrorClass,
  type ParsedErrorCode,
} from "./errors.js";

export {
  chunkFingerprint,
  type BatchChunk,
  type BatchChunkStatus,
  type BatchChunkSummary,
  type BatchOptions,
  type ChunkToSend,
  type BatchProgress,
  type BatchResult,
  type DeviceSource,
} from "./batching.js";
export {
  maxActivateDevices,
  maxGoToStateDevices,
  maxAddDevices,
  maxDevicesPerListPage,
  deviceIdKinds,
  batchDeviceFields,
} from "../shared/spec.js";
export { checkRequestBody } from "./operations.js";

import type { Client } from "openapi-fetch";
import type { components, paths } from "../../generated/openapi-types.js";
import type { ThingSpaceCredentials } from "./client-options.js";
import type { BatchOptions, BatchResult, DeviceSource } from "./batching/batch-types.js";

type Schemas = components["schemas"];

/** A device to activate (or move with goToState): its identifiers, and an IP address if any. */
export type ActivateDevice = Schemas["DeviceWithIpAddress"];
/** A device to move with goToState. */
export type GoToStateDevice = NonNullable<Schemas["GoToStateRequest"]["devices"]>[number];
/** A device to add. */
export type AddDevice = Schemas["DeviceToAdd"];

/** The activate body without its devices: what every chunk of a batch shares. */
export type ActivateBatchRequest = Omit<Schemas["ActivateDevicesRequest"], "devices">;
/** The goToState body without its devices (a batch lists devices; no filter). */
export type GoToStateBatchRequest = Omit<Schemas["GoToStateRequest"], "devices" | "filter" | "devicesWithServiceAddress">;
/** The add body without its devices. */
export type AddBatchRequest = Omit<Schemas["AddDevicesRequest"], "devicesToAdd">;

/** Options of a single call. */
export interface CallOptions {
  /** Aborts the call (waiting for a pacing slot, a token or the answer); it rejects with the signal's reason. */
  signal?: AbortSignal;
}

/** Options of a call on an account's resources. */
export interface AccountCallOptions extends CallOptions {
  /** The billing account (default: the client's `accountName` option). */
  accountName?: Schemas["AccountName"];
}

/**
 * The ThingSpace M2M client. Methods validate their body, send it with both tokens, and return
 * ThingSpace's answer or throw a typed error (all subclasses of `ThingSpaceError`).
 */
export interface ThingSpaceClient {
  /** Adds up to 200 devices in the PRE-ACTIVE state (POST /devices/actions/add); one result per device. */
  addDevices(body: Schemas["AddDevicesRequest"], options?: CallOptions): Promise<Schemas["AddDevicesResponse"]>;
  /** Activates up to 10,000 devices (POST /devices/actions/activate); results follow as CarrierService callbacks. */
  activateDevices(body: Schemas["ActivateDevicesRequest"], options?: CallOptions): Promise<Schemas["RequestIdResponse"]>;
  /** Moves devices to a customer-defined service and state (PUT /devices/actions/goToState). */
  goToState(body: Schemas["GoToStateRequest"], options?: CallOptions): Promise<Schemas["RequestIdResponse"]>;
  /** Registers the URL that receives a callback service's messages (POST /callbacks/{accountName}). */
  registerCallback(
    body: Schemas["RegisterCallbackRequest"],
    options?: AccountCallOptions,
  ): Promise<Schemas["CallbackRegistration"]>;
  /** Lists the account's callback registrations (GET /callbacks/{accountName}). */
  listCallbacks(options?: AccountCallOptions): Promise<Schemas["CallbackRegistrationList"]>;
  /** Removes a callback registration (DELETE /callbacks/{accountName}/name/{serviceName}). */
  deleteCallback(serviceName: Schemas["CallbackServiceName"], options?: AccountCallOptions): Promise<Schemas["CallbackDeletion"]>;
  /** Ends the M2M session, if there is one (POST /session/logout); the next call logs in again. */
  logout(options?: CallOptions): Promise<void>;

  /** Activates any number of devices in requests of at most 10,000, paced. */
  activateDevicesInBatches(
    devices: DeviceSource<ActivateDevice>,
    request: ActivateBatchRequest,
    options?: BatchOptions<ActivateDevice, Schemas["RequestIdResponse"]>,
  ): Promise<BatchResult>;
  /** Moves any number of devices with goToState in requests of at most 10,000. */
  goToStateInBatches(
    devices: DeviceSource<GoToStateDevice>,
    request: GoToStateBatchRequest,
    options?: BatchOptions<GoToStateDevice, Schemas["RequestIdResponse"]>,
  ): Promise<BatchResult>;
  /** Adds any number of devices in requests of at most 200; each chunk's `response` has one result per device. */
  addDevicesInBatches(
    devices: DeviceSource<AddDevice>,
    request: AddBatchRequest,
    options?: BatchOptions<AddDevice, Schemas["AddDevicesResponse"]>,
  ): Promise<BatchResult>;

  /**
   * After a failed login the client refuses to log in again (five failed logins lock the
   * account). Call this once the cause is fixed, with new credentials if they changed; the next
   * call then logs in. Also forgets the current tokens.
   */
  resetAuthentication(credentials?: Partial<ThingSpaceCredentials>): void;

  /** The openapi-fetch client underneath (`paths` from the spec), with the same auth, pacing and retries. */
  readonly raw: Client<paths>;
}

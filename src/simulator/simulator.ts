/** The simulator's public face: a fetch-style handler plus inspection and control for tests. */
import type { components } from "../../generated/openapi-types.js";
import type { DeliveryAttempt } from "./callback-delivery.js";
import type { CallbackResult } from "./callback-messages.js";
import type { SimulatedDevice } from "./device-store.js";
import type { SimulatorFaults } from "./fault-injector.js";
import type { SimulatorOperation } from "./simulator-operation.js";

type Schemas = components["schemas"];

/** A ThingSpace stand-in (see `createSimulator`). */
export interface Simulator {
  /** The path the API is served under (`/api`): the client's `baseUrl` is the origin plus this. */
  readonly basePath: string;
  /**
   * Serves one request, like ThingSpace. A `Response.error()` (type `"error"`) means "reset the
   * connection" (an injected fault): the node host destroys the socket, msw answers a network error.
   */
  handle(request: Request): Promise<Response>;

  /** Copies of the devices of one account, or of every account, in the order they were added. */
  devices(accountName?: string): SimulatedDevice[];
  /** A copy of the device with this identifier (kind in any case), if the account has it. */
  device(accountName: string, deviceId: { kind: string; id: string }): SimulatedDevice | undefined;
  /** The account's callback registrations (URLs, never credentials). */
  callbackRegistrations(accountName: string): Schemas["CallbackRegistration"][];
  /** Every callback delivery attempt so far, in order (without credentials). */
  deliveries(): DeliveryAttempt[];
  /** Results kept because no listener was registered for their service when they were produced. */
  undelivered(): CallbackResult[];
  /** Requests received for one operation, or for all (unrouted requests not counted). */
  calls(operation?: SimulatorOperation): number;

  /** Allows a user to log in; from then on only registered users can (the sandbox accepts anyone). */
  registerUser(username: string, password: string): void;
  /** Ends every session now: the next M2M call fails with `REQUEST_FAILED.SessionToken.Expired`. */
  expireSessions(): void;
  /** Invalidates every access token now: the next call is answered 401. */
  expireAccessTokens(): void;

  /** Merges faults into the current ones (`undefined` removes one). */
  setFaults(faults: SimulatorFaults): void;
  clearFaults(): void;
  /** The faults in force, counters as used so far. */
  faults(): Readonly<SimulatorFaults>;

  /** Sends kept results whose service now has a listener; returns how many were queued. */
  deliverPending(): number;
  /** Resolves once every queued callback is acknowledged or given up after `maxCallbackThreshold` sends. */
  idle(): Promise<void>;
  /** Stops callback delivery (in-flight ones are aborted); `handle` keeps answering. */
  close(): void;
}

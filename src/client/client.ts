/**
 * The ThingSpace M2M client: its interface, the factory that wires it once, and its methods.
 * Every method names its operation (a descriptor of operations.ts), validates its body, sends
 * it through openapi-fetch, whose one middleware is the request loop (transport.ts), and turns
 * an unsuccessful answer into the typed error for it.
 */
import type { ValidateFunction } from "ajv";
import createClient, { type Client } from "openapi-fetch";
import {
  validateActivateDevicesRequest,
  validateAddDevicesRequest,
  validateGoToStateRequest,
  validateListDevicesRequest,
  validateRegisterCallbackRequest,
} from "../../generated/validators.js";
import { serviceNameViolation } from "../shared/callback-service-near-miss.js";
import type { AnyCallbackServiceName } from "../shared/callback-services.js";
import {
  maxActivateDevices,
  maxAddDevices,
  maxGoToStateDevices,
  nextListCursor,
  type paths,
  type Schemas,
} from "../shared/spec.js";
import { createTokens } from "./auth.js";
import { runBatch, type BatchOptions, type BatchResult, type DeviceSource, type IdentifiedDevice } from "./batching.js";
import {
  AuthenticationError,
  ThingSpaceError,
  ValidationError,
  type OutcomeUnknownError,
  assertValidBody,
} from "./errors.js";
import { errorFromResponse, isSessionTokenCode } from "./refusals.js";
import {
  checkOutcome,
  lookUpDevices,
  type DeviceLookupResult,
  type ListAllPages,
  type OutcomeCheck,
} from "./lookup.js";
import { resolveOptions, type ThingSpaceClientOptions, type ThingSpaceCredentials } from "./options.js";
import { operations, type Operation } from "./operations.js";
import { ClientRequest, createTransport } from "./transport.js";

/** A device to activate (or move with goToState): its identifiers, and an IP address if any. */
export type ActivateDevice = Schemas["DeviceWithIpAddress"];
/** A device to move with goToState. */
export type GoToStateDevice = NonNullable<Schemas["GoToStateRequest"]["devices"]>[number];
/** A device to add. */
export type AddDevice = Schemas["DeviceToAdd"];

/** The activate body without its devices: what every chunk of a batch shares. */
export type ActivateBatchRequest = Omit<Schemas["ActivateDevicesRequest"], "devices">;
/** The goToState body without its devices (a batch lists devices; no filter). */
export type GoToStateBatchRequest = Omit<
  Schemas["GoToStateRequest"],
  "devices" | "filter" | "devicesWithServiceAddress"
>;
/** The add body without its devices. */
export type AddBatchRequest = Omit<Schemas["AddDevicesRequest"], "devicesToAdd">;
/** A callback registration; `name` offers the three typed services first and takes any other. */
export type RegisterCallbackRequest = Omit<Schemas["RegisterCallbackRequest"], "name"> & {
  name: AnyCallbackServiceName;
};

/** Options of a single call. */
export interface CallOptions {
  /** Aborts the call (waiting for a pacing slot, a token or the answer); it rejects with the signal's reason. */
  signal?: AbortSignal;
}

/** Options of a call that acts on devices: addDevices, activateDevices, goToState. */
export interface DeviceActionOptions extends CallOptions {
  /**
   * Check the body against the spec before sending it (default: the client's `validate`
   * option). `false` is for a body whose every part was checked already (`checkRequestBody`):
   * the batch methods pass their own `validate` option here for each chunk.
   */
  validate?: boolean;
}

/** Options of a call on an account's resources. */
export interface AccountCallOptions extends CallOptions {
  /** The billing account (default: the client's `accountName` option). */
  accountName?: Schemas["AccountName"];
}

/** Options of {@link ThingSpaceClient.lookUpDevices}: what the request aimed for is `exists` or `expectedState`, not both. */
export type LookUpOptions = AccountCallOptions &
  (
    | {
        /**
         * The state that means the request took effect: a goToState's `stateName`. Without it
         * (and without `exists`), a device counts as `in-state` when it is in service (an activation).
         */
        expectedState?: string;
        exists?: never;
      }
    | {
        /** The request was an add: a device counts as `in-state` when ThingSpace lists it at all, in any state. */
        exists: true;
        expectedState?: never;
      }
  );

/**
 * The ThingSpace M2M client. Methods validate their body, send it with both tokens, and return
 * ThingSpace's answer or throw a typed error (all subclasses of `ThingSpaceError`).
 */
export interface ThingSpaceClient {
  /** Adds up to 200 devices in the PRE-ACTIVE state (POST /devices/actions/add); one result per device. */
  addDevices(body: Schemas["AddDevicesRequest"], options?: DeviceActionOptions): Promise<Schemas["AddDevicesResponse"]>;
  /** Activates up to 10,000 devices (POST /devices/actions/activate); results follow as CarrierService callbacks. */
  activateDevices(
    body: Schemas["ActivateDevicesRequest"],
    options?: DeviceActionOptions,
  ): Promise<Schemas["RequestIdResponse"]>;
  /** Moves devices to a customer-defined service and state (PUT /devices/actions/goToState). */
  goToState(body: Schemas["GoToStateRequest"], options?: DeviceActionOptions): Promise<Schemas["RequestIdResponse"]>;
  /** Registers the URL that receives a callback service's messages (POST /callbacks/{accountName}). */
  registerCallback(
    body: RegisterCallbackRequest,
    options?: AccountCallOptions,
  ): Promise<Schemas["CallbackActionResult"]>;
  /** Lists the account's callback registrations (GET /callbacks/{accountName}), credentials included. */
  listCallbacks(options?: AccountCallOptions): Promise<Schemas["CallbackRegistrationList"]>;
  /** Removes a callback registration (DELETE /callbacks/{accountName}/name/{serviceName}). */
  deleteCallback(
    serviceName: AnyCallbackServiceName,
    options?: AccountCallOptions,
  ): Promise<Schemas["CallbackActionResult"]>;
  /** Ends the M2M session, if there is one (POST /session/logout); the next call logs in again. */
  logout(options?: CallOptions): Promise<void>;

  /**
   * Lists the devices that match `query` (POST /devices/actions/list), one page per iteration,
   * following ThingSpace's paging to the last page: `for await (const page of
   * client.listDevices({ currentState: "active" })) page.devices…`. The query is validated (a
   * `ValidationError`) and sent when iteration starts; `accountName` defaults to the client's.
   * A page that says more follow without a cursor that advances ends the iteration with a
   * `ThingSpaceError` rather than loop (paging is *unconfirmed*: see the spec).
   */
  listDevices(
    query?: Schemas["ListDevicesRequest"],
    options?: CallOptions,
  ): AsyncIterable<Schemas["ListDevicesResponse"]>;
  /** Where an asynchronous request stands: `Pending`, `Success` or `Failure` (GET /accounts/{accountName}/requests/{requestId}/status). */
  getRequestStatus(requestId: string, options?: AccountCallOptions): Promise<Schemas["RequestStatusResponse"]>;
  /**
   * Looks devices up with as few `listDevices` queries as their identifiers allow (one per run of
   * up to 100 consecutive identifiers, one per lone device) and says for each, in the order
   * given, whether ThingSpace lists it as the request leaves it (`in-state`: in service, in
   * `expectedState`, or at all with `exists: true`), still changing (`pending`), in another state
   * or not at all. `effectOfFinding` says which finding means the request took effect. What the
   * callback tracker's `reconcile` calls.
   */
  lookUpDevices<Device extends IdentifiedDevice>(
    devices: readonly Device[],
    options?: LookUpOptions,
  ): Promise<DeviceLookupResult<Device>[]>;
  /**
   * For an `OutcomeUnknownError` (or `TimeoutError`) of addDevices, activateDevices or goToState:
   * looks the call's devices up and says, per device, whether it took effect (an add: the device
   * exists; an activate: it is in service; a goToState: it is in the requested state), or is
   * still pending. Send again only what did not take effect.
   */
  checkOutcome(error: OutcomeUnknownError, options?: AccountCallOptions): Promise<OutcomeCheck>;

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

  /**
   * The openapi-fetch client underneath (`paths` from the spec), with the same auth, pacing and
   * retries. Middleware added with `use` runs its `onRequest` before the client sends the
   * request; the client answers from its own `onRequest`, so no `onResponse` or `onError` runs.
   */
  readonly raw: Client<paths>;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null) return false;
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

const requestIdOf = (response: Schemas["RequestIdResponse"]): string => response.requestId;

/**
 * A registration answer as the SDK returns it: `serviceName`, taken from `name` when ThingSpace
 * answered in the spelling of older documentation, and never `name` (spec: CallbackActionResult).
 */
function withServiceName<Answer extends Schemas["CallbackActionResult"]>(answer: Answer): Answer {
  if (!isPlainObject(answer)) return answer;
  const { name, ...rest } = answer;
  return (rest.serviceName === undefined && typeof name === "string" ? { ...rest, serviceName: name } : rest) as Answer;
}

/**
 * Creates a ThingSpace M2M client: openapi-fetch on the spec's `paths`, whose one middleware
 * sends every request through the request loop (the OAuth bearer and the `VZ-M2M-Token`
 * session, one token request and one login shared by concurrent calls, safe retries, one replay
 * after a refused token, activate pacing), with validation before sending, typed errors and
 * batching.
 *
 * @example
 * const client = createThingSpaceClient({ credentials, accountName: "0868924207-00001" });
 * const { requestId } = await methods.activateDevices({ devices, servicePlan: "m2m4g", mdnZipCode: "98801" });
 */
export function createThingSpaceClient(options: ThingSpaceClientOptions): ThingSpaceClient {
  const settings = resolveOptions(options);
  const { redactor, logger } = settings;
  // The token request and the login have an openapi-fetch client of their own, so that the
  // middleware a user adds to `raw` never sees them (nor the client secret and password).
  const api = createClient<paths>({ baseUrl: settings.m2mBaseUrl, Request: ClientRequest });
  const authApi = createClient<paths>({ baseUrl: settings.m2mBaseUrl, Request: ClientRequest });
  const tokens = createTokens(settings, authApi);
  const transport = createTransport(settings, tokens);
  api.use(transport);
  authApi.use(transport);
  const raw: Client<paths> = {
    ...api,
    // The transport answers from its onRequest, so it must stay the last middleware.
    use(...middleware) {
      api.eject(transport);
      api.use(...middleware, transport);
    },
  };

  /**
   * openapi-fetch's `{ data, error, response }` → the data, or the typed error for the answer
   * (`sent`, the body, tells an outcome-unknown error what the call acted on).
   */
  const answerOf = async <Data>(
    operation: Operation,
    pending: Promise<{ data?: Data; error?: unknown; response: Response }>,
    sent?: unknown,
  ): Promise<Data> => {
    const { data, error, response } = await pending;
    if (response.ok) return data as Data;
    const failure = errorFromResponse(operation, response, error, redactor, sent);
    logger.warn(failure.message, { error: failure.name, status: response.status });
    throw failure;
  };
  const check = (operation: Operation, validate: ValidateFunction, body: unknown): void => {
    if (settings.validate) assertValidBody(operation, validate, body);
  };
  // The client's default account goes into bodies that take one and leave it out. Only plain
  // objects get it, by spreading (a parsed `__proto__` key stays an own field the validator
  // rejects, where Object.assign would turn it into the copy's prototype); anything else goes
  // to validation unchanged.
  const withAccount = <Body extends { accountName?: string }>(body: Body): Body =>
    isPlainObject(body) && body.accountName === undefined && settings.accountName !== undefined
      ? { ...body, accountName: settings.accountName }
      : body;
  const accountOf = (operation: Operation, accountName: string | undefined): string => {
    const account = accountName ?? settings.accountName;
    if (account === undefined || account === "") {
      throw new ValidationError(operation.operationId, [
        {
          path: "/accountName",
          rule: "required",
          message:
            "accountName (path parameter) is required: pass { accountName } or set the client's accountName option",
        },
      ]);
    }
    return account;
  };
  // A misspelt typed service is refused like a schema violation; an empty one always is, since
  // it would change the path the call is sent to.
  const checkServiceName = (operation: Operation, path: string, name: unknown): void => {
    const violation =
      path === "/serviceName" && (typeof name !== "string" || name === "")
        ? { path, rule: "minLength", message: "serviceName (path parameter) must be a non-empty service name" }
        : settings.validate
          ? serviceNameViolation(path, name)
          : undefined;
    if (violation) throw new ValidationError(operation.operationId, [violation]);
  };

  /**
   * Every page of one list query: the query as given for the first page, then the same query
   * with the cursor of the page before ("Paging" in the spec), until a page says no more follow.
   */
  async function* listAllPages(
    query: Schemas["ListDevicesRequest"],
    signal: AbortSignal | undefined,
  ): AsyncGenerator<Schemas["ListDevicesResponse"]> {
    let body = withAccount(query);
    for (;;) {
      check(operations.listDevices, validateListDevicesRequest, body);
      const page = await answerOf(operations.listDevices, api.POST("/devices/actions/list", { body, signal }));
      yield page;
      if (!page.hasMoreData) return;
      const cursor = nextListCursor(page);
      if (cursor === undefined || (body.largestDeviceIdSeen !== undefined && cursor <= body.largestDeviceIdSeen)) {
        throw new ThingSpaceError(
          `ThingSpace answered listDevices with hasMoreData but ${cursor === undefined ? "no" : "a non-advancing"} ` +
            `paging cursor (the DeviceId extended attribute of the page's last device): stopped after ` +
            'this page rather than ask for it again. ThingSpace\'s paging is unconfirmed (see "Paging" in the spec).',
          { operationId: "listDevices" },
        );
      }
      body = { ...body, largestDeviceIdSeen: cursor };
    }
  }

  /**
   * A call that acts on devices: checks the body, sends it, and answers; the body also goes to
   * an outcome-unknown error, which keeps what the call acted on (its `target`).
   */
  const sendDeviceAction = <Body, Data>(
    operation: Operation,
    validate: ValidateFunction,
    body: Body,
    options: DeviceActionOptions,
    send: (body: Body) => Promise<{ data?: Data; error?: unknown; response: Response }>,
  ): Promise<Data> => {
    if (options.validate ?? settings.validate) assertValidBody(operation, validate, body);
    return answerOf(operation, send(body), body);
  };

  const methods: Omit<ThingSpaceClient, "activateDevicesInBatches" | "goToStateInBatches" | "addDevicesInBatches"> = {
    async addDevices(body, options = {}) {
      return sendDeviceAction(operations.addDevices, validateAddDevicesRequest, withAccount(body), options, (sent) =>
        api.POST("/devices/actions/add", { body: sent, signal: options.signal }),
      );
    },
    async activateDevices(body, options = {}) {
      const { signal } = options;
      return sendDeviceAction(
        operations.activateDevices,
        validateActivateDevicesRequest,
        withAccount(body),
        options,
        (sent) => api.POST("/devices/actions/activate", { body: sent, signal }),
      );
    },
    async goToState(body, options = {}) {
      // goToState's body names no account.
      return sendDeviceAction(operations.goToState, validateGoToStateRequest, body, options, (sent) =>
        api.PUT("/devices/actions/goToState", { body: sent, signal: options.signal }),
      );
    },
    async registerCallback(body, options = {}) {
      if (isPlainObject(body)) redactor.add(body.username, body.password);
      const accountName = accountOf(operations.registerCallback, options.accountName);
      check(operations.registerCallback, validateRegisterCallbackRequest, body);
      checkServiceName(operations.registerCallback, "/name", body.name);
      const path = { accountName };
      const pending = api.POST("/callbacks/{accountName}", { params: { path }, body, signal: options.signal });
      return withServiceName(await answerOf(operations.registerCallback, pending));
    },
    async listCallbacks(options = {}) {
      const path = { accountName: accountOf(operations.listCallbacks, options.accountName) };
      const registrations = await answerOf(
        operations.listCallbacks,
        api.GET("/callbacks/{accountName}", { params: { path }, signal: options.signal }),
      );
      if (!Array.isArray(registrations)) return registrations;
      // ThingSpace lists each listener's credentials: secrets, like those given to registerCallback.
      for (const item of registrations) if (isPlainObject(item)) redactor.add(item.username, item.password);
      return registrations.map(withServiceName);
    },
    async deleteCallback(serviceName, options = {}) {
      const accountName = accountOf(operations.deleteCallback, options.accountName);
      checkServiceName(operations.deleteCallback, "/serviceName", serviceName);
      const pending = api.DELETE("/callbacks/{accountName}/name/{serviceName}", {
        params: { path: { accountName, serviceName } },
        signal: options.signal,
      });
      return withServiceName(await answerOf(operations.deleteCallback, pending));
    },
    async logout(options = {}) {
      // Without a session there is nothing to end, and logging in just to log out would be absurd.
      const session = tokens.session.peek();
      if (session === undefined) return;
      try {
        await answerOf(operations.logOut, api.POST("/session/logout", { signal: options.signal }));
        logger.info("M2M session ended");
      } catch (error) {
        // A session that already expired is as ended as it gets.
        if (!(error instanceof AuthenticationError && isSessionTokenCode(error.errorCode))) throw error;
      } finally {
        tokens.session.forget(session);
      }
    },
    listDevices: (query, options) => listAllPages(query ?? {}, options?.signal),
    async getRequestStatus(requestId, options = {}) {
      if (typeof requestId !== "string" || requestId === "") {
        throw new ValidationError(operations.getRequestStatus.operationId, [
          {
            path: "/requestId",
            rule: "minLength",
            message: "requestId (path parameter) must be the non-empty requestId a synchronous answer returned",
          },
        ]);
      }
      const path = { accountName: accountOf(operations.getRequestStatus, options.accountName), requestId };
      return answerOf(
        operations.getRequestStatus,
        api.GET("/accounts/{accountName}/requests/{requestId}/status", { params: { path }, signal: options.signal }),
      );
    },
    lookUpDevices(devices, options = {}) {
      const pages: ListAllPages = (query) => listAllPages(query, options.signal);
      return lookUpDevices(pages, devices, options, options.accountName ?? settings.accountName);
    },
    checkOutcome(error, options = {}) {
      const pages: ListAllPages = (query) => listAllPages(query, options.signal);
      return checkOutcome(pages, error, options.accountName ?? settings.accountName);
    },
    resetAuthentication: (credentials) => tokens.reset(credentials),
    raw,
  };

  // Each chunk is one call of the single-call method, so it is validated, paced, authenticated
  // and replayed after a session expiry like any call.
  return {
    ...methods,
    activateDevicesInBatches(devices, request, options) {
      const validate = options?.validate;
      const send = (chunk: ActivateDevice[], signal?: AbortSignal) =>
        methods.activateDevices({ ...request, devices: chunk }, { signal, validate });
      const batch = { operationId: "activateDevices", maxChunkSize: maxActivateDevices, send, requestIdOf };
      return runBatch(batch, logger, devices, options);
    },
    goToStateInBatches(devices, request, options) {
      const validate = options?.validate;
      const send = (chunk: GoToStateDevice[], signal?: AbortSignal) =>
        methods.goToState({ ...request, devices: chunk }, { signal, validate });
      const batch = { operationId: "goToState", maxChunkSize: maxGoToStateDevices, send, requestIdOf };
      return runBatch(batch, logger, devices, options);
    },
    addDevicesInBatches(devices, request, options) {
      const validate = options?.validate;
      const send = (chunk: AddDevice[], signal?: AbortSignal) =>
        methods.addDevices({ ...request, devicesToAdd: chunk }, { signal, validate });
      const batch = { operationId: "addDevices", maxChunkSize: maxAddDevices, send, requestIdOf: () => undefined };
      return runBatch(batch, logger, devices, options);
    },
  };
}

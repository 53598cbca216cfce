/**
 * The operations the client sends, as data: one descriptor per operation of the spec says how
 * the transport treats it (tokens, pacing, retries, replay after a refused token) and how errors
 * name it and what they advise. A call names its operation where it is made (the SDK's methods
 * pick their descriptor; openapi-fetch hands the middleware the `schemaPath` the call site
 * wrote), so nothing downstream has to guess it back from a URL.
 */
import type { ValidateFunction } from "ajv";
import {
  validateActivateDevicesRequest,
  validateAddDevicesRequest,
  validateGoToStateRequest,
} from "../../generated/validators.js";
import type { operations as SpecOperations } from "../shared/spec.js";
import { toViolations, type Violation } from "../shared/violations.js";
import type { CallTarget } from "./errors.js";

/** How the client sends one operation, and what it tells about it when it fails. */
export interface Operation {
  /** The spec's operationId (`activateDevices`): how errors and logs name the operation. */
  readonly operationId: string;
  readonly method: "GET" | "POST" | "PUT" | "DELETE";
  /** The path as the spec writes it (`/callbacks/{accountName}`). */
  readonly schemaPath: string;
  /**
   * True when the operation may change something ThingSpace keeps: a 5xx answer to it then
   * leaves its outcome unknown. A read or a token request changes nothing.
   */
  readonly canTakeEffect: boolean;
  /** The rolling window that paces it: activate is limited to 100 requests a minute. */
  readonly pacing?: "activate";
  /** The tokens it carries: none (the OAuth endpoints authenticate themselves), the bearer (the login) or both. */
  readonly tokens: "none" | "bearer" | "both";
  /** When ThingSpace refuses its token: renew that token once and replay the call once. */
  readonly replaysRefusedToken: boolean;
  /** A 429/503 answer means "not processed, come back later": wait and send it again. */
  readonly retriesBusyAnswer: boolean;
  /** What to check before sending it again when its outcome is unknown. */
  readonly howToCheck: string;
  /** Set on the token request and the login: their failures are authentication errors of that stage. */
  readonly authStage?: "token" | "login";
  /**
   * What a call acted on, read from its body, for an outcome-unknown error to carry (so that
   * `client.checkOutcome(error)` can look the devices up). Set on the calls that change devices.
   */
  readonly targetOf?: (body: unknown) => CallTarget;
}

const checkDevices =
  "Before sending it again, find out whether it took effect: client.checkOutcome(error) looks its devices up " +
  "(POST /devices/actions/list); if ThingSpace accepted the request, its callbacks will still arrive.";
const checkCallbacks = "Before sending it again, list the account's callback registrations (client.listCallbacks()).";
const changesNothing = "Authentication calls change nothing on the account.";
const onlyReads = "The call only reads: it is safe to send it again.";

type Fields = Record<string, unknown>;
const fieldsOf = (body: unknown): Fields =>
  typeof body === "object" && body !== null && !Array.isArray(body) ? (body as Fields) : {};
const text = (value: unknown): string | undefined => (typeof value === "string" ? value : undefined);

/**
 * The devices a body lists under `field`, as `{ deviceIds }` with only the identifiers' kind and
 * id copied: nothing else of the body (never a credential) reaches the error. Reads whatever a
 * body holds, since a `client.raw` call's body is not validated.
 */
function devicesIn(body: Fields, ...fields: string[]): CallTarget["devices"] {
  const listed = fields.map((field) => body[field]).find(Array.isArray) ?? [];
  return listed.flatMap((device: unknown) => {
    const deviceIds = fieldsOf(device).deviceIds;
    if (!Array.isArray(deviceIds)) return [];
    const ids = deviceIds.flatMap((deviceId: unknown) => {
      const { kind, id } = fieldsOf(deviceId);
      return typeof kind === "string" && typeof id === "string" ? [{ kind, id }] : [];
    });
    return ids.length > 0 ? [{ deviceIds: ids }] : [];
  });
}

/** What an add, activate or goToState body acted on: its account, its devices, the state it aimed for. */
const targetIn =
  (...deviceFields: string[]) =>
  (body: unknown): CallTarget => {
    const fields = fieldsOf(body);
    const target: { -readonly [Key in keyof CallTarget]: CallTarget[Key] } = {
      devices: devicesIn(fields, ...deviceFields),
    };
    const accountName = text(fields.accountName);
    if (accountName !== undefined) target.accountName = accountName;
    const stateName = text(fields.stateName);
    if (stateName !== undefined) target.stateName = stateName;
    return target;
  };

// What most M2M calls are: both tokens, one replay after a refused token, 429/503 waited out.
const m2mCall = { canTakeEffect: true, tokens: "both", replaysRefusedToken: true, retriesBusyAnswer: true } as const;

// The spec's webhooks are operations too, but ThingSpace sends them: the client never does.
type CalledOperationId = Exclude<keyof SpecOperations, `receive${string}`>;

/** Every operation of the spec's paths, by operationId. */
export const operations = {
  getAccessToken: {
    operationId: "getAccessToken",
    method: "POST",
    schemaPath: "/oauth2/token",
    // A token request changes nothing on the account, so a 429/503 answer to it is retried.
    canTakeEffect: false,
    tokens: "none",
    replaysRefusedToken: false,
    retriesBusyAnswer: true,
    howToCheck: changesNothing,
    authStage: "token",
  },
  revokeAccessToken: {
    operationId: "revokeAccessToken",
    method: "POST",
    schemaPath: "/oauth2/revoke",
    canTakeEffect: true,
    tokens: "none",
    replaysRefusedToken: false,
    retriesBusyAnswer: true,
    howToCheck: changesNothing,
  },
  logIn: {
    operationId: "logIn",
    method: "POST",
    schemaPath: "/session/login",
    // Five failed logins in a row lock the account: a login that got an answer is never sent again.
    canTakeEffect: true,
    tokens: "bearer",
    replaysRefusedToken: false,
    retriesBusyAnswer: false,
    howToCheck: changesNothing,
    authStage: "login",
  },
  // Logging out with an expired session needs no new session.
  logOut: {
    ...m2mCall,
    operationId: "logOut",
    method: "POST",
    schemaPath: "/session/logout",
    replaysRefusedToken: false,
    howToCheck: changesNothing,
  },
  addDevices: {
    ...m2mCall,
    operationId: "addDevices",
    method: "POST",
    schemaPath: "/devices/actions/add",
    howToCheck: checkDevices,
    targetOf: targetIn("devicesToAdd"),
  },
  activateDevices: {
    ...m2mCall,
    operationId: "activateDevices",
    method: "POST",
    schemaPath: "/devices/actions/activate",
    pacing: "activate",
    howToCheck: checkDevices,
    targetOf: targetIn("devices"),
  },
  goToState: {
    ...m2mCall,
    operationId: "goToState",
    method: "PUT",
    schemaPath: "/devices/actions/goToState",
    howToCheck: checkDevices,
    targetOf: targetIn("devices", "devicesWithServiceAddress"),
  },
  // Lookups change nothing: a 5xx or a timeout is safe to send again.
  listDevices: {
    ...m2mCall,
    operationId: "listDevices",
    method: "POST",
    schemaPath: "/devices/actions/list",
    canTakeEffect: false,
    howToCheck: onlyReads,
  },
  getRequestStatus: {
    ...m2mCall,
    operationId: "getRequestStatus",
    method: "GET",
    schemaPath: "/accounts/{accountName}/requests/{requestId}/status",
    canTakeEffect: false,
    howToCheck: onlyReads,
  },
  registerCallback: {
    ...m2mCall,
    operationId: "registerCallback",
    method: "POST",
    schemaPath: "/callbacks/{accountName}",
    howToCheck: checkCallbacks,
  },
  listCallbacks: {
    ...m2mCall,
    operationId: "listCallbacks",
    method: "GET",
    schemaPath: "/callbacks/{accountName}",
    canTakeEffect: false,
    howToCheck: onlyReads,
  },
  deleteCallback: {
    ...m2mCall,
    operationId: "deleteCallback",
    method: "DELETE",
    schemaPath: "/callbacks/{accountName}/name/{serviceName}",
    howToCheck: checkCallbacks,
  },
} as const satisfies { [Id in CalledOperationId]: Operation & { operationId: Id } };

const byRoute = new Map<string, Operation>(
  Object.values(operations).map((operation) => [`${operation.method} ${operation.schemaPath}`, operation]),
);

/**
 * The operation a call made through openapi-fetch is, from the method and the `schemaPath` its
 * call site wrote (a table lookup, never URL parsing). A path outside the spec (possible only
 * through a cast) is an M2M call of unknown effect.
 */
export function operationFor(method: string, schemaPath: string): Operation {
  return (
    byRoute.get(`${method} ${schemaPath}`) ?? {
      ...m2mCall,
      operationId: `${method} ${schemaPath}`,
      method: method as Operation["method"],
      schemaPath,
      canTakeEffect: method !== "GET",
      howToCheck: method === "GET" ? onlyReads : "Check the resource's state before sending it again.",
    }
  );
}

const bodyValidators: Record<"addDevices" | "activateDevices" | "goToState", ValidateFunction> = {
  addDevices: validateAddDevicesRequest,
  activateDevices: validateActivateDevicesRequest,
  goToState: validateGoToStateRequest,
};

/**
 * What the client would refuse in `body` as the request body of `operationId`, without sending
 * anything: the same violations (JSON path, rule, what is allowed) a `ValidationError` carries.
 * An empty list means the body is valid. For tools that check their input, row by row, before
 * the first request.
 */
export function checkRequestBody(
  operationId: "addDevices" | "activateDevices" | "goToState",
  body: unknown,
): Violation[] {
  const validate = bodyValidators[operationId];
  return validate(body) ? [] : toViolations(validate.errors);
}

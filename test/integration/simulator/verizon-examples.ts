/**
 * Verizon's own examples of the calls this project's spec shares with them, written down as
 * facts: the request Verizon's generated JavaScript SDK sends for each documented example
 * (method, path, body) and the answer the documentation shows. Read from the public repository
 * `sdks-io/verizon-apis-js-sdk`: `src/controllers/*Controller.ts` for methods, paths and how
 * bodies are encoded, `doc/controllers/*.md` for the examples, `doc/models/*.md` and
 * `src/models/*.ts` for which fields are optional. Nothing here is the SDK's code.
 */

/** One documented call: what is sent, and the answer Verizon's documentation shows for it. */
export interface VerizonExample {
  /** Verizon's SDK method, and where the facts come from. */
  call: string;
  source: string;
  method: "GET" | "POST" | "PUT" | "DELETE";
  /** The path below the API root (`https://thingspace.verizon.com/api`), as Verizon's SDK writes it. */
  path: string;
  /** A JSON body, a form body (`form`), or none. */
  json?: unknown;
  form?: Record<string, string>;
  /** The documented answer (HTTP 200). */
  answer: unknown;
  /** Fields of the documented answer a conforming answer may leave out, with why. */
  optional?: Record<string, string>;
}

/**
 * `OauthAuthorizationController.requestToken`: POST `/oauth2/token` on the OAuth server
 * (`/api/ts/v1`), Basic authorization, a form of `grant_type=client_credentials`, `scope` when
 * given and any `fieldParameters` merged in. The example passes no scope and one field
 * parameter. (Its `authorization` argument is a placeholder, `Authorization8`: the header is
 * documented as "Authorization header in Basic auth format".)
 */
export const requestToken: VerizonExample = {
  call: "requestToken",
  source:
    "doc/controllers/oauth-authorization.md, src/controllers/oauthAuthorizationController.ts, doc/models/oauth-token.md",
  method: "POST",
  path: "/ts/v1/oauth2/token",
  form: { grant_type: "client_credentials", key0: "additionalFieldParams9" },
  // The model's example: `access_token` and `token_type` are required, the rest optional.
  answer: {
    access_token: "access_token8",
    token_type: "token_type2",
    expires_in: 226,
    scope: "scope2",
    expiry: 192,
    refresh_token: "refresh_token0",
  },
  optional: {
    expiry: "optional in OauthToken: a timestamp of expiry, not an OAuth 2.0 answer field (RFC 6749 section 5.1)",
    refresh_token: "optional in OauthToken; RFC 6749 section 4.4.3: not issued for client credentials",
  },
};

/** The same request with a `scope`, which the SDK sends as a form field when asked. */
export const requestTokenWithScope: VerizonExample = {
  ...requestToken,
  form: { grant_type: "client_credentials", scope: "scope2" },
};

/** `SessionManagementController.startConnectivityManagementSession`. */
export const startSession: VerizonExample = {
  call: "startConnectivityManagementSession",
  source: "doc/controllers/session-management.md, src/controllers/sessionManagementController.ts",
  method: "POST",
  path: "/m2m/v1/session/login",
  json: { username: "zbeeblebrox", password: "IMgr8" },
  answer: { sessionToken: "bcce3ea6-fe4f-4952-bacf-eadd80718e83" },
};

/** `SessionManagementController.endConnectivityManagementSession`: no body at all. */
export const endSession: VerizonExample = {
  call: "endConnectivityManagementSession",
  source:
    "doc/controllers/session-management.md, src/controllers/sessionManagementController.ts, src/models/logOutRequest.ts",
  method: "POST",
  path: "/m2m/v1/session/logout",
  answer: { sessionToken: "bcce3ea6-fe4f-4952-bacf-eadd80718e83" },
};

/**
 * `ConnectivityCallbacksController.registerCallback`. The documented answer names another
 * account than the request's path (`122333444-00002` for `TestAccount-2`): the account of the
 * path is what a registration answers, so only the answer's shape is compared.
 */
export const registerCallback: VerizonExample = {
  call: "registerCallback",
  source:
    "doc/controllers/connectivity-callbacks.md, src/controllers/connectivityCallbacksController.ts, doc/models/callback-action-result.md",
  method: "POST",
  path: "/m2m/v1/callbacks/TestAccount-2",
  json: { name: "CarrierService", url: "https://mock.thingspace.verizon.com/webhook" },
  answer: { accountName: "122333444-00002", serviceName: "CarrierService" },
};

/** The model's example registration (`RegisterCallbackRequest`), with credentials. */
export const registerCallbackWithCredentials: VerizonExample = {
  ...registerCallback,
  source: "doc/models/register-callback-request.md",
  path: "/m2m/v1/callbacks/TestAccount-2",
  json: {
    name: "CarrierService",
    url: "http://10.120.102.183:50559/CallbackListener/CarrierServiceMessages.asmx",
    username: "username0",
    password: "password4",
  },
};

/**
 * `ConnectivityCallbacksController.listRegisteredCallbacks`: the documented list has a
 * CarrierService listener registered without credentials and a DeviceUsage listener with them.
 * `ConnectivityManagementCallback` says a missing username or password is listed as an empty
 * string, while the example leaves the two fields out of the first listener.
 */
export const listRegisteredCallbacks: VerizonExample = {
  call: "listRegisteredCallbacks",
  source:
    "doc/controllers/connectivity-callbacks.md, src/controllers/connectivityCallbacksController.ts, src/models/connectivityManagementCallback.ts",
  method: "GET",
  path: "/m2m/v1/callbacks/0252012345-00001",
  answer: [
    {
      accountName: "0252012345-00001",
      serviceName: "CarrierService",
      url: "http://10.120.102.147:50569/CallbackListener/Carrier.asmx",
    },
    {
      accountName: "0252012345-00001",
      password: "drowssap",
      serviceName: "DeviceUsage",
      url: "http://10.120.102.147:50569/CallbackListener/Usage.asmx",
      username: "zaffod",
    },
  ],
};

/** `ConnectivityCallbacksController.deregisterCallback`. */
export const deregisterCallback: VerizonExample = {
  call: "deregisterCallback",
  source: "doc/controllers/connectivity-callbacks.md, src/controllers/connectivityCallbacksController.ts",
  method: "DELETE",
  path: "/m2m/v1/callbacks/1223334444-00001/name/CarrierService",
  answer: { accountName: "1223334444-00001", serviceName: "CarrierService" },
};

const twoDevices = [
  {
    deviceIds: [
      { id: "990013907835573", kind: "imei" },
      { id: "89141390780800784259", kind: "iccid" },
    ],
  },
  {
    deviceIds: [
      { id: "990013907884259", kind: "imei" },
      { id: "89141390780800735573", kind: "iccid" },
    ],
  },
];

const primaryPlaceOfUse = {
  address: { addressLine1: "1600 Pennsylvania Ave NW", city: "Washington", state: "DC", zip: "20500", country: "USA" },
  customerName: { firstName: "Zaffod", lastName: "Beeblebrox", title: "President" },
};

/** `DeviceManagementController.addDevices`: one result per device. */
export const addDevices: VerizonExample = {
  call: "addDevices",
  source: "doc/controllers/device-management.md, src/controllers/deviceManagementController.ts",
  method: "POST",
  path: "/m2m/v1/devices/actions/add",
  json: {
    state: "preactive",
    devicesToAdd: twoDevices,
    accountName: "0868924207-00001",
    customFields: [{ key: "CustomField2", value: "SuperVend" }],
    groupName: "West Region",
  },
  answer: [{ deviceIds: [{ id: "89148000000800784259", kind: "iccid" }], response: "Success" }],
};

/** `DeviceManagementController.activateServiceForDevices`. */
export const activateServiceForDevices: VerizonExample = {
  call: "activateServiceForDevices",
  source: "doc/controllers/device-management.md, src/controllers/deviceManagementController.ts",
  method: "POST",
  path: "/m2m/v1/devices/actions/activate",
  json: {
    devices: twoDevices,
    servicePlan: "m2m_4G",
    mdnZipCode: "98801",
    accountName: "0868924207-00001",
    customFields: [{ key: "CustomField2", value: "SuperVend" }],
    groupName: "4G West",
    primaryPlaceOfUse,
  },
  answer: { requestId: "595f5c44-c31c-4552-8670-020a1545a84d" },
};

/**
 * `DeviceManagementController.updateDevicesState`: goToState, sent with PUT to the lower-case
 * path `gotostate`. The example sends `publicIpRestriction: "unrestricted"` (the model's
 * description: "restricted" or "unrestricted"), where the goToState page documents "R" and "U".
 */
export const updateDevicesState: VerizonExample = {
  call: "updateDevicesState",
  source:
    "doc/controllers/device-management.md, src/controllers/deviceManagementController.ts, src/models/goToStateRequest.ts",
  method: "PUT",
  path: "/m2m/v1/devices/actions/gotostate",
  json: {
    serviceName: "My Service",
    stateName: "My State",
    servicePlan: "87641",
    mdnZipCode: "94203",
    devices: twoDevices,
    publicIpRestriction: "unrestricted",
    groupName: "4G West",
    primaryPlaceOfUse,
  },
  answer: { requestId: "595f5c44-c31c-4552-8670-020a1545a84d" },
};

/**
 * The error codes the simulator answers with, in one place. Codes marked *unconfirmed* are not
 * documented by ThingSpace for the M2M REST API; the simulator's choice is stated in its README
 * section and can be changed here alone.
 */
export const simulatorErrorCodes = {
  /** The session token is missing from `VZ-M2M-Token`. */
  sessionTokenInvalid: "INPUT_INVALID.SessionToken.Invalid",
  /** The session token is unknown, ended by logout, or idle for longer than the timeout. */
  sessionTokenExpired: "REQUEST_FAILED.SessionToken.Expired",
  /** More than 200 devices in one add request. */
  numberOfDevices: "INPUT_INVALID.NumberofDevices",
  /** More than 10,000 devices in one activate or goToState request. */
  maxRequestsExceeded: "INPUT_INVALID.MaxRequestsExceeded",
  /** Activating a device that is already in service (sent in its callback). */
  deviceAlreadyActive: "REQUEST_FAILED.DeviceAlreadyActive",
  /** A device, a device group or a filter that matches nothing. */
  deviceNotFound: "REQUEST_FAILED.DeviceNotFound",
  /** ThingSpace's catch-all, documented for "missing required elements, invalid parameter values". */
  unexpectedError: "REQUEST_FAILED.UnexpectedError",
  /** A device identifier's kind is not one of the kinds ThingSpace knows. */
  deviceKindInvalid: "INPUT_INVALID.Device.Kind.Invalid",
  /** A device identifier's value does not fit its kind. */
  deviceIdentifierInvalid: "INPUT_INVALID.Device.Identifier.Invalid",
  /** The request body is empty. */
  requestUndefined: "INPUT_INVALID.RequestUndefined",
  /** More than 100 activate requests in a rolling minute (*unconfirmed*: no answer is documented). */
  rateLimitExceeded: "REQUEST_FAILED.RateLimitExceeded",
  /** The bearer token is missing (*unconfirmed* code; ThingSpace's gateway answers 401). */
  accessTokenMissing: "INPUT_INVALID.AccessToken.Missing",
  /** The bearer token is unknown, revoked or expired (*unconfirmed* code; 401). */
  accessTokenInvalid: "REQUEST_FAILED.AccessToken.Invalid",
  /** Wrong username or password at login (*unconfirmed*). */
  loginFailed: "REQUEST_FAILED.Login.Failed",
  /** Five failed logins in a row locked the user (*unconfirmed*). */
  userLocked: "REQUEST_FAILED.Login.UserLocked",
  /** Deleting a callback service that is not registered (*unconfirmed*). */
  callbackNotRegistered: "REQUEST_FAILED.Callback.NotRegistered",
  /** goToState: the device is not in the state of the request's first device (*unconfirmed*). */
  deviceStateMismatch: "REQUEST_FAILED.Device.StateMismatch",
  /** No route for this method and path (*unconfirmed*). */
  resourceNotFound: "INPUT_INVALID.Resource.NotFound",
} as const;

/** One of the codes in {@link simulatorErrorCodes}. */
export type SimulatorErrorCode = (typeof simulatorErrorCodes)[keyof typeof simulatorErrorCodes];

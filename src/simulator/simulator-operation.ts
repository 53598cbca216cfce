/** The operations the simulator serves, named by the spec's `operationId`s. */
export type SimulatorOperation =
  | "getAccessToken"
  | "revokeAccessToken"
  | "logIn"
  | "logOut"
  | "registerCallback"
  | "listCallbacks"
  | "deleteCallback"
  | "addDevices"
  | "activateDevices"
  | "goToState";

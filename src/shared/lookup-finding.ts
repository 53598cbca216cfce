/**
 * What looking a device up in ThingSpace finds, against what a request aimed for. The client's
 * `lookUpDevices` answers with it and the callbacks' reconciliation reads it through its own
 * `DeviceLookup` interface; it lives here so that the callbacks entry names the same type
 * without importing the client.
 */

/**
 * What ThingSpace lists for one device, against what the request aimed for:
 * - `in-state`: listed as the request leaves it (for an add: listed at all; for an activation: in
 *   service, neither pre-active nor deactivated; for a goToState: in the requested state);
 * - `pending`: listed as still changing (`pending activation`: ThingSpace is carrying the request out);
 * - `other-state`: listed in another state;
 * - `not-found`: the account does not list it.
 */
export type LookupFinding = "in-state" | "pending" | "other-state" | "not-found";

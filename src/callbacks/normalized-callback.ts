/**
 * Builds a parsed callback from a validated payload: the payload stays as received, while the
 * identifiers are offered with lower-case kinds, as ThingSpace spells kinds in any case.
 */
import { deviceIdKey, deviceKey } from "../devices/device-key.js";
import { redactCredentials } from "./redact-credentials.js";
import type { CallbackKind, CallbackOfKind, ReportedDeviceId } from "./callback-types.js";

function lowerCaseKinds(ids: readonly ReportedDeviceId[]): ReportedDeviceId[] {
  return ids.map(({ kind, id }) => ({ kind: kind.toLowerCase(), id }));
}

/** The variant `kind` of a payload already validated for it. */
export function normalizedCallback<K extends CallbackKind>(
  kind: K,
  service: CallbackOfKind<K>["service"],
  outcome: CallbackOfKind<K>["outcome"],
  payload: CallbackOfKind<K>["payload"],
  deviceIds: readonly ReportedDeviceId[],
  reportedInResponse: readonly ReportedDeviceId[] = [],
): CallbackOfKind<K> {
  const own = lowerCaseKinds(deviceIds);
  const all = new Map(own.map((id) => [deviceIdKey(id), id]));
  for (const id of lowerCaseKinds(reportedInResponse)) if (!all.has(deviceIdKey(id))) all.set(deviceIdKey(id), id);
  const callback = {
    kind,
    service,
    outcome,
    payload,
    requestId: payload.requestId,
    deviceIds: own,
    allDeviceIds: [...all.values()],
    // A message whose own list is empty is still identified by the identifiers it reports.
    deviceKey: deviceKey(own.length > 0 ? own : [...all.values()]),
  };
  // Logging or serializing the parsed callback must not print the credentials it carries; the
  // payload itself stays verbatim for the code that reads it.
  const safeView = () => ({ ...callback, payload: redactCredentials(payload) });
  Object.defineProperty(callback, "toJSON", { value: safeView });
  Object.defineProperty(callback, Symbol.for("nodejs.util.inspect.custom"), { value: safeView });
  return callback as unknown as CallbackOfKind<K>;
}

/**
 * Builds a parsed callback from a validated payload: the payload stays as received, while the
 * identifiers are offered with lower-case kinds, as ThingSpace spells kinds in any case.
 */
import { deviceKey } from "../devices/device-key.js";
import { redactCredentials } from "./redact-credentials.js";
import type { CallbackKind, CallbackOfKind, ReportedDeviceId } from "./callback-types.js";

/**
 * The prototype of every parsed callback: logging or serializing one must not print the
 * credentials it carries, while the payload itself stays verbatim for the code that reads it.
 * Shared rather than defined on each callback, which cost more than building the callback.
 */
const safeViews = {
  toJSON(this: { payload: unknown }): object {
    return { ...this, payload: redactCredentials(this.payload) };
  },
  [Symbol.for("nodejs.util.inspect.custom")](this: { toJSON(): object }): object {
    return this.toJSON();
  },
};

/** The variant `kind` of a payload already validated for it. */
export function normalizedCallback<K extends CallbackKind>(
  kind: K,
  service: CallbackOfKind<K>["service"],
  outcome: CallbackOfKind<K>["outcome"],
  payload: CallbackOfKind<K>["payload"],
  deviceIds: readonly ReportedDeviceId[],
  reportedInResponse: readonly ReportedDeviceId[] = [],
): CallbackOfKind<K> {
  const own: ReportedDeviceId[] = [];
  const all: ReportedDeviceId[] = [];
  for (let i = 0; i < deviceIds.length + reportedInResponse.length; i++) {
    const reported = i < deviceIds.length ? deviceIds[i]! : reportedInResponse[i - deviceIds.length]!;
    const lowerCase = { kind: reported.kind.toLowerCase(), id: reported.id };
    if (i < deviceIds.length) own.push(lowerCase);
    // A handful of identifiers per message: searching the list beats building keys or a Set.
    if (!all.some((known) => known.kind === lowerCase.kind && known.id === lowerCase.id)) all.push(lowerCase);
  }
  const callback = {
    __proto__: safeViews,
    kind,
    service,
    outcome,
    payload,
    requestId: payload.requestId,
    deviceIds: own,
    allDeviceIds: all,
    // A message whose own list is empty is still identified by the identifiers it reports.
    deviceKey: deviceKey(own.length > 0 ? own : all),
  };
  return callback as unknown as CallbackOfKind<K>;
}

/**
 * The rule that refuses a near miss of a typed callback service name (`CarrierSevice`,
 * `stateservice`), which JSON Schema cannot express: this module is that rule's one
 * implementation, used by the client before it registers a callback and by the simulator when
 * it takes one. Names unlike all three (`DeviceUsage`) are other ThingSpace services, accepted.
 */
import { closestMatch } from "leven";
import { callbackServiceNames } from "./callback-services.js";
import type { Schemas } from "./spec.js";
import type { Violation } from "./violations.js";

/** How many letters may be added, dropped or changed for a name to count as a misspelling. */
const maxTypoDistance = 2;
// Compared in lower case, so that a name differing only in case is a near miss at distance 0.
const lowerCaseNames = callbackServiceNames.map((service) => service.toLowerCase());

/**
 * The typed service `name` is almost certainly a misspelling of: the same name in another case,
 * or at most two letters away from it (`CarrierSevice`). Undefined for the typed names
 * themselves and for names unlike all of them (`DeviceUsage`), which are sent as they are.
 */
export function misspeltCallbackService(name: string): Schemas["CallbackServiceName"] | undefined {
  if ((callbackServiceNames as readonly string[]).includes(name)) return undefined;
  const closest = closestMatch(name.toLowerCase(), lowerCaseNames, { maxDistance: maxTypoDistance });
  return closest === undefined ? undefined : callbackServiceNames[lowerCaseNames.indexOf(closest)];
}

/**
 * The violation of a service name that misspells a typed one, naming the field, the rule
 * (`nearMiss`) and the service it probably means; undefined for any other value (whether the
 * value is a non-empty string at all is the schema's business).
 */
export function serviceNameViolation(path: string, name: unknown): Violation | undefined {
  if (typeof name !== "string") return undefined;
  const intended = misspeltCallbackService(name);
  if (intended === undefined) return undefined;
  return {
    path,
    rule: "nearMiss",
    message:
      `${path} ${JSON.stringify(name)} looks like a misspelling of ${JSON.stringify(intended)}: ` +
      `use "${intended}" (the typed services are ${callbackServiceNames.join(", ")}; ` +
      "other ThingSpace services, such as DeviceUsage, are accepted as they are)",
  };
}

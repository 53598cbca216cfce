/**
 * Callback service names, as the client sends them, the simulator takes them and the callback
 * receiver serves them: the three the spec types, listed once. The spec (`AnyCallbackServiceName`)
 * also allows any other non-empty name of a ThingSpace service (`DeviceUsage` …); the rule that
 * refuses a near miss of one of the three is in `callback-service-near-miss.ts`, apart, so that
 * what imports only the names (the callbacks entry) does not load `leven`.
 */
import type { Schemas } from "./spec.js";

/**
 * A callback service's name: one of the three the spec types, offered first by autocompletion,
 * or any other name of a ThingSpace service (`(string & {})` keeps the three from collapsing
 * into `string`, which is what the spec's `AnyCallbackServiceName` becomes in TypeScript).
 */
export type AnyCallbackServiceName = Schemas["CallbackServiceName"] | (string & {});

/**
 * The spec's `CallbackServiceName` values. The object literal must name every member of the
 * generated union and nothing else (`satisfies`), so this list cannot drift from the spec.
 */
export const callbackServiceNames = Object.keys({
  CarrierService: true,
  NiddService: true,
  StateService: true,
} satisfies Record<Schemas["CallbackServiceName"], true>) as readonly Schemas["CallbackServiceName"][];

/**
 * Callback listeners registered per account and service, as `POST /callbacks/{accountName}`
 * leaves them. The credentials are kept only to be echoed in callback bodies: listings and
 * inspection never show them.
 */
import type { components } from "../../generated/openapi-types.js";

type CallbackServiceName = components["schemas"]["CallbackServiceName"];
type CallbackRegistration = components["schemas"]["CallbackRegistration"];

/** A registration with the credentials that go back in every callback body. */
export interface RegisteredListener {
  url: string;
  username: string;
  password: string;
}

/** Listeners of every account. */
export interface CallbackRegistry {
  /** Registers (or replaces) the account's listener for a service. */
  register(accountName: string, name: CallbackServiceName, listener: RegisteredListener): void;
  get(accountName: string, name: CallbackServiceName): RegisteredListener | undefined;
  /** True when there was a registration to remove. */
  remove(accountName: string, name: CallbackServiceName): boolean;
  /** The account's registrations, without credentials. */
  list(accountName: string): CallbackRegistration[];
}

/** Creates an empty registry. */
export function createCallbackRegistry(): CallbackRegistry {
  const accounts = new Map<string, Map<CallbackServiceName, RegisteredListener>>();
  return {
    register(accountName, name, listener) {
      let services = accounts.get(accountName);
      if (!services) accounts.set(accountName, (services = new Map()));
      services.set(name, { ...listener });
    },
    get: (accountName, name) => accounts.get(accountName)?.get(name),
    remove: (accountName, name) => accounts.get(accountName)?.delete(name) ?? false,
    list: (accountName) =>
      [...(accounts.get(accountName) ?? new Map<CallbackServiceName, RegisteredListener>())].map(([name, { url }]) => ({
        accountName,
        name,
        url,
      })),
  };
}

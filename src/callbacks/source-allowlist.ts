/**
 * Checks the sender's address against a list, where the host provides the address. ThingSpace
 * publishes the addresses its callbacks come from (see THINGSPACE.md); behind a proxy the
 * address is the proxy's, so pass the client address the proxy vouches for instead.
 */

/** The second argument the handler understands: the sender's address, where the host knows it. */
export interface CallbackRequestContext {
  /** The TCP peer address, e.g. from `socket.remoteAddress` (the node adapter passes it). */
  readonly remoteAddress?: string;
}

/** `::ffff:1.2.3.4` and `1.2.3.4` are the same IPv4 sender; IPv6 compares in lower case. */
export function normalizeAddress(address: string): string {
  const plain = address.trim().replace(/^\[(.*)\]$/, "$1").toLowerCase();
  return plain.startsWith("::ffff:") && plain.includes(".") ? plain.slice(7) : plain;
}

/**
 * The sender's address from the handler's second argument: `remoteAddress`, or Deno's
 * `Deno.serve` info (`remoteAddr.hostname`), so the allowlist works there unchanged.
 */
export function remoteAddressOf(context: unknown): string | undefined {
  if (typeof context !== "object" || context === null) return undefined;
  const { remoteAddress, remoteAddr } = context as { remoteAddress?: unknown; remoteAddr?: { hostname?: unknown } };
  if (typeof remoteAddress === "string") return remoteAddress;
  const hostname = typeof remoteAddr === "object" && remoteAddr !== null ? remoteAddr.hostname : undefined;
  return typeof hostname === "string" ? hostname : undefined;
}

/** A predicate that accepts exactly the listed addresses; an unknown sender is refused. */
export function createSourceAllowlist(addresses: readonly string[]): (address: string | undefined) => boolean {
  const allowed = new Set(addresses.map(normalizeAddress));
  return (address) => address !== undefined && allowed.has(normalizeAddress(address));
}

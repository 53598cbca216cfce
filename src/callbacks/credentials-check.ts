/**
 * Checks a callback body's `username`/`password` against the pair registered with ThingSpace,
 * in constant time. Both sides are hashed first (SHA-256, Web Crypto, so it runs in Node, Bun,
 * Deno and Workers alike), so the comparison always covers 32 bytes whatever the lengths are,
 * and the registered pair itself is not kept: only its digests are.
 */

/** The `username` and `password` registered with `POST /callbacks/{accountName}`. */
export interface CallbackCredentials {
  readonly username: string;
  readonly password: string;
}

const encoder = new TextEncoder();

async function digest(value: string): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest("SHA-256", encoder.encode(value)));
}

/** Compares two digests of equal length without an early exit. */
function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  let difference = a.length ^ b.length;
  for (let i = 0; i < a.length; i++) difference |= a[i]! ^ (b[i] ?? 0);
  return difference === 0;
}

function stringField(body: unknown, name: string): string | undefined {
  if (typeof body !== "object" || body === null) return undefined;
  const value = (body as Record<string, unknown>)[name];
  return typeof value === "string" ? value : undefined;
}

/**
 * Returns a check that resolves true only when `body.username` and `body.password` equal the
 * registered pair. A missing or non-string field never matches.
 */
export function createCredentialsCheck(expected: CallbackCredentials): (body: unknown) => Promise<boolean> {
  if (typeof expected?.username !== "string" || typeof expected?.password !== "string" || expected.password === "") {
    throw new TypeError(
      "credentials must be the { username, password } registered with POST /callbacks/{accountName}, with a non-empty password " +
        "(or pass dangerouslyAcceptUnauthenticatedCallbacks: true to accept anyone's callbacks)",
    );
  }
  const expectedDigests = Promise.all([digest(expected.username), digest(expected.password)]);
  return async (body) => {
    const username = stringField(body, "username");
    const password = stringField(body, "password");
    const [wantUser, wantPassword] = await expectedDigests;
    const [gotUser, gotPassword] = await Promise.all([digest(username ?? ""), digest(password ?? "")]);
    // `&` rather than `&&`: both comparisons always run.
    const same = Number(constantTimeEqual(gotUser, wantUser)) & Number(constantTimeEqual(gotPassword, wantPassword));
    return same === 1 && username !== undefined && password !== undefined;
  };
}

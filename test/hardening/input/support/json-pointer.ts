/** JSON Pointers (RFC 6901) over plain JSON values: building them and checking what they name. */

/** The pointer of a path of keys and indexes: `["devices", 0, "a/b"]` → `/devices/0/a~1b`. */
export function pointerOf(path: readonly (string | number)[]): string {
  return path.map((token) => `/${String(token).replace(/~/g, "~0").replace(/\//g, "~1")}`).join("");
}

/** The tokens of a pointer; undefined when it is not a pointer ("" or starting with "/"). */
export function tokensOf(pointer: string): string[] | undefined {
  if (pointer === "") return [];
  if (!pointer.startsWith("/")) return undefined;
  return pointer
    .slice(1)
    .split("/")
    .map((token) => token.replace(/~1/g, "/").replace(/~0/g, "~"));
}

/** Whether `pointer` names a value that exists in `document` (own keys only). */
export function pointsInto(document: unknown, pointer: string): boolean {
  const tokens = tokensOf(pointer);
  if (!tokens) return false;
  let current: unknown = document;
  for (const token of tokens) {
    if (Array.isArray(current)) {
      if (!/^(0|[1-9][0-9]*)$/.test(token) || Number(token) >= current.length) return false;
      current = current[Number(token)];
    } else if (typeof current === "object" && current !== null && Object.hasOwn(current, token)) {
      current = (current as Record<string, unknown>)[token];
    } else {
      return false;
    }
  }
  return true;
}

/** The pointer of the parent of `pointer` ("" for a top-level field). */
export function parentOf(pointer: string): string {
  return pointer.slice(0, Math.max(0, pointer.lastIndexOf("/")));
}

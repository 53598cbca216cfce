/**
 * JSON text of a value of any depth. `JSON.stringify` recurses, so a valid callback carrying a
 * deeply nested unknown field (a few thousand `[` fit in the 64 KiB body limit) makes it throw
 * `RangeError`; this walks an explicit stack instead and never throws.
 */

type Work = string | { readonly value: unknown } | { readonly leave: object };

// What JSON.stringify writes for a value that is not an object; undefined when it omits it.
function scalar(value: unknown): string | undefined {
  if (value === null) return "null";
  switch (typeof value) {
    case "string":
      return JSON.stringify(value);
    case "number":
      return Number.isFinite(value) ? String(value) : "null";
    case "boolean":
      return String(value);
    case "bigint":
      return JSON.stringify(String(value));
    default:
      return undefined; // undefined, functions and symbols
  }
}

const omitted = (value: unknown): boolean => value !== null && typeof value !== "object" && scalar(value) === undefined;

/**
 * The same text as `JSON.stringify(value)` for JSON values (own enumerable keys in order,
 * `undefined` members left out, `null` in arrays), at any nesting depth. A cycle is written as
 * `"[cycle]"` and a bigint as its decimal string, where `JSON.stringify` would throw.
 */
export function stackSafeJson(value: unknown): string {
  const parts: string[] = [];
  const work: Work[] = [{ value }];
  const open = new Set<object>(); // the containers being written, to tell a cycle from a shared value
  while (work.length > 0) {
    const item = work.pop()!;
    if (typeof item === "string") {
      parts.push(item);
    } else if ("leave" in item) {
      open.delete(item.leave);
    } else if (typeof item.value !== "object" || item.value === null) {
      parts.push(scalar(item.value) ?? "null");
    } else if (open.has(item.value)) {
      parts.push('"[cycle]"');
    } else {
      const container = item.value;
      open.add(container);
      const array = Array.isArray(container);
      const members: [string | undefined, unknown][] = array
        ? container.map((member) => [undefined, omitted(member) ? null : member])
        : Object.entries(container).filter(([, member]) => !omitted(member));
      const next: Work[] = [array ? "[" : "{"];
      members.forEach(([key, member], index) => {
        if (index > 0) next.push(",");
        if (key !== undefined) next.push(`${JSON.stringify(key)}:`);
        next.push({ value: member });
      });
      next.push(array ? "]" : "}", { leave: container });
      for (let i = next.length - 1; i >= 0; i--) work.push(next[i]!);
    }
  }
  return parts.join("");
}

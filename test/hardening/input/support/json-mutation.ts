/**
 * Mutations of valid payloads at random JSON paths: delete a field or an item, replace a value,
 * change its type, add an unknown (or hostile) key, empty or inflate a string. Each mutation is
 * drawn as a seed and applied to the value as it stands, so fast-check shrinks them well.
 */
import fc from "fast-check";
import { pointerOf } from "./json-pointer.js";

type Path = (string | number)[];

const kinds = ["delete", "replace", "retype", "addKey", "emptyString", "longString", "duplicateItem"] as const;

/** One mutation, before it is applied: `at` picks the path among those of the current value. */
export interface MutationSeed {
  readonly kind: (typeof kinds)[number];
  readonly at: number;
  readonly replacement: unknown;
  readonly key: string;
}

/** Keys that are hostile, ambiguous in a JSON Pointer, or secret-looking, plus any string. */
export const awkwardKey: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom("__proto__", "constructor", "prototype", "a/b", "~0~1", "", "username", "toString", "hasOwnProperty"),
  fc.string({ maxLength: 12 }),
);

const seed: fc.Arbitrary<MutationSeed> = fc.record({
  kind: fc.constantFrom(...kinds),
  at: fc.nat(),
  replacement: fc.jsonValue({ maxDepth: 2 }),
  key: awkwardKey,
});

/** Every path in `value`, the root (`[]`) first. */
export function pathsOf(value: unknown, prefix: Path = []): Path[] {
  const paths: Path[] = [prefix];
  if (Array.isArray(value)) value.forEach((item, index) => paths.push(...pathsOf(item, [...prefix, index])));
  else if (typeof value === "object" && value !== null) {
    for (const [key, item] of Object.entries(value)) paths.push(...pathsOf(item, [...prefix, key]));
  }
  return paths;
}

function valueAt(root: unknown, path: Path): unknown {
  return path.reduce<unknown>((current, token) => (current as Record<string | number, unknown>)[token], root);
}

/** Sets an own data property, as JSON.parse would (an assignment to `__proto__` would not). */
export function defineOwn(target: object, key: string | number, value: unknown): void {
  Object.defineProperty(target, key, { value, writable: true, enumerable: true, configurable: true });
}

function retyped(value: unknown): unknown {
  if (typeof value === "string") return value.length;
  if (typeof value === "number") return String(value);
  if (typeof value === "boolean") return value ? 1 : "false";
  if (value === null) return {};
  if (Array.isArray(value)) return { 0: value[0] ?? null };
  return [value];
}

/** `root` with the value at `path` replaced (`path` [] replaces the root). */
function replaceAt(root: unknown, path: Path, next: unknown): unknown {
  if (path.length === 0) return next;
  defineOwn(valueAt(root, path.slice(0, -1)) as object, path[path.length - 1]!, next);
  return root;
}

/** Applies one seed to `root` (a private copy), returning the new root and what was done. */
function apply(root: unknown, mutation: MutationSeed): { root: unknown; step: string } {
  const paths = pathsOf(root);
  const path = paths[mutation.at % paths.length]!;
  const where = pointerOf(path);
  const current = valueAt(root, path);
  switch (mutation.kind) {
    case "delete": {
      if (path.length === 0) return { root: undefined, step: "delete the body" };
      const parent = valueAt(root, path.slice(0, -1));
      const last = path[path.length - 1]!;
      if (Array.isArray(parent)) parent.splice(Number(last), 1);
      else delete (parent as Record<string, unknown>)[last];
      return { root, step: `delete ${where}` };
    }
    case "replace":
      return {
        root: replaceAt(root, path, mutation.replacement),
        step: `replace ${where} with ${JSON.stringify(mutation.replacement)}`,
      };
    case "retype":
      return { root: replaceAt(root, path, retyped(current)), step: `retype ${where}` };
    case "addKey": {
      if (typeof current !== "object" || current === null || Array.isArray(current)) return { root, step: "no-op" };
      defineOwn(current, mutation.key, mutation.replacement);
      return { root, step: `add ${JSON.stringify(mutation.key)} at ${where}` };
    }
    case "emptyString":
      return typeof current === "string"
        ? { root: replaceAt(root, path, ""), step: `empty ${where}` }
        : { root, step: "no-op" };
    case "longString":
      return typeof current === "string"
        ? { root: replaceAt(root, path, current.padEnd(5_000, "9")), step: `inflate ${where}` }
        : { root, step: "no-op" };
    case "duplicateItem": {
      if (!Array.isArray(current) || current.length === 0) return { root, step: "no-op" };
      current.push(jsonCopy(current[0]));
      return { root, step: `duplicate ${where}/0` };
    }
  }
}

/** A deep copy through JSON text, so own `__proto__` keys stay own keys. */
export function jsonCopy<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

/** A mutated copy of `base` and the steps taken. */
export function mutate(base: unknown, seeds: readonly MutationSeed[]): { value: unknown; steps: string[] } {
  let root: unknown = jsonCopy(base);
  const steps: string[] = [];
  for (const mutation of seeds) {
    if (root === undefined) break;
    const applied = apply(root, mutation);
    root = applied.root;
    steps.push(applied.step);
  }
  return { value: root, steps };
}

/** One to three mutations of `base`. */
export function mutationsOf(base: unknown): fc.Arbitrary<{ value: unknown; steps: string[] }> {
  return fc.array(seed, { minLength: 1, maxLength: 3 }).map((seeds) => mutate(base, seeds));
}

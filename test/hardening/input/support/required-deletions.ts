/**
 * Which fields of a valid payload the spec requires, read from the bundled spec's schemas (not
 * from a hand-written list): deleting any of them must get the payload rejected.
 *
 * Sound rather than complete: `required` of the schema, of `allOf` members and of the only
 * `oneOf`/`anyOf` branch the payload can match; and a field whose deletion leaves no branch of a
 * `oneOf`/`anyOf` possible. Conditional rules (`if`/`then`, `not`) are left out.
 */
import { specDocument } from "../../../support/spec-document.js";
import { pointerOf } from "./json-pointer.js";

type Schema =
  | boolean
  | {
      $ref?: string;
      required?: string[];
      properties?: Record<string, Schema>;
      items?: Schema;
      allOf?: Schema[];
      oneOf?: Schema[];
      anyOf?: Schema[];
      const?: unknown;
      enum?: unknown[];
    };
type ObjectSchema = Exclude<Schema, boolean>;
type Json = Record<string, unknown>;

function resolve(schema: Schema): Schema {
  let current = schema;
  while (typeof current === "object" && current.$ref) {
    const name = current.$ref.replace("#/components/schemas/", "");
    const target = (specDocument.components.schemas as Record<string, Schema>)[name];
    if (target === undefined) throw new Error(`unresolvable $ref ${current.$ref}`);
    current = target;
  }
  return current;
}

const isObject = (value: unknown): value is Json =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** The schema and its `allOf` members, recursively (not the branches of `oneOf`/`anyOf`). */
function conjuncts(schema: Schema): ObjectSchema[] {
  const resolved = resolve(schema);
  if (typeof resolved === "boolean") return [];
  return [resolved, ...(resolved.allOf ?? []).flatMap(conjuncts)];
}

/** Whether `branch` can still match `value` once `deleted` is gone: its required fields present, its constants equal. */
function possible(branch: Schema, value: unknown, deleted?: string): boolean {
  if (!isObject(value)) return true; // not an object: type rules decide, not required ones
  const present = (key: string) => key !== deleted && Object.hasOwn(value, key);
  for (const part of conjuncts(branch)) {
    if ((part.required ?? []).some((key) => !present(key))) return false;
    for (const [key, property] of Object.entries(part.properties ?? {})) {
      const resolved = resolve(property);
      if (!present(key) || typeof resolved === "boolean") continue;
      if ("const" in resolved && resolved.const !== value[key]) return false;
      if (resolved.enum && !resolved.enum.includes(value[key])) return false;
    }
  }
  return true;
}

/** Every schema that certainly applies to `value`: conjuncts, and the only possible branch of each choice. */
function applicable(schema: Schema, value: unknown): ObjectSchema[] {
  const result: ObjectSchema[] = [];
  for (const part of conjuncts(schema)) {
    result.push(part);
    for (const branches of [part.oneOf, part.anyOf]) {
      const open = (branches ?? []).filter((branch) => possible(branch, value));
      if (open.length === 1) result.push(...applicable(open[0]!, value));
    }
  }
  return result;
}

function deletionBreaks(schemas: readonly ObjectSchema[], value: Json, key: string): boolean {
  return schemas.some(
    (part) =>
      (part.required ?? []).includes(key) ||
      [part.oneOf, part.anyOf].some(
        (branches) => branches !== undefined && branches.every((branch) => !possible(branch, value, key)),
      ),
  );
}

/** JSON Pointers of the fields of `value` whose deletion breaks a `required` rule of `schemaName`. */
export function requiredFieldPaths(schemaName: string, value: unknown): string[] {
  const found: string[] = [];
  const walk = (schema: Schema, current: unknown, path: (string | number)[]): void => {
    const schemas = applicable(schema, current);
    if (isObject(current)) {
      for (const key of Object.keys(current)) {
        if (deletionBreaks(schemas, current, key)) found.push(pointerOf([...path, key]));
        for (const part of schemas) {
          const property = part.properties?.[key];
          if (property !== undefined) walk(property, current[key], [...path, key]);
        }
      }
    } else if (Array.isArray(current)) {
      for (const part of schemas) {
        if (part.items !== undefined) current.forEach((item, index) => walk(part.items!, item, [...path, index]));
      }
    }
  };
  walk({ $ref: `#/components/schemas/${schemaName}` }, value, []);
  return [...new Set(found)];
}

/** A copy of `value` without the field at `pointer` (whose tokens hold no "/" or "~"). */
export function withoutField(value: unknown, pointer: string): unknown {
  const copy = JSON.parse(JSON.stringify(value)) as unknown;
  const tokens = pointer.slice(1).split("/");
  const parent = tokens.slice(0, -1).reduce<unknown>((current, token) => (current as Json)[token], copy);
  delete (parent as Json)[tokens[tokens.length - 1]!];
  return copy;
}

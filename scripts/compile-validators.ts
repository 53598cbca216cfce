/**
 * Compiles the spec's schemas into one standalone ESM module of ajv validators, so the
 * package never compiles a schema (nor calls `new Function`) at run time. The module imports
 * nothing: the few run-time helpers ajv's code needs are written into it (inline-ajv-runtime.ts).
 */
import { Ajv2020 } from "ajv/dist/2020.js";
import standaloneCode from "ajv/dist/standalone/index.js";
import { _ } from "ajv";
import addFormats from "ajv-formats";
import { inlineAjvRuntime } from "./inline-ajv-runtime.js";

const schemaRefPrefix = "#/components/schemas/";
const bundleId = "thingspace-m2m";

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Every schema sent or received as a body: request bodies, webhook payloads and their variants. */
export function bodySchemaNames(document: Record<string, unknown>): string[] {
  const names = new Set<string>();
  const schemas = (document.components as { schemas: Record<string, { oneOf?: { $ref: string }[] }> }).schemas;
  const nameOf = (ref: string) => ref.slice(schemaRefPrefix.length);
  const visitPathItems = (items: Record<string, Record<string, unknown>> | undefined, withVariants: boolean) => {
    for (const pathItem of Object.values(items ?? {})) {
      for (const operation of Object.values(pathItem)) {
        const content = (operation as { requestBody?: { content?: Record<string, { schema?: { $ref?: string } }> } })
          ?.requestBody?.content;
        for (const media of Object.values(content ?? {})) {
          const ref = media.schema?.$ref;
          if (!ref?.startsWith(schemaRefPrefix)) continue;
          names.add(nameOf(ref));
          if (withVariants) {
            for (const variant of schemas[nameOf(ref)]?.oneOf ?? []) names.add(nameOf(variant.$ref));
          }
        }
      }
    }
  };
  visitPathItems(document.paths as never, false);
  visitPathItems(document.webhooks as never, true);
  return [...names].sort();
}

/** Keywords that document a schema without constraining it: left out of the compiled code. */
const annotationKeywords = new Set(["description", "examples", "title"]);

// ajv picks a discriminator's branch by the branches' `const`, and refuses OpenAPI's `mapping`
// (which only tells docs tools the same thing), so the mapping is dropped.
const withoutMapping = (value: Json): Json => {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return value;
  const { mapping: _mapping, ...rest } = value;
  return rest;
};

/**
 * Prepares the spec's schemas for ajv: points component refs at the `$defs` of the single
 * schema ajv compiles, and drops annotations (ajv's standalone code embeds the schema objects
 * it reads `enum`s from, so descriptions would otherwise ship in the package).
 */
function prepareForAjv(node: Json, isPropertyMap = false): Json {
  if (Array.isArray(node)) return node.map((item) => prepareForAjv(item));
  if (node === null || typeof node !== "object") return node;
  const out: { [key: string]: Json } = {};
  for (const [key, value] of Object.entries(node)) {
    if (!isPropertyMap && annotationKeywords.has(key)) continue;
    if (key === "$ref" && typeof value === "string" && value.startsWith(schemaRefPrefix)) {
      out[key] = `#/$defs/${value.slice(schemaRefPrefix.length)}`;
    } else if (key === "discriminator" && !isPropertyMap) {
      out[key] = withoutMapping(value);
    } else {
      out[key] = prepareForAjv(value, !isPropertyMap && (key === "properties" || key === "$defs"));
    }
  }
  return out;
}

/** The options the package's validators are compiled with. */
export const specAjvOptions = {
  strict: true,
  allErrors: true,
  allowUnionTypes: true,
  discriminator: true,
  // Every pattern in the spec is ASCII; the `u` flag only slows the regular expressions down.
  unicodeRegExp: false,
  // Shared schemas (DeviceId, Address …) are compiled into each place that uses them: some 10%
  // more code, but no function call (with an options object and a path string) per value.
  inlineRefs: true,
} as const;

/** One JSON Schema holding every component schema under `$defs`, ready for ajv. */
export function specSchemaBundle(document: Record<string, unknown>): { $id: string; $defs: { [key: string]: Json } } {
  const schemas = (document.components as { schemas: Record<string, Json> }).schemas;
  return { $id: bundleId, $defs: prepareForAjv(schemas, true) as { [key: string]: Json } };
}

/**
 * An ajv instance holding {@link specSchemaBundle}, with {@link specAjvOptions}. `standalone`
 * adds what standalone code generation needs; without it the instance compiles at run time
 * (the benchmark's baseline for what precompiling saves).
 */
export function createSpecAjv(document: Record<string, unknown>, { standalone }: { standalone: boolean }): Ajv2020 {
  const ajv = new Ajv2020({
    ...specAjvOptions,
    ...(standalone
      ? { code: { source: true, esm: true, formats: _`require("ajv-formats/dist/formats").fullFormats` } }
      : {}),
  });
  addFormats.default(ajv);
  ajv.addSchema(specSchemaBundle(document));
  return ajv;
}

/** The `$ref` under which {@link createSpecAjv} holds the component schema `name`. */
export const specSchemaRef = (name: string): string => `${bundleId}#/$defs/${name}`;

/**
 * `minimum`/`maximum` of a body schema's top-level numbers (listDevices' `maxNumberOfDevices`: at
 * most 100), riding on the validator as `numberLimits` for the same reason as `arrayLimits`.
 */
export function numberLimitsOf(
  document: Record<string, unknown>,
  name: string,
): Record<string, { minimum?: number; maximum?: number }> | undefined {
  const schemas = (
    document.components as { schemas: Record<string, { properties?: Record<string, Record<string, unknown>> }> }
  ).schemas;
  const limits = Object.entries(schemas[name]?.properties ?? {}).flatMap(([property, schema]) => {
    const bounds = Object.fromEntries(
      (["minimum", "maximum"] as const).flatMap((key) => (typeof schema[key] === "number" ? [[key, schema[key]]] : [])),
    );
    return Object.keys(bounds).length > 0 ? [[property, bounds] as const] : [];
  });
  return limits.length > 0 ? Object.fromEntries(limits) : undefined;
}

type ArrayLimits = Record<string, { minItems?: number; maxItems?: number }>;

/**
 * `minItems`/`maxItems` of a body schema's top-level arrays (activate's `devices`: at most
 * 10,000), for the code that splits a batch into requests. They ride on the validator as
 * `arrayLimits`, so the client reads the few numbers it needs without shipping the whole
 * bundled spec (some 57 KB minified).
 */
export function arrayLimitsOf(document: Record<string, unknown>, name: string): ArrayLimits | undefined {
  const schemas = (
    document.components as { schemas: Record<string, { properties?: Record<string, Record<string, unknown>> }> }
  ).schemas;
  const limits: ArrayLimits = {};
  for (const [property, schema] of Object.entries(schemas[name]?.properties ?? {})) {
    const bounds: { minItems?: number; maxItems?: number } = {};
    for (const key of ["minItems", "maxItems"] as const) if (typeof schema[key] === "number") bounds[key] = schema[key];
    if (Object.keys(bounds).length > 0) limits[property] = bounds;
  }
  return Object.keys(limits).length > 0 ? limits : undefined;
}

/**
 * The variants of a schema that is nothing but a `oneOf` of exported schemas (a callback
 * service's payload: CarrierService is ActivateSucceeded or DeviceFailed). They ride on the
 * validator as `variants`, so a caller can tell which variant a payload is while validating it
 * once: exactly one of them passing is what the schema means.
 */
export function oneOfVariantsOf(
  document: Record<string, unknown>,
  name: string,
  exported: readonly string[],
): string[] | undefined {
  const schema = (document.components as { schemas: Record<string, Record<string, unknown>> }).schemas[name] ?? {};
  const oneOf = schema.oneOf as { $ref?: string }[] | undefined;
  if (!oneOf || Object.keys(schema).some((key) => key !== "oneOf" && !annotationKeywords.has(key))) return undefined;
  const variants = oneOf.map((variant) =>
    variant.$ref?.startsWith(schemaRefPrefix) ? variant.$ref.slice(schemaRefPrefix.length) : "",
  );
  return variants.every((variant) => exported.includes(variant)) ? variants : undefined;
}

/** The generated validators module and its declarations, from the bundled spec. */
export function compileValidatorModule(document: Record<string, unknown>): { code: string; declarations: string } {
  const ajv = createSpecAjv(document, { standalone: true });
  const names = bodySchemaNames(document);
  const exports: Record<string, string> = {};
  for (const name of names) exports[`validate${name}`] = specSchemaRef(name);
  const limits = new Map(
    names.flatMap((name) => {
      const found = arrayLimitsOf(document, name);
      return found ? [[name, JSON.stringify(found)] as const] : [];
    }),
  );
  const attached = [...limits].map(([name, json]) => `validate${name}.arrayLimits = ${json};`);
  const variants = new Map(
    names.flatMap((name) => {
      const found = oneOfVariantsOf(document, name, names);
      return found ? [[name, found] as const] : [];
    }),
  );
  const numbers = new Map(
    names.flatMap((name) => {
      const found = numberLimitsOf(document, name);
      return found ? [[name, JSON.stringify(found)] as const] : [];
    }),
  );
  const listed = [...numbers]
    .map(([name, json]) => `validate${name}.numberLimits = ${json};`)
    .concat(
      [...variants].map(([name, of]) => `validate${name}.variants = [${of.map((v) => `validate${v}`).join(", ")}];`),
    );
  const code = [inlineAjvRuntime(standaloneCode.default(ajv, exports)), ...attached, ...listed, ""].join("\n");

  const declarations = [
    'import type { ValidateFunction } from "ajv";',
    'import type { components } from "./openapi-types.js";',
    "",
    ...names.map(
      (name) =>
        `/** Validates a \`${name}\` (compiled from spec/components/schemas/${name}.yaml). */\n` +
        `export declare const validate${name}: ValidateFunction<components["schemas"]["${name}"]>` +
        (limits.has(name)
          ? ` & {\n  /** \`minItems\`/\`maxItems\` of the top-level arrays. */\n  readonly arrayLimits: ${limits.get(name)};\n}`
          : "") +
        (variants.has(name)
          ? ` & {\n  /** The validators of the \`oneOf\` variants, in order: valid means exactly one of them passes. */\n  readonly variants: readonly [${variants
              .get(name)!
              .map((v) => `typeof validate${v}`)
              .join(", ")}];\n}`
          : "") +
        (numbers.has(name)
          ? ` & {\n  /** \`minimum\`/\`maximum\` of the top-level numbers. */\n  readonly numberLimits: ${numbers.get(name)};\n}`
          : "") +
        ";",
    ),
    "",
  ].join("\n");
  return { code, declarations };
}

/**
 * Compiles the spec's schemas into one standalone ESM module of ajv validators, so the
 * package never compiles a schema (nor calls `new Function`) at run time. The module imports
 * nothing: the few run-time helpers ajv's code needs are written into it (inline-ajv-runtime.ts).
 */
import { Ajv2020 } from "ajv/dist/2020.js";
import { inlineRef } from "ajv/dist/compile/resolve.js";
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
/** Also annotations: the spec's `x-` extensions (`x-allowed`), which ajv's strict mode would refuse. */
const isAnnotation = (key: string): boolean => annotationKeywords.has(key) || key.startsWith("x-");

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
    if (!isPropertyMap && isAnnotation(key)) continue;
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
 * The fields of the objects in a body schema's top-level arrays (activate's `devices`:
 * `deviceIds`, `ipAddress`), riding on the validator as `itemFields`: what a tool that reads
 * devices from a file may take per device, without restating the spec.
 */
export function itemFieldsOf(document: Record<string, unknown>, name: string): Record<string, string[]> | undefined {
  type Schema = { properties?: Record<string, Schema>; items?: Schema; $ref?: string };
  const schemas = (document.components as { schemas: Record<string, Schema> }).schemas;
  const resolve = (schema: Schema | undefined): Schema | undefined =>
    schema?.$ref?.startsWith(schemaRefPrefix) ? schemas[schema.$ref.slice(schemaRefPrefix.length)] : schema;
  const fields: Record<string, string[]> = {};
  for (const [property, schema] of Object.entries(schemas[name]?.properties ?? {})) {
    const item = resolve(resolve(schema)?.items);
    if (item?.properties) fields[property] = Object.keys(item.properties);
  }
  return Object.keys(fields).length > 0 ? fields : undefined;
}

/** The identifier kinds a request may name (`DeviceIdKind`'s enum), exported as `deviceIdKinds`. */
function deviceIdKindsOf(document: Record<string, unknown>): string[] {
  const kinds = (document.components as { schemas: Record<string, { enum?: unknown[] }> }).schemas.DeviceIdKind?.enum;
  if (!kinds?.every((kind) => typeof kind === "string"))
    throw new Error("spec: DeviceIdKind must be an enum of strings");
  return kinds as string[];
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
  if (!oneOf || Object.keys(schema).some((key) => key !== "oneOf" && !isAnnotation(key))) return undefined;
  const variants = oneOf.map((variant) =>
    variant.$ref?.startsWith(schemaRefPrefix) ? variant.$ref.slice(schemaRefPrefix.length) : "",
  );
  return variants.every((variant) => exported.includes(variant)) ? variants : undefined;
}

/** The keywords whose failures violation messages word with the schema's `x-allowed`. */
const describedKeywords = ["pattern", "format"] as const;

/** Keys under which a schema holds values, not subschemas: never searched for `x-allowed`. */
const valueKeywords = new Set(["const", "enum", "examples", "default", "discriminator"]);

// A schema path token as ajv writes it (RFC 6901, then URI-escaped: ajv's `escapeFragment`).
const schemaPathToken = (name: string): string => encodeURIComponent(name.replace(/~/g, "~0").replace(/\//g, "~1"));

/** Every `x-allowed` of a component schema, with the JSON Pointer of its schema inside the component. */
function allowedTextsIn(
  node: Json,
  pointer: string,
  isPropertyMap = false,
): { pointer: string; text: string; node: { [key: string]: Json } }[] {
  if (node === null || typeof node !== "object") return [];
  const found: { pointer: string; text: string; node: { [key: string]: Json } }[] = [];
  if (!Array.isArray(node) && !isPropertyMap && typeof node["x-allowed"] === "string") {
    found.push({ pointer, text: node["x-allowed"], node });
  }
  for (const [key, value] of Object.entries(node)) {
    if (!isPropertyMap && (valueKeywords.has(key) || isAnnotation(key))) continue;
    const isMap =
      !isPropertyMap &&
      !Array.isArray(node) &&
      ["properties", "patternProperties", "dependentSchemas", "$defs"].includes(key);
    found.push(...allowedTextsIn(value, `${pointer}/${schemaPathToken(key)}`, isMap));
  }
  return found;
}

/**
 * What each described rule allows, in words: the spec's `x-allowed`, keyed by the `schemaPath`
 * ajv reports when the `pattern` or `format` beside it fails, so violation messages can say
 * "15 or 16 digits (an IMEI)" where ajv says `must match ^[0-9]{15,16}$`. ajv reports the path
 * from the schema it compiled as a function: `#/$defs/<Name>/…` inside a component it inlined
 * (one without `$ref`s), `#/…` inside an exported validator's own schema or a component compiled
 * as a function of its own. Every `pattern` and `format` the validators check must be described,
 * and a path may have one description only: otherwise this throws, saying where.
 */
export function allowedBySchemaPath(
  document: Record<string, unknown>,
  exported: readonly string[],
  code: string,
): Record<string, string> {
  const schemas = (document.components as { schemas: Record<string, Json> }).schemas;
  const candidates = new Map<string, { text: string; at: string }[]>();
  for (const [name, schema] of Object.entries(schemas)) {
    // ajv's own rule for what it inlines (`inlineRefs: true`: a schema without `$ref`s).
    const inlined = inlineRef(prepareForAjv(schema) as never, true);
    const roots: string[] = [];
    if (inlined) roots.push(`#/$defs/${schemaPathToken(name)}`);
    if (exported.includes(name) || !inlined) roots.push("#");
    for (const { pointer, text, node } of allowedTextsIn(schema, "")) {
      const keywords = describedKeywords.filter((keyword) => keyword in node);
      if (keywords.length === 0) {
        throw new Error(
          `spec: the x-allowed of ${name}${pointer || " (its root)"} stands beside no ${describedKeywords.join(" or ")}`,
        );
      }
      for (const root of roots) {
        for (const keyword of keywords) {
          const key = `${root}${pointer}/${keyword}`;
          candidates.set(key, [...(candidates.get(key) ?? []), { text, at: `${name}${pointer}` }]);
        }
      }
    }
  }
  const table: Record<string, string> = {};
  const checked = new Set([...code.matchAll(/schemaPath:"([^"]*)"/g)].map((match) => match[1]!));
  for (const schemaPath of [...checked].sort()) {
    if (!describedKeywords.some((keyword) => schemaPath.endsWith(`/${keyword}`))) continue;
    const texts = candidates.get(schemaPath) ?? [];
    if (texts.length === 0) {
      throw new Error(`spec: the rule at ${schemaPath} has no x-allowed: say beside it, in words, what it allows`);
    }
    if (new Set(texts.map((entry) => entry.text)).size > 1) {
      throw new Error(
        `spec: ${texts.map((entry) => entry.at).join(" and ")} report their rules at the same path ${schemaPath} ` +
          "with different x-allowed: move one into a component schema of its own",
      );
    }
    table[schemaPath] = texts[0]!.text;
  }
  return table;
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
  const items = new Map(
    names.flatMap((name) => {
      const found = itemFieldsOf(document, name);
      return found ? [[name, JSON.stringify(found)] as const] : [];
    }),
  );
  const listed = [...numbers]
    .map(([name, json]) => `validate${name}.numberLimits = ${json};`)
    .concat([...items].map(([name, json]) => `validate${name}.itemFields = ${json};`))
    .concat(
      [...variants].map(([name, of]) => `validate${name}.variants = [${of.map((v) => `validate${v}`).join(", ")}];`),
    );
  const validators = inlineAjvRuntime(standaloneCode.default(ajv, exports));
  const allowed = `export const allowedBySchemaPath = ${JSON.stringify(allowedBySchemaPath(document, names, validators))};`;
  const kinds = `export const deviceIdKinds = ${JSON.stringify(deviceIdKindsOf(document))};`;
  const code = [validators, ...attached, ...listed, allowed, kinds, ""].join("\n");

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
        (items.has(name)
          ? ` & {\n  /** The fields of the objects in the top-level arrays. */\n  readonly itemFields: ${items.get(name)};\n}`
          : "") +
        ";",
    ),
    "",
    "/**",
    " * What each `pattern` and `format` rule allows, in words (the spec's `x-allowed`), by the",
    " * `schemaPath` ajv reports when it fails.",
    " */",
    "export declare const allowedBySchemaPath: Readonly<Record<string, string>>;",
    "",
    "/** The identifier kinds a request may name (the spec's `DeviceIdKind`). */",
    `export declare const deviceIdKinds: readonly components["schemas"]["DeviceIdKind"][];`,
    "",
  ].join("\n");
  return { code, declarations };
}

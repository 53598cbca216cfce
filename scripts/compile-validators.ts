/**
 * Compiles the spec's schemas into one standalone ESM module of ajv validators, so the
 * package never compiles a schema (nor calls `new Function`) at run time.
 */
import { Ajv2020 } from "ajv/dist/2020.js";
import standaloneCode from "ajv/dist/standalone/index.js";
import { _ } from "ajv";
import addFormats from "ajv-formats";

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

/**
 * ajv's standalone output still `require()`s its runtime helpers and the formats, even in ESM
 * mode; hoist each into an `import` so the module is pure ESM. They are CommonJS modules, and
 * hosts disagree on what a default import of one is (Node: `module.exports`; Vite and some
 * bundlers: `exports.default`), so the namespace is imported and `module.exports` picked out.
 */
function requiresToImports(code: string): string {
  const imports = new Map<string, string>();
  const body = code.replace(/require\("([^"]+)"\)/g, (_match, specifier: string) => {
    const file = specifier.endsWith(".js") ? specifier : `${specifier}.js`;
    if (!imports.has(file)) imports.set(file, `runtime${imports.size}`);
    return imports.get(file)!;
  });
  const lines = [...imports].flatMap(([file, name]) => [
    `import * as ${name}Namespace from ${JSON.stringify(file)};`,
    `const ${name} = typeof ${name}Namespace.default === "object" && ${name}Namespace.default !== null ? ${name}Namespace.default : ${name}Namespace;`,
  ]);
  return `${lines.join("\n")}\n${body}`;
}

/** The options the package's validators are compiled with. */
export const specAjvOptions = {
  strict: true,
  allErrors: true,
  allowUnionTypes: true,
  discriminator: true,
  // Every pattern in the spec is ASCII; the `u` flag only slows the regular expressions down.
  unicodeRegExp: false,
  // Shared schemas (DeviceId, Address …) become one function each instead of a copy per use.
  inlineRefs: false,
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

type ArrayLimits = Record<string, { minItems?: number; maxItems?: number }>;

/**
 * `minItems`/`maxItems` of a body schema's top-level arrays (activate's `devices`: at most
 * 10,000), for the code that splits a batch into requests. They ride on the validator as
 * `arrayLimits`, so the client reads the few numbers it needs without shipping the whole
 * bundled spec (some 57 KB minified).
 */
export function arrayLimitsOf(document: Record<string, unknown>, name: string): ArrayLimits | undefined {
  const schemas = (document.components as { schemas: Record<string, { properties?: Record<string, Record<string, unknown>> }> }).schemas;
  const limits: ArrayLimits = {};
  for (const [property, schema] of Object.entries(schemas[name]?.properties ?? {})) {
    const bounds: { minItems?: number; maxItems?: number } = {};
    for (const key of ["minItems", "maxItems"] as const) if (typeof schema[key] === "number") bounds[key] = schema[key];
    if (Object.keys(bounds).length > 0) limits[property] = bounds;
  }
  return Object.keys(limits).length > 0 ? limits : undefined;
}

export function compileValidatorModule(document: Record<string, unknown>): { code: string; declarations: string } {
  const ajv = createSpecAjv(document, { standalone: true });
  const names = bodySchemaNames(document);
  const exports: Record<string, string> = {};
  for (const name of names) exports[`validate${name}`] = specSchemaRef(name);
  const limits = new Map(names.flatMap((name) => {
    const found = arrayLimitsOf(document, name);
    return found ? [[name, JSON.stringify(found)] as const] : [];
  }));
  const attached = [...limits].map(([name, json]) => `validate${name}.arrayLimits = ${json};`);
  const code = [requiresToImports(standaloneCode.default(ajv, exports)), ...attached, ""].join("\n");

  const declarations = [
    'import type { ValidateFunction } from "ajv";',
    'import type { components } from "./openapi-types.js";',
    "",
    ...names.map(
      (name) =>
        `/** Validates a \`${name}\` (compiled from spec/components/schemas/${name}.yaml). */\n` +
        `export declare const validate${name}: ValidateFunction<components["schemas"]["${name}"]>` +
        (limits.has(name) ? ` & {\n  /** \`minItems\`/\`maxItems\` of the top-level arrays. */\n  readonly arrayLimits: ${limits.get(name)};\n};` : ";"),
    ),
    "",
  ].join("\n");
  return { code, declarations };
}

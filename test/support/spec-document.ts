/** The bundled spec (generated/openapi.json) and lookups the tests share. */
import { readFileSync } from "node:fs";
import * as validators from "../../generated/validators.js";
import type { ValidateFunction } from "ajv";

interface MediaType {
  schema?: { $ref?: string };
  examples?: Record<string, { $ref?: string; value?: unknown }>;
}
interface Operation {
  operationId: string;
  requestBody?: { content: Record<string, MediaType> };
}
type PathItem = Record<string, Operation>;

export const specDocument = JSON.parse(
  readFileSync(new URL("../../generated/openapi.json", import.meta.url), "utf8"),
) as {
  paths: Record<string, PathItem>;
  webhooks: Record<string, PathItem>;
  components: { examples: Record<string, { summary: string; value: unknown }>; schemas: Record<string, unknown> };
};

/** The example named `name` in spec/components/examples. */
export function specExample<T = unknown>(name: string): T {
  const example = specDocument.components.examples[name];
  if (!example) throw new Error(`no example named ${name} in spec/components/examples`);
  return structuredClone(example.value) as T;
}

/** Every generated validator, by its export name (the module also exports the `allowedBySchemaPath` table). */
export const generatedValidators = Object.fromEntries(
  Object.entries(validators).filter(([name]) => name.startsWith("validate")),
) as Record<string, ValidateFunction>;

export function validatorFor(schemaName: string): ValidateFunction {
  const validate = generatedValidators[`validate${schemaName}`];
  if (!validate) throw new Error(`no generated validator for ${schemaName}`);
  return validate;
}

/** Every named example of a JSON request body, paired with the schema it must satisfy. */
export function requestBodyExamples(): { operationId: string; example: string; schema: string }[] {
  const rows: { operationId: string; example: string; schema: string }[] = [];
  for (const items of [specDocument.paths, specDocument.webhooks]) {
    for (const pathItem of Object.values(items)) {
      for (const operation of Object.values(pathItem)) {
        const media = operation.requestBody?.content["application/json"];
        if (!media?.schema?.$ref || !media.examples) continue;
        for (const example of Object.values(media.examples)) {
          rows.push({
            operationId: operation.operationId,
            example: example.$ref!.split("/").pop()!,
            schema: media.schema.$ref.split("/").pop()!,
          });
        }
      }
    }
  }
  return rows;
}

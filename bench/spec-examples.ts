/** The bundled spec's named examples, for the benchmarks (the same fixtures the tests use). */
import { readFileSync } from "node:fs";

const document = JSON.parse(readFileSync(new URL("../generated/openapi.json", import.meta.url), "utf8")) as {
  components: { examples: Record<string, { value: unknown }> };
};

/** The callback examples of the pages, one per message ThingSpace sends. */
export const callbackExampleNames = [
  "CarrierServiceActivateSucceeded",
  "CarrierServiceActivateFailed",
  "NiddServiceConfigCreated",
  "NiddServiceConfigFailed",
  "StateServiceGoToStateSucceeded",
] as const;

/** A deep copy of the example named `name`. */
export function specExample<T = unknown>(name: string): T {
  const example = document.components.examples[name];
  if (!example) throw new Error(`no example named ${name} in generated/openapi.json`);
  return structuredClone(example.value) as T;
}

/** The geometric mean, the fair average of ratios. */
export const geometricMean = (values: readonly number[]): number =>
  Math.exp(values.reduce((sum, value) => sum + Math.log(value), 0) / values.length);

/**
 * #1: `parseCallback` on each callback example's text (parse, validate, classify, normalize),
 * against `JSON.parse` of the same text.
 */
import type { ValidateFunction } from "ajv";
import {
  validateCarrierServiceCallback,
  validateNiddServiceCallback,
  validateStateServiceCallback,
} from "../../generated/validators.js";
import { parseCallback } from "../../src/callbacks/parse.js";
import type { BenchCase } from "../case.js";
import { compare, formatMs } from "../harness.js";
import { callbackExampleNames, geometricMean, specExample } from "../spec-examples.js";

/** Each example's service validator: JSON.parse and it alone are the least parseCallback can do. */
const serviceValidatorOf = (name: string): ValidateFunction =>
  name.startsWith("Carrier")
    ? validateCarrierServiceCallback
    : name.startsWith("Nidd")
      ? validateNiddServiceCallback
      : validateStateServiceCallback;

export const parseCallbackExamples: BenchCase = {
  id: 1,
  async run() {
    const figures: string[] = [];
    const ratios: number[] = [];
    const floors: number[] = [];
    for (const name of callbackExampleNames) {
      const text = JSON.stringify(specExample(name));
      const parsed = parseCallback(text);
      if (!parsed.ok) throw new Error(`${name} does not parse: ${JSON.stringify(parsed.violations)}`);
      const result = await compare(
        () => JSON.parse(text),
        () => parseCallback(text),
        { rounds: 7, msPerRound: 200 },
      );
      const validate = serviceValidatorOf(name);
      const floor = await compare(
        () => JSON.parse(text),
        () => validate(JSON.parse(text)),
        { rounds: 5, msPerRound: 150 },
      );
      ratios.push(result.ratio);
      floors.push(floor.ratio);
      figures.push(
        `${name} (${text.length} B, ${parsed.callback.kind}): ${result.ratio.toFixed(2)}× (${formatMs(result.subject.mean)} vs ${formatMs(result.baseline.mean)}); JSON.parse + its service validator alone ${floor.ratio.toFixed(2)}×`,
      );
    }
    const mean = geometricMean(ratios);
    return {
      id: 1,
      what: "`parseCallback` on each callback example (parse + validate)",
      baseline: "`JSON.parse` of the same text",
      target: "≤ 1.25×",
      figures: [
        `geometric mean ${mean.toFixed(2)}× (JSON.parse followed by the service's generated validator alone: ${geometricMean(floors).toFixed(2)}×)`,
        ...figures,
      ],
      met: mean <= 1.25,
      note:
        "What bounds it: validating a message against the spec (its service's `oneOf`, every error collected) costs a sizeable fraction of `JSON.parse` by itself, as the second figure shows; the rest is building the parsed callback (lower-case identifiers, the deduplicated list of every reported identifier, the device key). " +
        "It started at 2.6×: each parsed callback defined its own `toJSON` and inspect closures (now shared on a prototype), the passing variant was validated a second time to tell the kind (now each variant of the generated `variants` is validated once), and every shared schema was a separate function called with an options object and a path string per value (the validators are now compiled with `inlineRefs`). " +
        "A second set of validators compiled with `allErrors: false`, tried first, would save part of the validation for valid bodies at the price of twice the validators' size.",
    };
  },
};

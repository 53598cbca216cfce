/**
 * #1: `parseCallback` on each callback example's text (parse, validate, classify, normalize),
 * against `JSON.parse` of the same text.
 */
import { parseCallback } from "../../src/callbacks/parse-callback.js";
import type { BenchCase } from "../case.js";
import { compare, formatMs } from "../harness.js";
import { callbackExampleNames, geometricMean, specExample } from "../spec-examples.js";

export const parseCallbackExamples: BenchCase = {
  id: 1,
  async run() {
    const figures: string[] = [];
    const ratios: number[] = [];
    for (const name of callbackExampleNames) {
      const text = JSON.stringify(specExample(name));
      const parsed = parseCallback(text);
      if (!parsed.ok) throw new Error(`${name} does not parse: ${JSON.stringify(parsed.violations)}`);
      const result = await compare(
        () => JSON.parse(text),
        () => parseCallback(text),
        { rounds: 7, msPerRound: 200 },
      );
      ratios.push(result.ratio);
      figures.push(
        `${name} (${text.length} B, ${parsed.callback.kind}): ${result.ratio.toFixed(2)}× (${formatMs(result.subject.mean)} vs ${formatMs(result.baseline.mean)})`,
      );
    }
    const mean = geometricMean(ratios);
    return {
      id: 1,
      what: "`parseCallback` on each callback example (parse + validate)",
      baseline: "`JSON.parse` of the same text",
      target: "≤ 1.25×",
      figures: [`geometric mean ${mean.toFixed(2)}×`, ...figures],
      met: mean <= 1.25,
    };
  },
};

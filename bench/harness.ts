/**
 * Side-by-side timing: a baseline and a subject measured in the same process, alternately over
 * several rounds, so machine noise hits both; figures are ratios, never absolute thresholds.
 */
import { Bench } from "tinybench";

export interface Timing {
  /** Mean milliseconds per operation. */
  mean: number;
  /** 99th percentile milliseconds per operation. */
  p99: number;
  samples: number;
}

export interface Comparison {
  /** The timings of the round whose ratio is the median (samples: of every round). */
  baseline: Timing;
  subject: Timing;
  /** subject mean / baseline mean, the median over the rounds. */
  ratio: number;
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
};

async function time(fn: () => unknown, ms: number): Promise<Timing> {
  const bench = new Bench({ time: ms, warmupTime: Math.min(200, ms / 2) });
  bench.add("task", fn as () => void);
  await bench.warmup();
  await bench.run();
  const result = bench.tasks[0]!.result!;
  return { mean: result.mean, p99: result.p99, samples: result.samples.length };
}

/** Runs baseline and subject alternately `rounds` times, each first in turn; reports the median ratio. */
export async function compare(
  baseline: () => unknown,
  subject: () => unknown,
  { rounds = 5, msPerRound = 300 }: { rounds?: number; msPerRound?: number } = {},
): Promise<Comparison> {
  const pairs: { baseline: Timing; subject: Timing }[] = [];
  for (let round = 0; round < rounds; round++) {
    // Each goes first every other round, so that neither always runs on the other's leftovers
    // (garbage, a cooler or busier CPU).
    if (round % 2 === 0) {
      const first = await time(baseline, msPerRound);
      pairs.push({ baseline: first, subject: await time(subject, msPerRound) });
    } else {
      const first = await time(subject, msPerRound);
      pairs.push({ baseline: await time(baseline, msPerRound), subject: first });
    }
  }
  const ratios = pairs.map((pair) => pair.subject.mean / pair.baseline.mean);
  const ratio = median(ratios);
  // The timings shown beside the ratio are those of the round it is: medians taken side by side
  // could come from different rounds and disagree with it (a ratio above 1 printed beside a
  // subject faster than its baseline).
  const middle = pairs[ratios.indexOf(ratio)]!;
  const pick = (key: "baseline" | "subject"): Timing => ({
    mean: middle[key].mean,
    p99: middle[key].p99,
    samples: pairs.reduce((sum, pair) => sum + pair[key].samples, 0),
  });
  return { baseline: pick("baseline"), subject: pick("subject"), ratio };
}

export const formatMs = (ms: number): string =>
  ms >= 100 ? `${ms.toFixed(0)} ms` : ms >= 1 ? `${ms.toFixed(2)} ms` : `${(ms * 1000).toFixed(1)} µs`;

export { median };

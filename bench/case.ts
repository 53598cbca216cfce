/** What one benchmark reports to the runner, which writes BENCHMARKS.md. */
export interface BenchResult {
  /** The row of issue #6's table. */
  id: number;
  what: string;
  baseline: string;
  target: string;
  /** Measured figures, one per line, ratios first. */
  figures: string[];
  /** Whether the target was met; null where the row has no target. */
  met: boolean | null;
  /** What bounds the figure, when a target is missed or needs a word. */
  note?: string;
}

export interface BenchCase {
  id: number;
  run(): Promise<BenchResult>;
}

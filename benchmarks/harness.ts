import { measure } from 'mitata';

/** One measured case of a suite. `measure` returns the value in the suite's unit. */
export interface BenchRow {
  readonly name: string;
  readonly measure: () => Promise<number>;
}

/** A table of cases compared with the first row, the baseline. */
export interface BenchSuite {
  readonly title: string;
  /** e.g. `ns/op`, `bytes`, `ops/s`. */
  readonly unit: string;
  /** When higher values are better (throughput), ratios are inverted so that lower is always better. */
  readonly higherIsBetter?: boolean;
  /** The goal, shown under the table, e.g. `bulwark ≤ 1.5× bare`. */
  readonly goal?: string;
  readonly rows: readonly BenchRow[];
}

/**
 * Time of one call of `fn`, in nanoseconds: after a warm-up run, the lowest of three medians
 * measured by mitata. The machine may be shared, and interference only ever adds time.
 */
export async function nsPerCall(fn: () => unknown): Promise<number> {
  const median = async () => (await measure(fn, { min_cpu_time: 200 * 1e6 })).p50;
  await median();
  let best = Number.POSITIVE_INFINITY;
  for (let run = 0; run < 3; run++) best = Math.min(best, await median());
  return best;
}

export interface SuiteResult {
  readonly suite: BenchSuite;
  readonly values: readonly number[];
}

export async function runSuite(suite: BenchSuite): Promise<SuiteResult> {
  const values: number[] = [];
  for (const row of suite.rows) values.push(await row.measure());
  return { suite, values };
}

function format(value: number): string {
  if (value >= 100) return Math.round(value).toLocaleString('en-US');
  return value.toPrecision(3);
}

/** Renders a suite as a Markdown table with each row's ratio to the baseline. */
export function renderSuite({ suite, values }: SuiteResult): string {
  const baseline = values[0] ?? Number.NaN;
  const lines = [
    `### ${suite.title}`,
    '',
    `| case | ${suite.unit} | × ${suite.rows[0]?.name ?? 'baseline'} |`,
    '|---|---:|---:|',
  ];
  suite.rows.forEach((row, index) => {
    const value = values[index] ?? Number.NaN;
    const ratio = suite.higherIsBetter ? baseline / value : value / baseline;
    lines.push(`| ${row.name} | ${format(value)} | ${ratio.toFixed(2)}× |`);
  });
  if (suite.goal) lines.push('', `Goal: ${suite.goal}`);
  return lines.join('\n');
}

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
  /**
   * How many times each row is measured, the rows taking turns so that a slow spell of a shared
   * machine falls on every row alike; a row's value is its best round. Suites whose rows repeat
   * themselves or change state set 1. @default 5
   */
  readonly rounds?: number;
  readonly rows: readonly BenchRow[];
}

/**
 * Time of one call of `fn`, in nanoseconds: the median measured by mitata after a warm-up run.
 * A suite takes the lowest over its rounds: the machine may be shared, and interference only
 * ever adds time.
 */
export async function nsPerCall(fn: () => unknown): Promise<number> {
  await measure(fn, { min_cpu_time: 50 * 1e6 });
  return (await measure(fn, { min_cpu_time: 200 * 1e6 })).p50;
}

export interface SuiteResult {
  readonly suite: BenchSuite;
  readonly values: readonly number[];
}

export async function runSuite(suite: BenchSuite): Promise<SuiteResult> {
  const better = suite.higherIsBetter ? Math.max : Math.min;
  const values = suite.rows.map(() => (suite.higherIsBetter ? 0 : Number.POSITIVE_INFINITY));
  for (let round = 0; round < (suite.rounds ?? 5); round++) {
    for (const [index, row] of suite.rows.entries())
      values[index] = better(values[index]!, await row.measure());
  }
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

/** Percentiles and one-line summaries of latency samples (milliseconds). */

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  // Nearest-rank: the smallest sample with at least p% of samples at or below it.
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1] ?? Number.NaN;
}

/** Latencies to the launch being called (the issue's measure) and to RunTask having returned, in ms. */
export interface LatencySamples {
  called: number[];
  returned: number[];
}

export interface Summary {
  n: number;
  min: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
}

export function summarize(samples: readonly number[]): Summary {
  const s = [...samples].sort((a, b) => a - b);
  const mean = s.reduce((a, b) => a + b, 0) / Math.max(1, s.length);
  return { n: s.length, min: s[0] ?? Number.NaN, p50: percentile(s, 50), p90: percentile(s, 90), p99: percentile(s, 99), max: s.at(-1) ?? Number.NaN, mean };
}

const ms = (v: number): string => (Number.isFinite(v) ? v.toFixed(1) : "n/a").padStart(8);

export function summaryHeader(): string {
  return ["".padEnd(34), "n".padStart(5), "min ms", "p50 ms", "p90 ms", "p99 ms", "max ms", "mean ms"].map((c, i) => (i > 1 ? c.padStart(8) : c)).join(" ");
}

export function summaryRow(label: string, s: Summary): string {
  return [label.padEnd(34), String(s.n).padStart(5), ms(s.min), ms(s.p50), ms(s.p90), ms(s.p99), ms(s.max), ms(s.mean)].join(" ");
}

export function ratio(ours: number, base: number): string {
  if (!Number.isFinite(ours) || !Number.isFinite(base) || base === 0) return "n/a";
  const r = ours / base;
  return `${r.toFixed(3)} x (${r <= 1 ? `ours ${(1 / r).toFixed(1)} x faster` : `ours ${r.toFixed(1)} x SLOWER`})`;
}

/** "met" or how far off a target is, never a pass/fail assertion. */
export function against(value: number, target: number, unit: string): string {
  if (!Number.isFinite(value)) return `no data (target < ${target} ${unit})`;
  return value < target
    ? `meets target < ${target} ${unit}`
    : `MISSES target < ${target} ${unit} by ${(value - target).toFixed(1)} ${unit} (${(value / target).toFixed(2)} x)`;
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Runs `fn` over `items` with at most `limit` in flight. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T, i: number) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    for (;;) {
      const i = next++;
      if (i >= items.length) return;
      out[i] = await fn(items[i] as T, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

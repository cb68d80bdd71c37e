/** Timing helpers shared by the API benches. */

export interface Timing {
  median: number;
  p95: number;
  min: number;
  max: number;
  runs: number;
}

/** Nearest-rank percentile of a sample. */
export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? 0;
}

/** Runs `fn` `warmup` times untimed, then `runs` times timed, one after the other. */
export async function timeRepeated(fn: () => Promise<unknown>, options: { warmup: number; runs: number }): Promise<Timing> {
  for (let i = 0; i < options.warmup; i += 1) await fn();
  const samples: number[] = [];
  for (let i = 0; i < options.runs; i += 1) {
    const started = performance.now();
    await fn();
    samples.push(performance.now() - started);
  }
  return { median: percentile(samples, 50), p95: percentile(samples, 95), min: Math.min(...samples), max: Math.max(...samples), runs: samples.length };
}

export const ms = (n: number): string => (n < 10 ? n.toFixed(1) : n.toFixed(0));

export function log(line: string): void {
  process.stdout.write(`${line}\n`);
}

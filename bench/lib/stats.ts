// Small numeric helpers for benchmark reports.

export interface Percentiles {
  p50: number;
  p95: number;
  p99: number;
  n: number;
}

/** Nearest-rank percentiles of a sample. */
export function percentiles(values: readonly number[]): Percentiles {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))] ?? NaN;
  return { p50: at(0.5), p95: at(0.95), p99: at(0.99), n: sorted.length };
}

export function median(values: readonly number[]): number {
  return percentiles(values).p50;
}

export function round(value: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

export const mb = (bytes: number): number => round(bytes / 2 ** 20, 1);

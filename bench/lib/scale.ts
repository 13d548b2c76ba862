// What one scale-curve point (bench/scale-point.ts) reports to bench/speed.ts, as one JSON line.
export interface ScalePoint {
  kind: string;
  size: number;
  build_s?: number;
  persist_s?: number;
  persist_bytes?: number;
  query_p50_ms?: number;
  rss_mb?: number;
  heap_mb?: number;
  error?: string;
  /** The step that failed, when one did. */
  stage?: string;
}

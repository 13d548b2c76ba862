// Loads LanceDB's native module (and Apache Arrow) on first use only: the small backend never
// pays for it. LanceDB 0.31's full-text index build hangs forever on a 2-core machine above
// ~15k rows unless its CPU pool has at least 4 threads, and the pool size is read once, when
// the native module loads: hence the variable is set here, before the import.
import { createRequire } from 'node:module';

type LanceModule = typeof import('@lancedb/lancedb');
type ArrowModule = typeof import('apache-arrow');

let loading: Promise<{ lancedb: LanceModule; arrow: ArrowModule }> | undefined;

export function loadLance(): Promise<{ lancedb: LanceModule; arrow: ArrowModule }> {
  loading ??= (async () => {
    process.env.LANCE_CPU_THREADS ??= '4';
    // Its Rust log (e.g. a warning on creating every new table) would interleave with ours on stderr.
    process.env.LANCEDB_LOG ??= 'error';
    const lancedb = await import('@lancedb/lancedb');
    // LanceDB requires Arrow's CommonJS build; an ESM import would be a second copy whose
    // tables LanceDB does not recognize as tables.
    const arrow = createRequire(import.meta.url)('apache-arrow') as ArrowModule;
    return { lancedb, arrow };
  })();
  return loading;
}

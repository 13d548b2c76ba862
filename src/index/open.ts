// Which backend an index folder uses: the one its manifest records. Opening an index with the
// other one is an error that says how to move it over, never a silent empty index.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { PapertalkError } from '../errors.js';
import type { BackendName, BackendOptions, IndexBackend } from './backend.js';
import { lanceBackend } from './lancedb/backend.js';
import { isObjectStoreUri } from './storage.js';
import { vectraBackend } from './vectra-backend.js';

export function createBackend(name: BackendName, options: BackendOptions): IndexBackend {
  return name === 'lancedb' ? lanceBackend(options) : vectraBackend(options);
}

/**
 * The backend recorded in `dir`'s manifest (manifests from before the LanceDB backend name
 * none: those are vectra), or null for a folder without an index. An unreadable manifest is
 * left for the backend to report as damaged.
 */
export async function recordedBackend(dir: string): Promise<BackendName | null> {
  // Only LanceDB lives on object storage (config.ts refuses vectra there).
  if (isObjectStoreUri(dir)) return 'lancedb';
  let text: string;
  try {
    text = await readFile(path.join(dir, 'manifest.json'), 'utf8');
  } catch {
    return null;
  }
  try {
    const { backend } = JSON.parse(text) as { backend?: unknown };
    return backend === 'lancedb' ? 'lancedb' : 'vectra';
  } catch {
    return null;
  }
}

/** The backend to open `dir` with: the configured one, which must match what the index records. */
export function resolveBackend(dir: string, configured: BackendName | undefined, recorded: BackendName | null): BackendName {
  if (!configured || !recorded || configured === recorded) return configured ?? recorded ?? 'vectra';
  throw new PapertalkError(
    'index_backend_mismatch',
    `the index in ${dir} uses the ${recorded} backend but papertalk is set to ${configured}; ` +
      `set PAPERTALK_INDEX_BACKEND=${recorded}, or move the index with \`papertalk migrate --backend ${configured}\``,
  );
}

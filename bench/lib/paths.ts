// Where benchmarks find shared data and write results (the same places the tests use).
import path from 'node:path';
import { repoRoot } from '../../test/support/corpus.js';
import { sharedDir } from '../../test/support/tiny-model.js';

export { repoRoot, sharedDir };

/** BEIR SciFact beside the repo: ../shared/bench-data/scifact, or under PAPERTALK_SHARED_DIR. */
export const defaultScifactDir = (): string => path.join(sharedDir(), 'bench-data', 'scifact');

export const resultsDir = path.join(repoRoot, 'bench', 'results');

/** A results file name that sorts by time: `<name>-2025-01-31T12-00-00.json`. */
export function resultsFile(name: string): string {
  const stamp = new Date().toISOString().replace(/\..*$/, '').replace(/:/g, '-');
  return path.join(resultsDir, `${name}-${stamp}.json`);
}

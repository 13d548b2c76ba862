// Paths of the bundled sample corpus (five Hugging Face listing pages), shared by all tests.
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const sampleDir = path.join(repoRoot, 'data', 'sample');
/** Absolute paths of the sample listing files, sorted by name. */
export const sampleFiles: string[] = readdirSync(sampleDir)
  .filter((name) => name.endsWith('.txt'))
  .sort()
  .map((name) => path.join(sampleDir, name));

/** Facts about the sample corpus that tests check against. */
export const sampleCorpus = {
  /** Title/abstract entries across all five files, duplicates included. */
  entries: 729,
  /** Distinct papers (duplicates across files are identical). */
  uniquePapers: 632,
} as const;

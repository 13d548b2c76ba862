// Builds web/dist once before the browser tests, so they always test the current page source.
import { execFileSync } from 'node:child_process';
import { repoRoot } from '../support/corpus.js';

export default function buildPage(): void {
  execFileSync(process.execPath, ['scripts/build-web.mjs'], { cwd: repoRoot, stdio: 'inherit' });
}

// Where papertalk's own files are (prompts, the built page), found from this module's location
// so that the same code works from src/ (through tsx) and from the bundle in dist/.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

function findPackageRoot(start: string): string {
  for (let dir = start; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'package.json')) && existsSync(path.join(dir, 'prompts'))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`papertalk's package folder not found above ${start}`);
  }
}

export const packageRoot = findPackageRoot(path.dirname(fileURLToPath(import.meta.url)));
export const promptsDir = path.join(packageRoot, 'prompts');
export const webDistDir = path.join(packageRoot, 'web', 'dist');

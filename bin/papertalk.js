#!/usr/bin/env node
// Runs the CLI: the esbuild bundle in dist/ when it is newer than every source file (fast start),
// otherwise the TypeScript sources through tsx (no build step between a change and a run).
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bundle = path.join(root, 'dist', 'papertalk.mjs');

function newestSource(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const file = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestSource(file) : statSync(file).mtimeMs);
  }
  return newest;
}

function bundleIsFresh() {
  try {
    return statSync(bundle).mtimeMs >= newestSource(path.join(root, 'src'));
  } catch {
    return false;
  }
}

let cli;
if (bundleIsFresh()) {
  cli = await import(pathToFileURL(bundle).href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  cli = await import('../src/cli/main.ts');
}

const args = process.argv.slice(2);
const code = await cli.main(args);
// `serve` keeps running; every other command exits once its output is flushed (a loaded
// model's thread pool would otherwise keep the process alive).
if (code !== 0 || !args.includes('serve')) process.stdout.write('', () => process.exit(code));

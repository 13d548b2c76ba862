#!/usr/bin/env node
// Bundles the CLI and server (src/) into dist/papertalk.mjs so `papertalk` starts without
// compiling TypeScript; bin/papertalk.js falls back to the sources when this is stale.
// Dependencies stay external: they load from node_modules as usual.
import { build } from 'esbuild';
import { rename } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const out = path.join(root, 'dist', 'papertalk.mjs');
const tmp = `${out}.${process.pid}.tmp`;

await build({
  entryPoints: [path.join(root, 'src', 'cli', 'main.ts')],
  outfile: tmp,
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  packages: 'external',
  sourcemap: 'inline',
  logLevel: 'warning',
});
// Swapped in whole, so a starting `papertalk` never loads half a file.
await rename(tmp, out);
console.log(`built ${path.relative(root, out)}`);

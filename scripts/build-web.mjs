#!/usr/bin/env node
// Bundles the chat page: web/src/main.ts + web/src/styles.css + web/index.html -> web/dist/.
// Asset names carry a content hash (safe to cache forever); index.html points at them.
// The new build is written beside the old one and swapped in, so a running server never
// serves a half-written page. Fails when the page outgrows its gzip budget.
import { build } from 'esbuild';
import { gzipSync } from 'node:zlib';
import { copyFile, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const webDir = path.join(root, 'web');
const distDir = path.join(webDir, 'dist');
const stagingDir = path.join(webDir, `.dist-${process.pid}`);
const BUDGET_GZIP_BYTES = 100 * 1024;
// Copied as they are (small, rarely changing, referenced by a fixed name).
const staticFiles = ['favicon.svg'];

// index.html references sources; each is swapped for its bundled, hashed file.
const entries = [
  { name: 'main', source: 'src/main.ts' },
  { name: 'styles', source: 'src/styles.css' },
];

async function main() {
  await rm(stagingDir, { recursive: true, force: true });
  await mkdir(stagingDir, { recursive: true });
  try {
    const result = await build({
      absWorkingDir: root,
      entryPoints: Object.fromEntries(entries.map((e) => [e.name, path.join(webDir, e.source)])),
      outdir: path.join(stagingDir, 'assets'),
      entryNames: '[name]-[hash]',
      bundle: true,
      minify: true,
      format: 'esm',
      target: ['es2022', 'chrome110', 'firefox115', 'safari16'],
      sourcemap: false,
      legalComments: 'none',
      metafile: true,
      logLevel: 'warning',
    });

    let html = await readFile(path.join(webDir, 'index.html'), 'utf8');
    const assets = [];
    for (const [outPath, output] of Object.entries(result.metafile.outputs)) {
      if (!output.entryPoint) continue;
      const entry = entries.find((e) => path.resolve(root, output.entryPoint) === path.join(webDir, e.source));
      if (!entry) continue;
      const href = `assets/${path.basename(outPath)}`;
      if (!html.includes(`"${entry.source}"`)) throw new Error(`web/index.html does not reference ${entry.source}`);
      html = html.replace(`"${entry.source}"`, `"${href}"`);
      assets.push(path.resolve(root, outPath));
    }
    await writeFile(path.join(stagingDir, 'index.html'), html);
    for (const file of staticFiles) await copyFile(path.join(webDir, file), path.join(stagingDir, file));

    const rows = [];
    let totalGzip = 0;
    for (const file of [...assets, path.join(stagingDir, 'index.html')]) {
      const bytes = await readFile(file);
      const gzip = gzipSync(bytes, { level: 9 }).length;
      if (file.endsWith('.js') || file.endsWith('.css')) totalGzip += gzip;
      rows.push([path.relative(stagingDir, file), bytes.length, gzip]);
    }
    const kb = (n) => `${(n / 1024).toFixed(1)} KB`.padStart(9);
    for (const [name, raw, gzip] of rows) console.log(`  ${name.padEnd(32)} ${kb(raw)}  ${kb(gzip)} gzip`);
    console.log(`  JS+CSS total ${kb(totalGzip)} gzip (budget ${kb(BUDGET_GZIP_BYTES).trim()})`);
    if (totalGzip > BUDGET_GZIP_BYTES) throw new Error(`the page is over its gzip budget: ${totalGzip} > ${BUDGET_GZIP_BYTES} bytes`);

    // Swap: the old dist disappears only once the new one is complete.
    const oldDir = path.join(webDir, `.dist-old-${process.pid}`);
    await rename(distDir, oldDir).catch((error) => {
      if (error.code !== 'ENOENT') throw error;
    });
    await rename(stagingDir, distDir);
    await rm(oldDir, { recursive: true, force: true });
    console.log(`built ${path.relative(root, distDir)}/`);
  } catch (error) {
    await rm(stagingDir, { recursive: true, force: true });
    throw error;
  }
}

main().catch((error) => {
  console.error(`build-web: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});

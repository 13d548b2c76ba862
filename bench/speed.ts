// Speed of papertalk, each figure beside a baseline measured in the same run:
// ingest, embedding throughput against the raw transformers.js pipeline, search latency over
// real HTTP per mode at 632 papers (the sample) and 5,183 (SciFact), server RSS, index size,
// cold start of `papertalk serve`, and a scale curve over synthetic corpora.
//
//   npm run bench:speed [-- --quick] [-- --scale 10000,100000] [-- --no-scale] [-- --no-scifact]
//
// --quick: scale curve at 10k only and no dense search over SciFact (about 3 minutes).
// The tiny test model stands in for a real one: its throughput ratio and query-embedding cost
// exercise the real code, but a real model is slower in absolute terms.
import { spawn } from 'node:child_process';
import { mkdir, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import MiniSearch from 'minisearch';
import type { Config } from '../src/config.js';
import { openEngine, type Engine } from '../src/engine.js';
import { describeError } from '../src/errors.js';
import { loadBeirDataset } from '../src/eval/beir.js';
import { chunkEmbeddingText } from '../src/index/chunk.js';
import type { VectraReader } from '../src/index/vectra-backend.js';
import { BATCH_SIZE, loadEmbedder, ONNX_THREADS } from '../src/index/embedder.js';
import { readSource } from '../src/ingest/read.js';
import { toPapers } from '../src/ingest/to-papers.js';
import type { SearchMode } from '../src/types.js';
import { sampleDir } from '../test/support/corpus.js';
import { tempDir, testConfig } from '../test/support/engine.js';
import { TINY_MODEL } from '../test/support/tiny-model.js';
import { defaultScifactDir, repoRoot, resultsFile } from './lib/paths.js';
import type { ScalePoint } from './lib/scale.js';
import { mb, median, percentiles, round, type Percentiles } from './lib/stats.js';

const { values: flags } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    scale: { type: 'string' },
    'no-scale': { type: 'boolean', default: false },
    'no-scifact': { type: 'boolean', default: false },
    'scale-timeout': { type: 'string', default: '120' },
    'json-out': { type: 'string' },
  },
});
const scaleSizes = flags['no-scale'] ? [] : (flags.scale ?? (flags.quick ? '10000' : '10000,100000,500000')).split(',').map(Number);
const QUERY_COUNT = 240;
const WARMUP = 30;
const K = 10;
/** The embedder's own batch size and threads, so the raw pipeline gets the same work shape. */
const EMBED_BATCH = BATCH_SIZE;

interface Row {
  figure: string;
  value: string;
  baseline: string;
  target?: string;
}
const rows: Row[] = [];
const record: Record<string, unknown> = { load_average_at_start: os.loadavg().map((n) => round(n, 1)) };
const log = (message: string) => console.error(`[bench:speed] ${message}`);
const ms = (value: number) => `${round(value, 2)} ms`;
const latency = (p: Percentiles) => `p50 ${round(p.p50, 2)} / p95 ${round(p.p95, 2)} / p99 ${round(p.p99, 2)} ms`;

async function timed<T>(task: () => Promise<T>): Promise<{ result: T; seconds: number }> {
  const started = performance.now();
  const result = await task();
  return { result, seconds: (performance.now() - started) / 1000 };
}

async function dirBytes(dir: string): Promise<number> {
  let total = 0;
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) total += (await stat(path.join(entry.parentPath, entry.name))).size;
  }
  return total;
}

/** Varied queries from a corpus: 3 to 10 consecutive words of spread-out abstracts. */
function queriesFrom(abstracts: string[], count: number): string[] {
  return Array.from({ length: count }, (_, i) => {
    const words = abstracts[(i * 7919) % abstracts.length]!.split(/\s+/);
    const length = 3 + (i % 8);
    const start = (i * 31) % Math.max(1, words.length - length);
    return words.slice(start, start + length).join(' ');
  });
}

async function freshEngine(dense: boolean): Promise<{ engine: Engine; config: Config }> {
  const config = await testConfig({ dense });
  const embedder = dense ? await loadEmbedder(config) : undefined;
  if (embedder && !embedder.loaded) throw new Error(`tiny model did not load: ${embedder.reason}`);
  return { engine: await openEngine(config, { embedder }), config };
}

// ---------------------------------------------------------------- ingest

async function ingestFigures() {
  const papers = toPapers((await readSource(sampleDir)).papers);
  const runs: number[] = [];
  const bare: number[] = [];
  let lexicalIndexDir = '';
  for (let round_ = 0; round_ < 3; round_++) {
    const { engine, config } = await freshEngine(false);
    runs.push((await timed(() => engine.ingestPath(sampleDir))).seconds);
    await engine.close();
    if (round_ === 0) lexicalIndexDir = config.indexDir;
    else await rm(config.indexDir, { recursive: true, force: true });
    // Baseline: MiniSearch alone with its default analyzer, in memory, on the same papers.
    bare.push(
      (
        await timed(async () => {
          const search = new MiniSearch({ fields: ['title', 'abstract'] });
          search.addAll(papers);
        })
      ).seconds,
    );
  }
  const seconds = median(runs);
  rows.push({
    figure: `ingest sample from scratch, lexical (${papers.length} papers)`,
    value: `${round(seconds, 2)} s (${Math.round(papers.length / seconds)} papers/s)`,
    baseline: `MiniSearch addAll alone, in memory: ${round(median(bare), 2)} s`,
    target: '< 3 s',
  });
  record.ingest_lexical = { papers: papers.length, seconds_runs: runs.map((s) => round(s, 3)), bare_minisearch_seconds: bare.map((s) => round(s, 3)) };
  return { papers, lexicalIndexDir };
}

// ---------------------------------------------------------------- embedding

async function embeddingFigures() {
  const { engine, config } = await freshEngine(true);
  const ingest = await timed(() => engine.ingestPath(sampleDir));
  rows.push({
    figure: `ingest sample with the tiny model (${ingest.result.total} papers, ${ingest.result.embedded} chunks)`,
    value: `${round(ingest.seconds, 2)} s (${Math.round(ingest.result.total / ingest.seconds)} papers/s)`,
    baseline: 'see lexical ingest above',
  });

  const snapshot = (engine.index() as VectraReader).snapshot;
  const texts: string[] = [];
  for (const [paperId, chunks] of snapshot.chunks) {
    const paper = snapshot.papers.get(paperId)!;
    for (const chunk of chunks) texts.push(chunkEmbeddingText(paper, chunk));
  }
  const { env, pipeline } = await import('@huggingface/transformers');
  env.localModelPath = config.modelsDir;
  env.allowRemoteModels = false;
  const raw = await pipeline('feature-extraction', TINY_MODEL, {
    dtype: 'fp32',
    session_options: { intraOpNumThreads: ONNX_THREADS, interOpNumThreads: 1 },
  });
  const rawEmbed = async () => {
    for (let i = 0; i < texts.length; i += EMBED_BATCH) await raw(texts.slice(i, i + EMBED_BATCH), { pooling: 'mean', normalize: true });
  };
  const ours: number[] = [];
  const theirs: number[] = [];
  // Alternate the two so that load on the machine hits both alike; keep the best of each.
  for (let round_ = 0; round_ < 3; round_++) {
    theirs.push((await timed(rawEmbed)).seconds);
    ours.push((await timed(() => engine.embedder!.embed(texts))).seconds);
  }
  const ourRate = texts.length / Math.min(...ours);
  const rawRate = texts.length / Math.min(...theirs);
  rows.push({
    figure: `embedding throughput, tiny model (${texts.length} chunk texts, batch ${EMBED_BATCH}, ${ONNX_THREADS} threads)`,
    value: `${Math.round(ourRate)} texts/s = ${round(ourRate / rawRate, 2)} of raw`,
    baseline: `raw transformers.js pipeline: ${Math.round(rawRate)} texts/s`,
    target: 'ratio >= 0.85',
  });
  const queryEmbed: number[] = [];
  for (const query of queriesFrom(texts, 100)) queryEmbed.push((await timed(() => engine.embedder!.embedQuery(query))).seconds * 1000);
  record.embedding = { texts: texts.length, ours_seconds: ours, raw_seconds: theirs, ratio: round(ourRate / rawRate, 3), query_embed_ms: percentiles(queryEmbed) };
  await raw.dispose();
  return { engine, config, queryEmbedP50: percentiles(queryEmbed).p50 };
}

// ---------------------------------------------------------------- search over HTTP

/**
 * Latency as a user sees it: `papertalk serve` in its own process on the engine's index, this
 * process as the client (one request at a time). Baselines: the same search in-process, and
 * GET /api/health (the HTTP round trip alone).
 */
async function httpSearchFigures(label: string, engine: Engine, queries: string[], modes: SearchMode[], modelsDir?: string) {
  const server = await spawnServer(engine.config.indexDir, modelsDir);
  try {
    const post = async (query: string, mode: SearchMode) => {
      const response = await fetch(`${server.url}/api/search`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query, k: K, mode }),
      });
      const body = (await response.json()) as { mode?: string };
      if (!response.ok || body.mode !== mode) throw new Error(`search ${mode} answered ${response.status} ${JSON.stringify(body).slice(0, 200)}`);
    };
    const healthTimes: number[] = [];
    for (let i = 0; i < QUERY_COUNT; i++) {
      const started = performance.now();
      await (await fetch(`${server.url}/api/health`)).json();
      healthTimes.push(performance.now() - started);
    }
    const floor = percentiles(healthTimes.slice(WARMUP));
    for (const mode of modes) {
      for (const query of queries.slice(0, WARMUP)) await post(query, mode);
      const overHttp: number[] = [];
      const inProcess: number[] = [];
      for (const query of queries) {
        const started = performance.now();
        await post(query, mode);
        overHttp.push(performance.now() - started);
        inProcess.push((await engine.search(query, { k: K, mode })).took_ms);
      }
      const http = percentiles(overHttp);
      const local = percentiles(inProcess);
      rows.push({
        figure: `search ${mode} over HTTP, ${label} (${queries.length} queries, k=${K})`,
        value: latency(http),
        baseline: `in-process search p50 ${ms(local.p50)}; GET /api/health p50 ${ms(floor.p50)}`,
        target: mode === 'lexical' && label.startsWith('632') ? 'p50 < 5 ms, p95 < 20 ms' : undefined,
      });
      record[`search_${mode}_${label.split(' ')[0]}`] = { http, in_process: local, health_floor: floor };
    }
  } finally {
    await server.stop();
  }
}

// ---------------------------------------------------------------- cold start and RSS

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function rssOf(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? NaN) * 1024;
}

interface SpawnedServer {
  url: string;
  pid: number;
  /** Seconds from spawn until /api/health answered. */
  startSeconds: number;
  stop(): Promise<void>;
}

/** Spawns `node bin/papertalk.js serve` on an index and waits until /api/health answers. */
async function spawnServer(indexDir: string, modelsDir: string | undefined): Promise<SpawnedServer> {
  const port = await freePort();
  const env = {
    ...process.env,
    PAPERTALK_INDEX_DIR: indexDir,
    PAPERTALK_PORT: String(port),
    PAPERTALK_HOST: '127.0.0.1',
    PAPERTALK_SEED_CORPUS: path.join(indexDir, 'no-seed-corpus'),
    PAPERTALK_ALLOW_REMOTE_MODELS: 'false',
    PAPERTALK_DENSE: modelsDir ? 'true' : 'false',
    PAPERTALK_MODELS_DIR: modelsDir ?? path.join(indexDir, 'no-models'),
    PAPERTALK_EMBED_MODEL: TINY_MODEL,
    PAPERTALK_LOG_LEVEL: 'error',
    OLLAMA_HOST: 'http://127.0.0.1:9',
  };
  const started = performance.now();
  const child = spawn(process.execPath, [path.join(repoRoot, 'bin', 'papertalk.js'), 'serve'], { env, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (data) => (stderr += data));
  const stop = async () => {
    if (child.exitCode !== null) return;
    child.kill('SIGTERM');
    await new Promise((resolve) => child.once('exit', resolve));
  };
  const url = `http://127.0.0.1:${port}`;
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`serve exited with ${child.exitCode}: ${stderr.trim().slice(0, 300)}`);
      if (performance.now() - started > 30_000) throw new Error(`serve did not answer within 30 s: ${stderr.trim().slice(0, 300)}`);
      try {
        const response = await fetch(`${url}/api/health`);
        if (response.ok) break;
      } catch {
        // Not listening yet.
      }
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return { url, pid: child.pid!, startSeconds: (performance.now() - started) / 1000, stop };
}

/** Cold start on an index, and RSS after a few searches. */
async function coldStart(indexDir: string, modelsDir: string | undefined): Promise<{ seconds: number; rss: number }> {
  const server = await spawnServer(indexDir, modelsDir);
  try {
    for (const query of ['language model pretraining data', 'sparse attention for long documents', 'cell biology protein']) {
      await fetch(`${server.url}/api/search`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query, k: K }) });
    }
    return { seconds: server.startSeconds, rss: await rssOf(server.pid) };
  } finally {
    await server.stop();
  }
}

async function coldStartFigures(indexes: { label: string; dir: string; modelsDir?: string }[]) {
  const emptyDir = await tempDir('papertalk-bench-empty-');
  const floorRuns: { seconds: number; rss: number }[] = [];
  const runs = new Map<string, { seconds: number; rss: number }[]>(indexes.map(({ label }) => [label, []]));
  // Interleaved, so that load on the machine hits the baseline and the figures alike.
  for (let i = 0; i < 3; i++) {
    floorRuns.push(await coldStart(emptyDir, undefined));
    for (const { label, dir, modelsDir } of indexes) runs.get(label)!.push(await coldStart(dir, modelsDir));
  }
  const floorSeconds = median(floorRuns.map((run) => run.seconds));
  const floorRss = median(floorRuns.map((run) => run.rss));
  for (const { label, dir } of indexes) {
    const these = runs.get(label)!;
    rows.push({
      figure: `cold start of \`papertalk serve\`, ${label}`,
      value: `${round(median(these.map((run) => run.seconds)), 2)} s`,
      baseline: `same on an empty index: ${round(floorSeconds, 2)} s`,
      target: '< 2 s',
    });
    rows.push({
      figure: `server RSS after load and 3 searches, ${label}`,
      value: `${mb(median(these.map((run) => run.rss)))} MB`,
      baseline: `empty index: ${mb(floorRss)} MB`,
    });
    rows.push({ figure: `index size on disk, ${label}`, value: `${mb(await dirBytes(dir))} MB`, baseline: '' });
    record[`cold_start_${label}`] = these;
  }
  record.cold_start_empty = floorRuns;
  await rm(emptyDir, { recursive: true, force: true });
}

// ---------------------------------------------------------------- scale curve

function runScalePoint(kind: 'lexical' | 'vectors', size: number, timeoutSeconds: number): Promise<ScalePoint> {
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      ['--max-old-space-size=12288', '--import', 'tsx', path.join(repoRoot, 'bench', 'scale-point.ts'), kind, String(size)],
      { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (data) => (stdout += data));
    child.stderr.on('data', (data) => (stderr += data));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutSeconds * 1000);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      const line = stdout.trim().split('\n').pop();
      if (line) {
        try {
          return resolve(JSON.parse(line) as ScalePoint);
        } catch {
          // fall through
        }
      }
      const why = signal === 'SIGKILL' ? `did not finish within ${timeoutSeconds} s` : `process ended (code ${code}, ${signal ?? 'no signal'}): ${stderr.trim().split('\n').slice(-2).join(' ')}`;
      resolve({ kind, size, error: why });
    });
  });
}

async function scaleFigures() {
  const timeout = Number(flags['scale-timeout']);
  const points: ScalePoint[] = [];
  for (const size of scaleSizes) {
    for (const kind of ['lexical', 'vectors'] as const) {
      log(`scale: ${kind} at ${size}…`);
      points.push(await runScalePoint(kind, size, timeout));
    }
  }
  record.scale = points;
  return points;
}

// ---------------------------------------------------------------- main

function printTable(): void {
  const widths = [
    Math.max(...rows.map((row) => row.figure.length)),
    Math.max(...rows.map((row) => row.value.length)),
    Math.max(...rows.map((row) => row.baseline.length)),
  ];
  const line = (cells: string[]) => `| ${cells.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  console.log(line(['figure', 'value', 'baseline (same run)', 'target']));
  console.log(line(widths.map((w) => '-'.repeat(w)).concat('------')));
  for (const row of rows) console.log(line([row.figure, row.value, row.baseline, row.target ?? '']));
}

function printScale(points: ScalePoint[]): void {
  if (points.length === 0) return;
  console.log('\nscale curve (synthetic: lexical = 6+40-word generated documents; vectors = random 384-d unit vectors in vectra)');
  console.log('| store | chunks | build s | query p50 ms | RSS MB | heap MB | on disk MB | outcome |');
  console.log('|---|---:|---:|---:|---:|---:|---:|---|');
  for (const p of points) {
    const cell = (v: number | undefined) => (v === undefined ? '–' : String(v));
    const outcome = p.error ? `FAILED at ${p.stage ?? 'run'}: ${p.error}` : 'ok';
    console.log(`| ${p.kind} | ${p.size} | ${cell(p.build_s)} | ${cell(p.query_p50_ms)} | ${cell(p.rss_mb)} | ${cell(p.heap_mb)} | ${p.persist_bytes ? mb(p.persist_bytes) : '–'} | ${outcome} |`);
  }
}

async function main(): Promise<void> {
  const cleanup: string[] = [];
  try {
    log('ingest (lexical)…');
    const { papers, lexicalIndexDir } = await ingestFigures();
    cleanup.push(lexicalIndexDir);
    const sampleQueries = queriesFrom(papers.map((paper) => paper.abstract), QUERY_COUNT);

    log('embedding throughput (tiny model)…');
    const dense = await embeddingFigures();
    cleanup.push(dense.config.indexDir);

    log('search over HTTP at 632 papers…');
    const { engine: lexicalEngine } = await freshEngine(false);
    await lexicalEngine.ingestPath(sampleDir);
    cleanup.push(lexicalEngine.config.indexDir);
    await httpSearchFigures('632 papers', lexicalEngine, sampleQueries, ['lexical']);
    await httpSearchFigures('632 papers, tiny model', dense.engine, sampleQueries, ['dense', 'hybrid'], dense.config.modelsDir);
    rows.push({
      figure: 'query embedding (what hybrid adds), tiny model',
      value: `p50 ${ms(dense.queryEmbedP50)}`,
      baseline: 'a real MiniLM is ~5-15 ms on 2 cores (not measured here: no weights)',
    });

    const coldIndexes: { label: string; dir: string; modelsDir?: string }[] = [
      { label: '632 papers lexical', dir: lexicalEngine.config.indexDir },
      { label: '632 papers tiny model', dir: dense.config.indexDir, modelsDir: dense.config.modelsDir },
    ];

    if (!flags['no-scifact']) {
      const dataset = await loadBeirDataset(defaultScifactDir(), 'test');
      const train = await loadBeirDataset(defaultScifactDir(), 'train');
      const claims = [...dataset.queries, ...train.queries].map((query) => query.text);
      const scifactQueries = Array.from({ length: QUERY_COUNT }, (_, i) => claims[(i * 7919) % claims.length]!);
      log('SciFact ingest (lexical) and search over HTTP at 5,183 papers…');
      const { engine } = await freshEngine(false);
      const ingest = await timed(() => engine.ingestPath(dataset.corpusFile));
      cleanup.push(engine.config.indexDir);
      rows.push({
        figure: `ingest SciFact from scratch, lexical (${ingest.result.total} papers)`,
        value: `${round(ingest.seconds, 2)} s (${Math.round(ingest.result.total / ingest.seconds)} papers/s)`,
        baseline: 'see sample ingest above',
      });
      await httpSearchFigures('5183 papers', engine, scifactQueries, ['lexical']);
      coldIndexes.push({ label: '5183 papers lexical', dir: engine.config.indexDir });
      if (!flags.quick) {
        log('SciFact with the tiny model (embeds ~15k chunks)…');
        const { engine: denseEngine } = await freshEngine(true);
        await denseEngine.ingestPath(dataset.corpusFile);
        cleanup.push(denseEngine.config.indexDir);
        await httpSearchFigures('5183 papers, tiny model', denseEngine, scifactQueries, ['dense', 'hybrid'], denseEngine.config.modelsDir);
        await denseEngine.close();
      }
      await engine.close();
    }

    log('cold starts…');
    await coldStartFigures(coldIndexes);
    await lexicalEngine.close();
    await dense.engine.close();

    const points = await scaleFigures();
    console.log(`\npapertalk bench:speed — ${os.cpus().length} cores, node ${process.version}, load average at start ${(record.load_average_at_start as number[]).join(' ')}`);
    printTable();
    printScale(points);

    const out = path.resolve(flags['json-out'] ?? resultsFile('speed'));
    await mkdir(path.dirname(out), { recursive: true });
    await writeFile(out, `${JSON.stringify({ rows, ...record, created_at: new Date().toISOString() }, null, 2)}\n`);
    console.log(`\nresults written to ${path.relative(process.cwd(), out)}`);
  } finally {
    for (const dir of cleanup) await rm(dir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(`bench:speed: ${describeError(error)}`);
  process.exit(1);
});

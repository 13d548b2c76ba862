// How far each index backend scales, side by side in one run:
//
//   npm run bench:scale [-- --sizes 10000,100000,1000000 --backends vectra,lancedb --timeout 300]
//
// Synthetic abstract-sized papers are made from the real sentences of the sample corpus. Per
// size and backend, through the real `papertalk` command and server: lexical-only ingest
// (papers/s, peak RSS, disk), cold start of `serve`, search p50/p95 over HTTP, and at the
// largest size adding 1k papers from another process until the server finds them. Then: search
// latency while a 5k-paper POST /api/ingest runs (the server must not stall), and vector query
// time at 384 dimensions (exact, and LanceDB's IVF-PQ with its recall against exact). A backend
// that fails (out of memory, too slow) is reported at its failure point, and skipped above it.
// `--only sizes,stall,vectors` picks parts. To see where a stall comes from:
// BENCH_SERVE_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" (node flags for the server only) and
// BENCH_SLOW=1 (each search over 100 ms during the POSTed ingest, with when it started).
import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdir, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { BackendName } from '../src/index/backend.js';
import { normalizeTitle } from '../src/text/titles.js';
import { createBackend } from '../src/index/open.js';
import type { Paper } from '../src/types.js';
import { fakeEmbedder } from '../test/support/papers.js';
import { repoRoot } from './lib/paths.js';
import { mb, percentiles, round } from './lib/stats.js';
import { makeQueries, rng, sentences, syntheticPaper } from './lib/synthetic.js';

const { values: args } = parseArgs({
  options: {
    sizes: { type: 'string', default: '10000,100000,1000000' },
    backends: { type: 'string', default: 'vectra,lancedb' },
    /** Seconds a backend's ingest may take before it counts as failed: one figure, or per backend (`vectra=300,lancedb=1800`). */
    timeout: { type: 'string', default: '300' },
    vectors: { type: 'string', default: '10000,100000' },
    work: { type: 'string', default: path.join(os.tmpdir(), 'papertalk-scale') },
    /** Which parts to run: `sizes` (the scale curve), `stall` (searches during a POST /api/ingest), `vectors`. */
    only: { type: 'string', default: 'sizes,stall,vectors' },
  },
});
const sizes = args.sizes.split(',').map(Number);
const backends = args.backends.split(',') as BackendName[];
const timeouts = new Map(args.timeout.split(',').map((part) => (part.includes('=') ? (part.split('=') as [string, string]) : (['*', part] as [string, string]))));
/** The ingest time limit of `backend`, in ms. */
const timeoutOf = (backend: BackendName) => Number(timeouts.get(backend) ?? timeouts.get('*') ?? 300) * 1000;
const timeoutMs = timeoutOf('vectra');
const FILE_PAPERS = 100_000;
const QUERIES = 200;

// ---------------------------------------------------------------- synthetic papers

async function writePapers(dir: string, count: number, prefix = 's'): Promise<string> {
  await mkdir(dir, { recursive: true });
  const done = path.join(dir, '.complete');
  if (await stat(done).catch(() => null)) return dir;
  for (let file = 0; file * FILE_PAPERS < count; file++) {
    const out = createWriteStream(path.join(dir, `part-${String(file).padStart(3, '0')}.jsonl`));
    for (let i = file * FILE_PAPERS; i < Math.min(count, (file + 1) * FILE_PAPERS); i++) {
      if (!out.write(`${JSON.stringify(syntheticPaper(i, prefix))}\n`)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
    }
    await new Promise<void>((resolve) => out.end(() => resolve()));
  }
  await rm(done, { force: true });
  await writeFile(done, '');
  return dir;
}

// ---------------------------------------------------------------- processes

async function dirBytes(dir: string): Promise<number> {
  let total = 0;
  for (const entry of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
    const file = path.join(dir, entry.name);
    total += entry.isDirectory() ? await dirBytes(file) : (await stat(file)).size;
  }
  return total;
}

function cliEnv(indexDir: string, backend: BackendName): NodeJS.ProcessEnv {
  return {
    ...process.env,
    PAPERTALK_INDEX_DIR: indexDir,
    PAPERTALK_INDEX_BACKEND: backend,
    PAPERTALK_DENSE: 'false',
    PAPERTALK_SEED_CORPUS: '',
    PAPERTALK_LOG_LEVEL: 'error',
    PAPERTALK_RATE_LIMIT_PER_MINUTE: '100000',
    PAPERTALK_MAX_BODY_BYTES: String(200 * 2 ** 20),
    OLLAMA_HOST: 'http://127.0.0.1:9',
  };
}

interface Run {
  code: number | string;
  seconds: number;
  peakRss: number;
  output: string;
}

/** Runs `papertalk …`, sampling its peak RSS (VmHWM); killed after `limitMs`. */
function runCli(args: string[], env: NodeJS.ProcessEnv, limitMs = timeoutMs): Promise<Run> {
  return new Promise((resolve) => {
    const started = performance.now();
    const child = spawn(process.execPath, [path.join(repoRoot, 'bin', 'papertalk.js'), ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    let peakRss = 0;
    child.stdout.on('data', (data) => (output += data));
    child.stderr.on('data', (data) => (output += data));
    const sampler = setInterval(async () => {
      const status = await readFile(`/proc/${child.pid}/status`, 'utf8').catch(() => '');
      const hwm = Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? 0) * 1024;
      peakRss = Math.max(peakRss, hwm);
    }, 100);
    const killer = setTimeout(() => child.kill('SIGKILL'), limitMs);
    child.on('exit', (code, signal) => {
      clearInterval(sampler);
      clearTimeout(killer);
      resolve({ code: code ?? signal ?? -1, seconds: (performance.now() - started) / 1000, peakRss, output });
    });
  });
}

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

interface Server {
  url: string;
  listenSeconds: number;
  firstSearchSeconds: number;
  stop(): Promise<void>;
}

async function search(url: string, query: string): Promise<{ ms: number; ids: string[] }> {
  const started = performance.now();
  const response = await fetch(`${url}/api/search`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query, k: 10, mode: 'lexical' }),
  });
  const body = (await response.json()) as { results?: { id: string }[]; error?: { message: string } };
  if (!response.ok) throw new Error(`search failed: ${response.status} ${body.error?.message}`);
  return { ms: performance.now() - started, ids: body.results!.map((hit) => hit.id) };
}

async function startServer(indexDir: string, backend: BackendName): Promise<Server> {
  const port = await freePort();
  const started = performance.now();
  // BENCH_SERVE_NODE_ARGS: node flags for the server only (say `--cpu-prof --cpu-prof-dir=/tmp/prof`).
  const nodeArgs = process.env.BENCH_SERVE_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
  const child = spawn(process.execPath, [...nodeArgs, path.join(repoRoot, 'bin', 'papertalk.js'), 'serve'], {
    env: { ...cliEnv(indexDir, backend), PAPERTALK_PORT: String(port), PAPERTALK_HOST: '127.0.0.1' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (data) => (stderr += data));
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode !== null) return;
    child.kill('SIGTERM');
    await new Promise((resolve) => child.once('exit', resolve));
  };
  for (;;) {
    if (child.exitCode !== null) throw new Error(`serve exited: ${stderr.trim().slice(0, 300)}`);
    if (performance.now() - started > 120_000) {
      await stop();
      throw new Error('serve did not answer within 120 s');
    }
    const ok = await fetch(`${url}/api/health`).then((r) => r.ok, () => false);
    if (ok) break;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  const listenSeconds = (performance.now() - started) / 1000;
  await search(url, 'language models');
  return { url, listenSeconds, firstSearchSeconds: (performance.now() - started) / 1000, stop };
}

// ---------------------------------------------------------------- measurements

interface Point {
  backend: BackendName;
  size: number;
  status: string;
  ingestSeconds?: number;
  papersPerSecond?: number;
  peakRssMb?: number;
  diskMb?: number;
  coldStartSeconds?: number;
  firstSearchSeconds?: number;
  p50?: number;
  p95?: number;
  /** From `papertalk ingest` of 1k papers starting to the running server finding them. */
  add1kSeconds?: number;
  /** How long that `papertalk ingest` took. */
  add1kCommandSeconds?: number;
  /** Search p50 (the title of an added paper) after they were found, while the command still ran. */
  add1kP50Between?: number;
  afterAddP50?: number;
}

const queries = makeQueries(QUERIES);

async function measureSearch(url: string): Promise<{ p50: number; p95: number }> {
  for (const query of queries.slice(0, 20)) await search(url, query);
  const times: number[] = [];
  for (const query of queries) times.push((await search(url, query)).ms);
  const { p50, p95 } = percentiles(times);
  return { p50: round(p50, 1), p95: round(p95, 1) };
}

/**
 * Adds 1k papers with `papertalk ingest` beside the running server, as a user would: seconds from
 * the command's start until the server's /api/search returns the last of them (polled while the
 * command runs), until the command itself is done (it may keep indexing after committing), and
 * the search p50 in between (the new rows are searched unindexed until the command's optimize).
 */
async function addThousand(server: Server, indexDir: string, backend: BackendName): Promise<{ foundSeconds: number; commandSeconds: number; p50Between?: number }> {
  const dir = await writePapers(path.join(args.work, 'add-1k'), 1000, 'added');
  const last = syntheticPaper(999, 'added');
  const started = performance.now();
  const run = runCli(['ingest', dir], cliEnv(indexDir, backend), 300_000);
  let exited: Run | undefined;
  void run.then((result) => (exited = result));
  let foundSeconds: number | undefined;
  const between: number[] = [];
  while (!exited) {
    const { ms, ids } = await search(server.url, last.title);
    if (foundSeconds !== undefined) between.push(ms);
    else if (ids[0] === last.id) foundSeconds = (performance.now() - started) / 1000;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const done = await run;
  if (done.code !== 0) throw new Error(`adding 1k failed: ${done.output.slice(0, 300)}`);
  // Found only after the command ended (a backend that makes papers visible at the end).
  for (; foundSeconds === undefined; await new Promise((resolve) => setTimeout(resolve, 100))) {
    if ((await search(server.url, last.title)).ids[0] === last.id) foundSeconds = (performance.now() - started) / 1000;
    else if (performance.now() - started > 300_000) throw new Error('the added papers were not found within 300 s');
  }
  return { foundSeconds, commandSeconds: done.seconds, ...(between.length > 0 && { p50Between: round(percentiles(between).p50, 1) }) };
}

async function measurePoint(backend: BackendName, size: number, largest: boolean): Promise<Point> {
  const data = await writePapers(path.join(args.work, `papers-${size}`), size);
  const indexDir = path.join(args.work, `index-${backend}-${size}`);
  await rm(indexDir, { recursive: true, force: true });
  process.stderr.write(`${backend} ${size}: ingest…\n`);
  const run = await runCli(['ingest', data, '--json'], cliEnv(indexDir, backend), timeoutOf(backend));
  const point: Point = { backend, size, status: 'ok', ingestSeconds: round(run.seconds, 1), peakRssMb: mb(run.peakRss) };
  if (run.code !== 0) {
    const why = run.code === 'SIGKILL' ? `not done in ${timeoutOf(backend) / 1000} s` : /heap out of memory|Invalid string length/i.exec(run.output)?.[0] ?? `exit ${run.code}`;
    await rm(indexDir, { recursive: true, force: true });
    return { ...point, status: `failed: ${why}` };
  }
  point.papersPerSecond = Math.round(size / run.seconds);
  point.diskMb = mb(await dirBytes(indexDir));
  process.stderr.write(`${backend} ${size}: serve and search…\n`);
  const server = await startServer(indexDir, backend);
  try {
    point.coldStartSeconds = round(server.listenSeconds, 2);
    point.firstSearchSeconds = round(server.firstSearchSeconds, 2);
    Object.assign(point, await measureSearch(server.url));
    if (largest) {
      process.stderr.write(`${backend} ${size}: add 1k…\n`);
      const added = await addThousand(server, indexDir, backend);
      point.add1kSeconds = round(added.foundSeconds, 1);
      point.add1kCommandSeconds = round(added.commandSeconds, 1);
      point.add1kP50Between = added.p50Between;
      point.afterAddP50 = (await measureSearch(server.url)).p50;
    }
  } finally {
    await server.stop();
  }
  return point;
}

/** How the 5k papers are posted: a JSON array, or JSON Lines as text/plain (a file sent as it is). */
type StallBody = 'json' | 'jsonl';
const STALL_BODIES: StallBody[] = ['json', 'jsonl'];

const POST_SCRIPT = `
const [url, type, file] = process.argv.slice(1);
fetch(url, { method: 'POST', headers: { 'content-type': type }, body: require('node:fs').readFileSync(file) }).then(async (response) => {
  if (!response.ok) { console.error(response.status, await response.text()); process.exit(1); }
});`;

/** POSTs the file's bytes from a process of its own; rejects unless it was answered 200. */
function postFrom(url: string, type: string, file: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', POST_SCRIPT, url, type, file], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (data) => (stderr += data));
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`ingest failed: ${stderr.trim().slice(0, 300)}`))));
  });
}

/** Search latency while the server itself ingests 5k papers posted to it. */
async function stallFigures(backend: BackendName, body: StallBody): Promise<{ backend: BackendName; body: StallBody; ingestSeconds: number; idle: number; p50: number; p99: number; max: number; n: number }> {
  const indexDir = path.join(args.work, `index-${backend}-stall`);
  await rm(indexDir, { recursive: true, force: true });
  const base = await runCli(['ingest', await writePapers(path.join(args.work, 'papers-10000'), 10_000), '--json'], cliEnv(indexDir, backend));
  if (base.code !== 0) throw new Error(`stall base ingest failed: ${base.output.slice(0, 300)}`);
  const server = await startServer(indexDir, backend);
  try {
    // One search at a time, as during the ingest below (concurrent ones would measure queueing).
    const idleTimes: number[] = [];
    for (const query of queries.slice(0, 50)) idleTimes.push((await search(server.url, query)).ms);
    const idle = percentiles(idleTimes).p50;
    const papers = Array.from({ length: 5000 }, (_, i) => syntheticPaper(i, 'posted'));
    const file = path.join(args.work, `stall-body.${body}`);
    await writeFile(file, body === 'json' ? JSON.stringify(papers) : papers.map((paper) => JSON.stringify(paper)).join('\n'));
    const type = body === 'json' ? 'application/json' : 'text/plain';
    const times: number[] = [];
    let done = false;
    const started = performance.now();
    // Posted by another process, as a script beside the user would: this one only searches (its
    // own 7 MB upload would otherwise delay the searches it times).
    const ingest = postFrom(`${server.url}/api/ingest`, type, file).finally(() => (done = true));
    for (let i = 0; !done; i++) {
      const at = performance.now() - started;
      times.push((await search(server.url, queries[i % queries.length]!)).ms);
      if (process.env.BENCH_SLOW && times.at(-1)! > 100) process.stderr.write(`slow search ${Math.round(times.at(-1)!)} ms at ${Math.round(at)} ms\n`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await ingest;
    const ingestSeconds = (performance.now() - started) / 1000;
    const { p50, p99, n } = percentiles(times);
    return { backend, body, ingestSeconds: round(ingestSeconds, 1), idle: round(idle, 1), p50: round(p50, 1), p99: round(p99, 1), max: round(Math.max(...times), 1), n };
  } finally {
    await server.stop();
    await rm(indexDir, { recursive: true, force: true });
  }
}

/** Query time over `count` 384-d chunk vectors (one chunk per paper), exact and (LanceDB, large) IVF-PQ. */
async function vectorFigures(backend: BackendName, count: number) {
  const dim = 384;
  const embedder = fakeEmbedder('bench/random-384', dim);
  const dir = path.join(args.work, `vectors-${backend}-${count}`);
  await rm(dir, { recursive: true, force: true });
  const index = createBackend(backend, { titleKey: normalizeTitle });
  const random = rng(count);
  // Short abstracts: one chunk each, so the count of vectors is the count of papers.
  const papers: Paper[] = Array.from({ length: count }, (_, i) => ({ id: `v-${i}`, title: `Vector paper ${i}`, abstract: sentences[Math.floor(random() * sentences.length)]!.slice(0, 300) }));
  const started = performance.now();
  const { reader } = await index.apply(index.empty(dir), papers, { embedder });
  const buildSeconds = (performance.now() - started) / 1000;
  // Exact top 10 by brute force, for recall.
  const stored = await Promise.all(papers.map(async (paper) => ({ id: `${paper.id}#0`, vector: await embedder.embedQuery(`Vector paper ${paper.id.slice(2)}. ${paper.abstract}`) })));
  const times: number[] = [];
  let recall = 0;
  const QUERY_COUNT = 40;
  for (let q = 0; q < QUERY_COUNT; q++) {
    const query = await embedder.embedQuery(`query ${q}`);
    const t = performance.now();
    const hits = await reader.vectorSearch(query, 10);
    times.push(performance.now() - t);
    const exact = stored
      .map(({ id, vector }) => ({ id, score: vector.reduce((sum, x, i) => sum + x * query[i]!, 0) }))
      .sort((a, b) => b.score - a.score)
      .slice(0, 10)
      .map((hit) => hit.id);
    recall += hits.filter((hit) => exact.includes(hit.id)).length / 10;
  }
  const { p50 } = percentiles(times);
  const ann = backend === 'lancedb' && (reader as unknown as { manifest: { ann: boolean } }).manifest.ann;
  await rm(dir, { recursive: true, force: true });
  return { backend, count, search: ann ? 'IVF-PQ' : 'exact', buildSeconds: round(buildSeconds, 1), p50: round(p50, 2), recall: round(recall / QUERY_COUNT, 3), disk: 0 };
}

// ---------------------------------------------------------------- report

const cell = (value: unknown) => (value === undefined ? '' : String(value));

async function main() {
  await mkdir(args.work, { recursive: true });
  const points: Point[] = [];
  const failedAt = new Map<BackendName, number>();
  const largest = Math.max(...sizes);
  const parts = new Set(args.only.split(','));
  for (const size of parts.has('sizes') ? sizes : []) {
    for (const backend of backends) {
      if (failedAt.has(backend)) {
        points.push({ backend, size, status: `not run (failed at ${failedAt.get(backend)})` });
        continue;
      }
      const point = await measurePoint(backend, size, size === largest).catch((error: Error) => ({ backend, size, status: `failed: ${error.message}` }) as Point);
      if (point.status !== 'ok') failedAt.set(backend, size);
      points.push(point);
      process.stderr.write(`${JSON.stringify(point)}\n`);
    }
  }

  const stall = [];
  for (const backend of parts.has('stall') ? backends : []) {
    process.stderr.write(`${backend}: searches during a 5k-paper POST /api/ingest…\n`);
    for (const body of STALL_BODIES) stall.push(await stallFigures(backend, body).catch((error: Error) => ({ backend, body, error: error.message })));
  }
  const vectors = [];
  for (const count of parts.has('vectors') ? args.vectors.split(',').map(Number) : []) {
    for (const backend of backends) {
      process.stderr.write(`${backend}: ${count} vectors…\n`);
      vectors.push(await vectorFigures(backend, count).catch((error: Error) => ({ backend, count, error: error.message })));
    }
  }

  const base = (size: number) => points.find((p) => p.size === size && p.backend === 'vectra' && p.status === 'ok');
  console.log('\n### Lexical-only ingest and search over HTTP (synthetic abstract-sized papers)\n');
  console.log('| backend | papers | status | ingest | papers/s | peak RSS | disk | cold start (listening / first search) | search p50 / p95 | vs vectra p50 | add 1k: found by the server / command done | p50 until done / after |');
  console.log('|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const p of points) {
    const ratio = base(p.size)?.p50 && p.p50 ? `${round(p.p50 / base(p.size)!.p50!, 2)}×` : '';
    console.log(
      `| ${p.backend} | ${p.size.toLocaleString('en')} | ${p.status} | ${cell(p.ingestSeconds && `${p.ingestSeconds} s`)} | ${cell(p.papersPerSecond)} | ${cell(p.peakRssMb && `${p.peakRssMb} MB`)} | ${cell(p.diskMb && `${p.diskMb} MB`)} | ${cell(p.coldStartSeconds && `${p.coldStartSeconds} / ${p.firstSearchSeconds} s`)} | ${cell(p.p50 && `${p.p50} / ${p.p95} ms`)} | ${ratio} | ${cell(p.add1kSeconds && `${p.add1kSeconds} / ${p.add1kCommandSeconds} s`)} | ${cell(p.afterAddP50 && `${p.add1kP50Between ?? '–'} / ${p.afterAddP50} ms`)} |`,
    );
  }
  console.log('\n### Searches while the server ingests 5k papers (POST /api/ingest into a 10k index)\n');
  console.log('| backend | body | ingest took | search p50 idle (baseline) | during ingest p50 / p99 / max | p99 vs idle p50 | searches |');
  console.log('|---|---|---:|---:|---:|---:|---:|');
  for (const s of stall) {
    if ('error' in s) console.log(`| ${s.backend} | ${s.body} | failed: ${s.error} | | | | |`);
    else console.log(`| ${s.backend} | ${s.body} | ${s.ingestSeconds} s | ${s.idle} ms | ${s.p50} / ${s.p99} / ${s.max} ms | ${round(s.p99 / s.idle, 1)}× | ${s.n} |`);
  }
  console.log('\n### Vector query time, 384 dimensions (random unit vectors, k = 10)\n');
  console.log('| backend | vectors | search | build | query p50 | recall@10 vs exact |');
  console.log('|---|---:|---|---:|---:|---:|');
  for (const v of vectors) {
    if ('error' in v) console.log(`| ${v.backend} | ${v.count} | failed: ${v.error} | | | |`);
    else console.log(`| ${v.backend} | ${v.count.toLocaleString('en')} | ${v.search} | ${v.buildSeconds} s | ${v.p50} ms | ${v.recall} |`);
  }
}

await main();

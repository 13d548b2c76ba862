// Search served from an object store versus the same index on local disk, in one run:
//
//   npm run bench:object-store [-- --papers 20000 --queries 200]
//
// One JSONL of synthetic abstract-sized papers (real sentences of the sample corpus) is
// ingested lexical-only with the LanceDB backend twice, by the real `papertalk ingest`: into a
// local folder and into s3://bench/idx on a local S3 stand-in (s3rver on 127.0.0.1, in this
// process, so every object read is a real HTTP request over loopback). Then one `papertalk
// serve` on each, and the same queries over HTTP, alternating between the two servers, one at
// a time: p50/p95/p99, cold start, first search, and ratios object store / local.
//
// Loopback S3 has no network latency: on a real bucket add the round trips (1-20 ms each).
import { writeFile, mkdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { cliEnv, runCli, startServeProcess } from '../test/support/processes.js';
import { startFakeS3 } from '../test/support/s3rver.js';
import { resultsDir, resultsFile } from './lib/paths.js';
import { percentiles, round } from './lib/stats.js';
import { makeQueries, syntheticPaper } from './lib/synthetic.js';

const { values: args } = parseArgs({
  options: {
    papers: { type: 'string', default: '20000' },
    queries: { type: 'string', default: '200' },
    work: { type: 'string', default: path.join(os.tmpdir(), 'papertalk-object-store-bench') },
  },
});
const paperCount = Number(args.papers);
const queries = makeQueries(Number(args.queries));
const WARMUP = 20;

async function search(url: string, query: string): Promise<number> {
  const started = performance.now();
  const response = await fetch(`${url}/api/search`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query, k: 10, mode: 'lexical' }),
  });
  const body = (await response.json()) as { results?: unknown[]; error?: { message: string } };
  if (!response.ok) throw new Error(`search failed: ${response.status} ${body.error?.message}`);
  return performance.now() - started;
}

async function ingest(file: string, env: Record<string, string>): Promise<number> {
  const started = performance.now();
  const proc = runCli(['ingest', file, '--json'], env);
  const code = await proc.exited;
  if (code !== 0) throw new Error(`ingest into ${env.PAPERTALK_INDEX_DIR} failed (${code}): ${proc.output().slice(-500)}`);
  return (performance.now() - started) / 1000;
}

interface Side {
  name: string;
  env: Record<string, string>;
  ingestSeconds?: number;
  listenSeconds?: number;
  firstSearchMs?: number;
  times: number[];
}

async function main() {
  await rm(args.work, { recursive: true, force: true });
  await mkdir(args.work, { recursive: true });
  const file = path.join(args.work, 'papers.jsonl');
  await writeFile(file, Array.from({ length: paperCount }, (_, i) => JSON.stringify(syntheticPaper(i))).join('\n'));
  const s3 = await startFakeS3('bench');
  const lance = { PAPERTALK_INDEX_BACKEND: 'lancedb', PAPERTALK_LOG_LEVEL: 'error' };
  const sides: Side[] = [
    { name: 'local disk', env: cliEnv(path.join(args.work, 'local-index'), lance), times: [] },
    { name: 's3 (s3rver, loopback)', env: cliEnv('unused', { ...lance, ...s3.env('idx') }), times: [] },
  ];
  const servers: Awaited<ReturnType<typeof startServeProcess>>[] = [];
  try {
    for (const side of sides) {
      side.ingestSeconds = await ingest(file, side.env);
      console.error(`${side.name}: ingested ${paperCount} papers in ${round(side.ingestSeconds, 1)} s`);
    }
    for (const side of sides) {
      const started = performance.now();
      const server = await startServeProcess(side.env, 120_000);
      servers.push(server);
      side.listenSeconds = (performance.now() - started) / 1000;
      side.firstSearchMs = await search(server.url, 'language models');
    }
    for (const query of queries.slice(0, WARMUP)) for (const server of servers) await search(server.url, query);
    // Alternating, so both see the same machine load.
    for (const query of queries) for (const [i, server] of servers.entries()) sides[i]!.times.push(await search(server.url, query));
  } finally {
    for (const server of servers) server.child.kill('SIGTERM');
    await Promise.all(servers.map((server) => server.exited));
    await s3.close();
  }

  const [local, remote] = sides.map((side) => ({ ...side, ...percentiles(side.times) }));
  const ratio = (a: number, b: number) => `${round(a / b, 2)}x`;
  const ms = (value: number) => `${round(value, 1)} ms`;
  const rows = [
    ['ingest (lexical, s)', round(local!.ingestSeconds!, 1), round(remote!.ingestSeconds!, 1), ratio(remote!.ingestSeconds!, local!.ingestSeconds!)],
    ['serve: listening (s)', round(local!.listenSeconds!, 2), round(remote!.listenSeconds!, 2), ratio(remote!.listenSeconds!, local!.listenSeconds!)],
    ['first search', ms(local!.firstSearchMs!), ms(remote!.firstSearchMs!), ratio(remote!.firstSearchMs!, local!.firstSearchMs!)],
    ['search p50', ms(local!.p50), ms(remote!.p50), ratio(remote!.p50, local!.p50)],
    ['search p95', ms(local!.p95), ms(remote!.p95), ratio(remote!.p95, local!.p95)],
    ['search p99', ms(local!.p99), ms(remote!.p99), ratio(remote!.p99, local!.p99)],
  ];
  console.log(`\nLanceDB index of ${paperCount} papers, ${queries.length} lexical searches over HTTP per side (after ${WARMUP} warm-up), load average ${os.loadavg()[0]!.toFixed(1)}\n`);
  console.log('| | local disk | object store (s3rver, loopback) | object store / local |');
  console.log('|---|---:|---:|---:|');
  for (const row of rows) console.log(`| ${row.join(' | ')} |`);
  await mkdir(resultsDir, { recursive: true });
  const out = resultsFile('object-store');
  await writeFile(out, `${JSON.stringify({ papers: paperCount, queries: queries.length, local, remote, loadavg: os.loadavg() }, null, 2)}\n`);
  console.log(`\n${out}`);
}

await main();

// Fuzzes a real `papertalk serve` process (a copy of the sample index, loopback only, a stand-in
// Ollama) with hostile requests to every route, plus foreign Host and Origin headers, raw
// malformed HTTP and a 10 MB body nested 5 million levels deep. The contract: every request gets
// an answer, none a 5xx. Exit code 1 otherwise. The baseline in the same run is well-formed
// traffic (search and health) against the same process.
//
//   npm run test:fuzz -- [--cases 10000] [--concurrency 8] [--seed 12] [--json]
import { cp, rm } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import fc from 'fast-check';
import { openEngine } from '../src/engine.js';
import { testConfig, tempDir } from '../test/support/engine.js';
import { answer, startFakeOllama } from '../test/support/fake-ollama.js';
import { rawExchange, requestFrom } from '../test/support/hardened.js';
import { chatBodies, escapedParam, ingestJsonBodies, ingestTexts, searchBodies, textTypes } from '../test/support/hostile-inputs.js';
import { cliEnv, startServeProcess } from '../test/support/processes.js';
import { sampleDir } from '../test/support/corpus.js';

const { values: args } = parseArgs({
  options: {
    cases: { type: 'string', default: '10000' },
    concurrency: { type: 'string', default: '8' },
    seed: { type: 'string', default: '12' },
    json: { type: 'boolean', default: false },
  },
});
const CASES = Number(args.cases);
const TIMEOUT_MS = 15_000;

interface Case {
  kind: string;
  method: string;
  path: string;
  headers?: Record<string, string>;
  body?: string | Uint8Array;
  /** Raw bytes over a socket instead of an HTTP client. */
  raw?: string;
}

const json = (kind: string, path: string) => (body: string): Case => ({ kind, method: 'POST', path, headers: { 'content-type': 'application/json' }, body });
const hosts = fc.constantFrom('evil.example', 'localhost.evil.example', '127.0.0.1.nip.io', 'a'.repeat(300), '[::1', 'localhost:99999');
const origins = fc.constantFrom('https://evil.example', 'null', 'http://localhost:1', 'file://', '%%%');
const anyCase: fc.Arbitrary<Case> = fc.oneof(
  { weight: 20, arbitrary: searchBodies.map(json('search', '/api/search')) },
  { weight: 15, arbitrary: chatBodies.map(json('chat', '/api/chat')) },
  { weight: 15, arbitrary: escapedParam.map((id) => ({ kind: 'paper', method: 'GET', path: `/api/papers/${id || '%20'}` })) },
  { weight: 10, arbitrary: fc.tuple(escapedParam, escapedParam).map(([offset, limit]) => ({ kind: 'papers', method: 'GET', path: `/api/papers?offset=${offset}&limit=${limit}` })) },
  { weight: 6, arbitrary: ingestJsonBodies.map(json('ingest json', '/api/ingest')) },
  { weight: 4, arbitrary: fc.tuple(ingestTexts, textTypes).map(([body, type]) => ({ kind: 'ingest text', method: 'POST', path: '/api/ingest', headers: { 'content-type': type }, body })) },
  { weight: 8, arbitrary: fc.tuple(fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'), fc.constantFrom('/api/search', '/api/chat', '/api/ingest', '/api/health', '/api/openapi.json', '/', '/index.html', '/../etc/passwd', '/api/%2e%2e/x', '/v1/models', '/mcp')).map(([method, path]) => ({ kind: 'method/path', method, path, headers: { 'content-type': 'application/json' }, body: method === 'GET' ? undefined : '{}' })) },
  { weight: 6, arbitrary: fc.tuple(hosts, fc.constantFrom('/api/health', '/api/papers?limit=500', '/')).map(([host, path]) => ({ kind: 'foreign host', method: 'GET', path, headers: { host } })) },
  { weight: 6, arbitrary: fc.tuple(origins, fc.constantFrom('/api/ingest', '/api/search', '/api/chat')).map(([origin, path]) => ({ kind: 'foreign origin', method: 'POST', path, headers: { origin, 'content-type': 'text/plain' }, body: '{"title":"Injected","abstract":"x"}' })) },
  // Raw bytes: a random request line and header block (always ending a head), and classics.
  { weight: 4, arbitrary: fc.oneof(fc.tuple(fc.constantFrom('GET', 'POST', 'BREW', ''), fc.string({ unit: 'binary', maxLength: 200 }), fc.string({ unit: 'binary', maxLength: 200 })).map(([method, target, headers]) => `${method} ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\n${headers}\r\n\r\n`), fc.constantFrom(`GET /api/health?q=${'x'.repeat(20_000)} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`, `GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX: ${'y'.repeat(20_000)}\r\n\r\n`, 'GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n', 'POST /api/search HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: abc\r\n\r\n')).map((raw) => ({ kind: 'raw http', method: 'RAW', path: '', raw })) },
);

interface Outcome {
  status: number | 'unanswered';
  ms: number;
}

async function run(url: string, c: Case): Promise<Outcome> {
  const started = performance.now();
  const done = (status: number | 'unanswered') => ({ status, ms: performance.now() - started });
  try {
    if (c.raw !== undefined) {
      const reply = await Promise.race([rawExchange(url, c.raw), new Promise<string>((resolve) => setTimeout(() => resolve(''), TIMEOUT_MS))]);
      const status = /^HTTP\/1\.[01] (\d{3})/.exec(reply)?.[1];
      return done(status ? Number(status) : 'unanswered');
    }
    if (c.headers?.host !== undefined) {
      const response = await requestFrom('127.0.0.1', `${url}${c.path}`, { method: c.method, headers: c.headers });
      return done(response.status);
    }
    const response = await fetch(`${url}${c.path}`, { method: c.method, headers: c.headers, body: c.body as BodyInit | undefined, signal: AbortSignal.timeout(TIMEOUT_MS) });
    await response.arrayBuffer();
    return done(response.status);
  } catch {
    return done('unanswered');
  }
}

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]! : 0;
};

// A serve process on its own copy of the sample index, as users run it.
const fake = await startFakeOllama();
fake.onChat(answer('Low-rank adapters [1] cut the cost [2].'));
const template = await (async () => {
  const config = await testConfig();
  const engine = await openEngine(config);
  await engine.ingestPath(sampleDir);
  await engine.close();
  return config.indexDir;
})();
const indexDir = await tempDir('papertalk-fuzz-');
await cp(template, indexDir, { recursive: true });
const server = await startServeProcess(cliEnv(indexDir, { OLLAMA_HOST: fake.url, PAPERTALK_RATE_LIMIT_PER_MINUTE: '1000000', PAPERTALK_LOG_LEVEL: 'error' }));

const byKind = new Map<string, Outcome[]>();
const fiveHundreds: string[] = [];
let deep: { status: number | 'unanswered'; ms: number; healthDuring: number } | undefined;
let baseline: { searchP50: number; healthP50: number } | undefined;
try {
  // Baseline: well-formed requests to the same process.
  const searchMs: number[] = [];
  const healthMs: number[] = [];
  for (let i = 0; i < 100; i++) {
    searchMs.push((await run(server.url, json('search', '/api/search')(JSON.stringify({ query: `parameter-efficient fine-tuning ${i}`, k: 5 })))).ms);
    healthMs.push((await run(server.url, { kind: 'health', method: 'GET', path: '/api/health' })).ms);
  }
  baseline = { searchP50: percentile(searchMs, 0.5), healthP50: percentile(healthMs, 0.5) };

  // 10 MB of 5M nested levels, with /api/health asked while it is being answered.
  const depth = 5_000_000;
  const deepRequest = run(server.url, json('deep', '/api/ingest')('['.repeat(depth) + ']'.repeat(depth)));
  await new Promise((resolve) => setTimeout(resolve, 5));
  const health = await run(server.url, { kind: 'health', method: 'GET', path: '/api/health' });
  const deepOutcome = await deepRequest;
  deep = { ...deepOutcome, healthDuring: health.ms };
  if (deepOutcome.status === 'unanswered' || deepOutcome.status >= 500) fiveHundreds.push(`deep JSON → ${deepOutcome.status}`);

  const cases = fc.sample(anyCase, { numRuns: CASES, seed: Number(args.seed) });
  let next = 0;
  await Promise.all(
    Array.from({ length: Number(args.concurrency) }, async () => {
      while (next < cases.length) {
        const c = cases[next++]!;
        const outcome = await run(server.url, c);
        const list = byKind.get(c.kind) ?? [];
        list.push(outcome);
        byKind.set(c.kind, list);
        if (outcome.status === 'unanswered' || outcome.status >= 500) {
          fiveHundreds.push(`${c.kind} ${c.method} ${c.path.slice(0, 80)} → ${outcome.status}: ${String(c.raw ?? c.body ?? '').slice(0, 120)}`);
        }
      }
    }),
  );
  // Still alive and serving the index whole afterwards.
  const after = await run(server.url, { kind: 'health', method: 'GET', path: '/api/health' });
  if (after.status !== 200) fiveHundreds.push(`health after the fuzz run → ${after.status}`);
} finally {
  server.child.kill('SIGTERM');
  await server.exited;
  await fake.close();
  await rm(indexDir, { recursive: true, force: true });
}

const rows = [...byKind.entries()].map(([kind, outcomes]) => {
  const count = (test: (s: Outcome['status']) => boolean) => outcomes.filter((o) => test(o.status)).length;
  return {
    kind,
    cases: outcomes.length,
    ok: count((s) => typeof s === 'number' && s < 400),
    refused4xx: count((s) => typeof s === 'number' && s >= 400 && s < 500),
    fiveXx: count((s) => typeof s === 'number' && s >= 500),
    unanswered: count((s) => s === 'unanswered'),
    p50: percentile(outcomes.map((o) => o.ms), 0.5),
    p99: percentile(outcomes.map((o) => o.ms), 0.99),
  };
});
const total = rows.reduce((sum, row) => ({ cases: sum.cases + row.cases, fiveXx: sum.fiveXx + row.fiveXx, unanswered: sum.unanswered + row.unanswered }), { cases: 0, fiveXx: 0, unanswered: 0 });

if (args.json) {
  console.log(JSON.stringify({ total, rows, deep, baseline, failures: fiveHundreds }, null, 2));
} else {
  const ms = (v: number) => v.toFixed(1);
  console.log(`fuzz: ${total.cases} cases against papertalk serve (sample index), concurrency ${args.concurrency}, seed ${args.seed}\n`);
  console.log('| requests | cases | 2xx/3xx | 4xx | 5xx | unanswered | p50 ms | p99 ms |');
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|');
  for (const row of rows) console.log(`| ${row.kind} | ${row.cases} | ${row.ok} | ${row.refused4xx} | ${row.fiveXx} | ${row.unanswered} | ${ms(row.p50)} | ${ms(row.p99)} |`);
  console.log(`| **all** | **${total.cases}** | | | **${total.fiveXx}** | **${total.unanswered}** | | |`);
  if (baseline) console.log(`\nbaseline, same process: well-formed search p50 ${ms(baseline.searchP50)} ms, GET /api/health p50 ${ms(baseline.healthP50)} ms`);
  if (deep) console.log(`10 MB body nested 5,000,000 levels: ${deep.status} in ${ms(deep.ms)} ms; /api/health asked meanwhile answered in ${ms(deep.healthDuring)} ms`);
  if (fiveHundreds.length) console.log(`\n${fiveHundreds.slice(0, 30).join('\n')}`);
}
process.exitCode = total.fiveXx + total.unanswered + fiveHundreds.length > 0 ? 1 : 0;

// Load, as users would cause it, against a real `papertalk serve` process on 127.0.0.1:
//   1. 50 concurrent clients on POST /api/search for 30 s (autocannon): requests/s, p99, errors;
//   2. 20 concurrent /api/chat streams against the fake Ollama, each with its own token sequence:
//      all must complete, none may receive another's tokens;
//   3. a large ingest while 8 clients search: every answer must come from the old index or the
//      new one whole (result count and paper total), with no errors.
// Exit code 1 when any of these fails. Prints a table (and --json prints the figures as JSON).
//
//   npm run test:load -- [--seconds 30] [--connections 50] [--streams 20] [--ingest 3000] [--json]
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { loadConfig } from '../src/config.js';
import { openEngine } from '../src/engine.js';
import { sampleDir } from '../test/support/corpus.js';
import { startFakeOllama } from '../test/support/fake-ollama.js';
import { generatedPapers } from '../test/support/papers.js';
import { cliEnv, startServeProcess } from '../test/support/processes.js';
import { answerText, readSse } from '../test/support/sse.js';

const { values: args } = parseArgs({
  options: {
    seconds: { type: 'string', default: '30' },
    connections: { type: 'string', default: '50' },
    streams: { type: 'string', default: '20' },
    ingest: { type: 'string', default: '3000' },
    json: { type: 'boolean', default: false },
  },
});
const SECONDS = Number(args.seconds);
const CONNECTIONS = Number(args.connections);
const STREAMS = Number(args.streams);
const INGEST = Number(args.ingest);

const QUERIES = [
  'parameter-efficient fine-tuning of large language models',
  'video generation with diffusion models',
  'reinforcement learning from human feedback',
  'retrieval augmented generation benchmark',
  'mixture of experts routing',
  'long context attention efficiency',
  'vision language model hallucination',
  'code generation agents',
];

const post = (url: string, body: unknown) =>
  fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

interface Row {
  check: string;
  result: string;
  ok: boolean;
}

async function searchLoad(url: string): Promise<{ row: Row; figures: object }> {
  let next = 0;
  const result = await autocannon({
    url: `${url}/api/search`,
    connections: CONNECTIONS,
    duration: SECONDS,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    requests: [
      {
        setupRequest: (request) => ({ ...request, body: JSON.stringify({ query: QUERIES[next++ % QUERIES.length], k: 10 }) }),
      },
    ],
  });
  const failed = result.errors + result.timeouts + result.non2xx;
  const figures = {
    connections: CONNECTIONS,
    seconds: SECONDS,
    requests: result.requests.total,
    requests_per_s: Math.round(result.requests.average),
    latency_p50_ms: result.latency.p50,
    latency_p99_ms: result.latency.p99,
    latency_max_ms: result.latency.max,
    errors: result.errors,
    timeouts: result.timeouts,
    non_2xx: result.non2xx,
  };
  return {
    figures,
    row: {
      check: `search: ${CONNECTIONS} clients × ${SECONDS} s`,
      result: `${figures.requests} requests, ${figures.requests_per_s} req/s, p50 ${figures.latency_p50_ms} ms, p99 ${figures.latency_p99_ms} ms, ${failed} failed`,
      ok: failed === 0 && result.requests.total > 0,
    },
  };
}

async function chatStreams(url: string, fake: Awaited<ReturnType<typeof startFakeOllama>>): Promise<{ row: Row; figures: object }> {
  const list = await (await fetch(`${url}/api/papers?limit=${STREAMS}`)).json();
  const questions: string[] = list.papers.map((paper: { title: string }) => `What does "${paper.title}" propose?`);
  const tokensOf = (c: number) => Array.from({ length: 40 }, (_, i) => `c${c}-t${i} `);
  fake.onChat((body) => {
    const question = /Question: (.*)/.exec(String(body.messages.at(-1)?.content ?? ''))?.[1] ?? '';
    return { kind: 'answer', tokens: tokensOf(questions.indexOf(question)), delayMs: 10 };
  });
  const started = performance.now();
  const outcomes = await Promise.all(
    questions.map(async (question, c) => {
      try {
        const events = await readSse(await post(`${url}/api/chat`, { messages: [{ role: 'user', content: question }] }));
        const completed = events.at(-1)?.event === 'done';
        return { completed, own: completed && answerText(events) === tokensOf(c).join('') };
      } catch {
        return { completed: false, own: false };
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const completed = outcomes.filter((o) => o.completed).length;
  const own = outcomes.filter((o) => o.own).length;
  return {
    figures: { streams: questions.length, completed, own_tokens_only: own, seconds: Number(seconds.toFixed(2)) },
    row: {
      check: `chat: ${questions.length} concurrent streams`,
      result: `${completed}/${questions.length} completed, ${own}/${questions.length} received only their own tokens, ${seconds.toFixed(1)} s`,
      ok: completed === questions.length && own === questions.length && questions.length === STREAMS,
    },
  };
}

async function ingestWhileSearching(url: string): Promise<{ row: Row; figures: object }> {
  const MARKER = 'zqxswapmarker';
  const oldTotal = (await (await fetch(`${url}/api/papers?limit=1`)).json()).total as number;
  const incoming = generatedPapers(INGEST, 23).map((paper) => ({ ...paper, id: `load-${paper.id}`, title: `${paper.title} ${MARKER}` }));
  const newTotal = oldTotal + incoming.length;
  let done = false;
  const started = performance.now();
  const ingest = post(`${url}/api/ingest`, incoming).then(async (r) => {
    done = true;
    return { status: r.status, body: await r.json() };
  });
  const tally = { old: 0, new: 0, partial: 0, errors: 0, during: 0 };
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      for (let last = false; !last; ) {
        last = done;
        const during = !done;
        try {
          const [search, list] = await Promise.all([post(`${url}/api/search`, { query: MARKER, k: 50, mode: 'lexical' }), fetch(`${url}/api/papers?limit=1`)]);
          if (search.status !== 200 || list.status !== 200) {
            tally.errors++;
            continue;
          }
          const hits = (await search.json()).results.length;
          const total = (await list.json()).total;
          if (during) tally.during++;
          if (hits === 0 && total === oldTotal) tally.old++;
          else if (hits === 50 && total === newTotal) tally.new++;
          // Search and listing may straddle the swap; each alone must be whole.
          else if ((hits === 0 || hits === 50) && (total === oldTotal || total === newTotal)) tally.new++;
          else tally.partial++;
        } catch {
          tally.errors++;
        }
      }
    }),
  );
  const result = await ingest;
  const seconds = (performance.now() - started) / 1000;
  const ok = result.status === 200 && result.body.total === newTotal && tally.partial === 0 && tally.errors === 0 && tally.during > 0;
  return {
    figures: { ingested: incoming.length, ingest_seconds: Number(seconds.toFixed(2)), searches: tally.old + tally.new + tally.partial, ...tally },
    row: {
      check: `ingest ${incoming.length} papers while 8 clients search`,
      result: `${tally.old + tally.new + tally.partial} searches (${tally.during} during the ingest): ${tally.old} old, ${tally.new} new, ${tally.partial} partial, ${tally.errors} errors; ingest ${seconds.toFixed(1)} s`,
      ok,
    },
  };
}

function printTable(rows: Row[]): void {
  const width = Math.max(...rows.map((r) => r.check.length));
  console.log(`\n${'check'.padEnd(width)}  ok    result`);
  console.log(`${'-'.repeat(width)}  ----  ${'-'.repeat(60)}`);
  for (const row of rows) console.log(`${row.check.padEnd(width)}  ${row.ok ? 'yes ' : 'NO  '}  ${row.result}`);
}

async function main(): Promise<number> {
  const indexDir = await mkdtemp(path.join(os.tmpdir(), 'papertalk-load-'));
  const fake = await startFakeOllama();
  let server: Awaited<ReturnType<typeof startServeProcess>> | undefined;
  try {
    // The sample corpus, indexed the way `papertalk ingest` does it.
    const engine = await openEngine(loadConfig({ PAPERTALK_INDEX_DIR: indexDir, PAPERTALK_DENSE: 'false', PAPERTALK_LOG_LEVEL: 'error' }));
    await engine.ingestPath(sampleDir);
    await engine.close();
    server = await startServeProcess(
      cliEnv(indexDir, { OLLAMA_HOST: fake.url, PAPERTALK_RATE_LIMIT_PER_MINUTE: '100000' }),
      60_000,
    );
    console.error(`serving at ${server.url}; ${CONNECTIONS} search clients for ${SECONDS} s…`);
    const search = await searchLoad(server.url);
    console.error('chat streams…');
    const chat = await chatStreams(server.url, fake);
    console.error('ingest while searching…');
    const swap = await ingestWhileSearching(server.url);
    const rows = [search.row, chat.row, swap.row];
    if (args.json) console.log(JSON.stringify({ search: search.figures, chat: chat.figures, ingest_while_searching: swap.figures }, null, 2));
    printTable(rows);
    return rows.every((r) => r.ok) ? 0 : 1;
  } finally {
    server?.child.kill('SIGTERM');
    await server?.exited;
    await fake.close();
    await rm(indexDir, { recursive: true, force: true });
  }
}

process.exitCode = await main();

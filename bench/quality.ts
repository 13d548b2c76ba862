// Retrieval quality on a BEIR-format dataset, through the same code users run: the corpus is
// ingested with engine.ingestPath into a fresh temporary index and every query goes through
// engine.search. Prints nDCG@10, Recall@10, Recall@100 and MRR@10 per search mode and writes
// them as JSON under bench/results/.
//
//   npm run bench:quality -- --dataset ../shared/bench-data/scifact [--split test|train]
//     [--modes lexical,dense,hybrid] [--models <dir> | --tiny] [--limit N] [--json-out file]
//     [--gate 0.66] [--backend vectra|lancedb]
//
// --gate makes the run a regression check: exit code 1 when lexical nDCG@10 is below it.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../src/config.js';
import { openEngine, type Engine } from '../src/engine.js';
import { describeError } from '../src/errors.js';
import { limitQueries, loadBeirDataset, type BeirDataset, type BeirSplit } from '../src/eval/beir.js';
import { evaluateRun, type QualityScores } from '../src/eval/metrics.js';
import { lexicalDefaults } from '../src/index/lexical.js';
import type { SearchMode } from '../src/types.js';
import { makeTinyModelsDir, TINY_MODEL } from '../test/support/tiny-model.js';
import { defaultScifactDir, resultsFile } from './lib/paths.js';
import { progressBar } from './lib/progress.js';

const MODES: SearchMode[] = ['lexical', 'dense', 'hybrid'];
/** Deep enough for Recall@100. */
const DEPTH = 100;

const usage = `usage: npm run bench:quality -- [--dataset DIR] [--split test|train] [--modes lexical,dense,hybrid]
       [--models DIR | --tiny] [--limit N] [--json-out FILE] [--gate NDCG] [--backend vectra|lancedb]`;

interface Options {
  dataset: string;
  split: BeirSplit;
  modes: SearchMode[];
  models?: string;
  tiny: boolean;
  limit?: number;
  jsonOut?: string;
  gate?: number;
  backend: 'vectra' | 'lancedb';
}

function fail(message: string): never {
  console.error(`bench:quality: ${message}\n${usage}`);
  process.exit(2);
}

function readOptions(argv: string[]): Options {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        dataset: { type: 'string' },
        split: { type: 'string', default: 'test' },
        modes: { type: 'string', default: MODES.join(',') },
        models: { type: 'string' },
        tiny: { type: 'boolean', default: false },
        limit: { type: 'string' },
        'json-out': { type: 'string' },
        gate: { type: 'string' },
        backend: { type: 'string', default: 'vectra' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }));
  } catch (error) {
    fail(describeError(error));
  }
  if (values.help) {
    console.log(usage);
    process.exit(0);
  }
  const backend = values.backend;
  if (backend !== 'vectra' && backend !== 'lancedb') fail(`--backend must be vectra or lancedb, got "${backend}"`);
  const split = values.split;
  if (split !== 'test' && split !== 'train' && split !== 'dev') fail(`--split must be test, train or dev, got "${split}"`);
  const modes = values.modes.split(',').map((mode) => mode.trim()).filter(Boolean);
  const unknown = modes.filter((mode) => !MODES.includes(mode as SearchMode));
  if (modes.length === 0 || unknown.length > 0) fail(`--modes takes a comma-separated subset of ${MODES.join(', ')}; got "${values.modes}"`);
  const number = (name: string, raw: string | undefined, check: (n: number) => boolean) => {
    if (raw === undefined) return undefined;
    const n = Number(raw);
    if (!Number.isFinite(n) || !check(n)) fail(`--${name} got "${raw}"`);
    return n;
  };
  if (values.models && values.tiny) fail('give --models or --tiny, not both');
  return {
    dataset: path.resolve(values.dataset ?? defaultScifactDir()),
    split,
    modes: modes as SearchMode[],
    models: values.models && path.resolve(values.models),
    tiny: values.tiny,
    limit: number('limit', values.limit, (n) => Number.isInteger(n) && n > 0),
    jsonOut: values['json-out'],
    gate: number('gate', values.gate, (n) => n > 0 && n <= 1),
    backend,
  };
}

type ModeResult =
  | { mode: SearchMode; available: true; scores: QualityScores; latency_ms: { mean: number; p50: number; p95: number } }
  | { mode: SearchMode; available: false; reason: string };

async function runMode(engine: Engine, dataset: BeirDataset, mode: SearchMode): Promise<ModeResult> {
  const modes = engine.health().search_modes;
  if (!modes.includes(mode)) {
    const embedding = engine.health().embedding;
    return { mode, available: false, reason: embedding.reason ?? `the index has no vectors for ${embedding.model}` };
  }
  const run = new Map<string, string[]>();
  const took: number[] = [];
  const bar = progressBar(`search (${mode})`, 'queries');
  bar.start(dataset.queries.length, 0);
  for (const query of dataset.queries) {
    const started = performance.now();
    const response = await engine.search(query.text, { k: DEPTH, mode });
    took.push(performance.now() - started);
    if (response.mode !== mode) throw new Error(`asked for ${mode} search, the engine ran ${response.mode}`);
    // Anserini's -removeQuery: a document never answers its own query.
    run.set(query.id, response.results.map((hit) => hit.id).filter((id) => id !== query.id));
    bar.increment();
  }
  bar.stop();
  took.sort((a, b) => a - b);
  const at = (q: number) => round(took[Math.min(took.length - 1, Math.floor(q * took.length))]!, 2);
  const mean = round(took.reduce((sum, t) => sum + t, 0) / took.length, 2);
  return { mode, available: true, scores: roundScores(evaluateRun(run, dataset.qrels)), latency_ms: { mean, p50: at(0.5), p95: at(0.95) } };
}

function round(value: number, digits = 4): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

function roundScores(scores: QualityScores): QualityScores {
  return {
    'nDCG@10': round(scores['nDCG@10']),
    'Recall@10': round(scores['Recall@10']),
    'Recall@100': round(scores['Recall@100']),
    'MRR@10': round(scores['MRR@10']),
    queries: scores.queries,
  };
}

function printTable(results: ModeResult[]): void {
  const header = ['mode', 'nDCG@10', 'Recall@10', 'Recall@100', 'MRR@10', 'queries', 'mean ms'];
  const rows = results.map((result) =>
    result.available
      ? [
          result.mode,
          result.scores['nDCG@10'].toFixed(4),
          result.scores['Recall@10'].toFixed(4),
          result.scores['Recall@100'].toFixed(4),
          result.scores['MRR@10'].toFixed(4),
          String(result.scores.queries),
          result.latency_ms.mean.toFixed(2),
        ]
      : [result.mode, `unavailable: ${result.reason}`],
  );
  const widths = header.map((cell, i) => Math.max(cell.length, ...rows.filter((row) => row.length > 2).map((row) => row[i]!.length)));
  const line = (row: string[]) =>
    row.length === 2 ? `${row[0]!.padEnd(widths[0]!)}  ${row[1]}` : row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ');
  console.log(line(header));
  for (const row of rows) console.log(line(row));
}

async function main(): Promise<void> {
  const options = readOptions(process.argv.slice(2));
  let dataset = await loadBeirDataset(options.dataset, options.split);
  if (options.limit) dataset = limitQueries(dataset, options.limit);
  const wantsDense = options.modes.some((mode) => mode !== 'lexical');
  const modelsDir = options.tiny ? await makeTinyModelsDir() : options.models;

  const indexDir = await mkdtemp(path.join(os.tmpdir(), 'papertalk-bench-quality-'));
  try {
    // The user's environment picks the model name (PAPERTALK_EMBED_MODEL); the rest is fixed
    // so the run is reproducible: a fresh index, no downloads, no seed corpus.
    const config = loadConfig(process.env, {
      indexDir,
      modelsDir: modelsDir ?? path.join(indexDir, 'no-models'),
      dense: Boolean(wantsDense && modelsDir),
      allowRemoteModels: false,
      seedCorpus: '',
      logLevel: 'silent',
      ...(options.tiny && { embedModel: TINY_MODEL }),
      indexBackend: options.backend,
    });
    const engine = await openEngine(config);
    const health = engine.health();
    if (wantsDense && !modelsDir) {
      console.error('bench:quality: no --models folder (or --tiny) given: dense and hybrid are reported as unavailable');
    }

    const bar = progressBar('ingest', 'papers');
    const started = performance.now();
    let barStarted = false;
    const counts = await engine.ingestPath(dataset.corpusFile, {
      rebuild: true,
      onProgress(done, total) {
        if (!barStarted) bar.start(total, 0);
        barStarted = true;
        bar.update(done);
      },
    });
    if (barStarted) bar.stop();
    const ingestSeconds = (performance.now() - started) / 1000;
    console.error(`ingested ${counts.total} papers (${counts.embedded} chunks embedded) in ${ingestSeconds.toFixed(1)} s`);

    const results: ModeResult[] = [];
    for (const mode of options.modes) {
      if (mode !== 'lexical' && !modelsDir) {
        results.push({ mode, available: false, reason: 'no models folder given (pass --models <dir> or --tiny)' });
      } else {
        results.push(await runMode(engine, dataset, mode));
      }
    }
    await engine.close();

    console.log(`\n${path.basename(dataset.dir)} ${dataset.split}: ${dataset.queries.length} queries, ${counts.total} documents` +
      `${options.tiny ? ' (tiny test model: dense figures prove the plumbing only; its vectors are meaningless)' : ''}`);
    printTable(results);

    const report = {
      dataset: path.basename(dataset.dir),
      dataset_dir: dataset.dir,
      split: dataset.split,
      queries: dataset.queries.length,
      documents: counts.total,
      limit: options.limit ?? null,
      embedding: health.embedding,
      tiny_model: options.tiny,
      lexical_settings: lexicalDefaults,
      ingest_seconds: round(ingestSeconds, 2),
      results,
      created_at: new Date().toISOString(),
    };
    const out = path.resolve(options.jsonOut ?? resultsFile(`quality-${report.dataset}-${dataset.split}`));
    await mkdir(path.dirname(out), { recursive: true });
    await writeFile(out, `${JSON.stringify(report, null, 2)}\n`);
    console.log(`results written to ${path.relative(process.cwd(), out) || out}`);

    if (options.gate !== undefined) {
      const lexical = results.find((result) => result.mode === 'lexical');
      if (!lexical?.available) fail('--gate checks lexical nDCG@10: include lexical in --modes');
      const ndcg = lexical.scores['nDCG@10'];
      if (ndcg < options.gate) {
        console.error(`QUALITY GATE FAILED: lexical nDCG@10 ${ndcg.toFixed(4)} is below ${options.gate}`);
        process.exitCode = 1;
      } else {
        console.log(`quality gate passed: lexical nDCG@10 ${ndcg.toFixed(4)} >= ${options.gate}`);
      }
    }
  } finally {
    await rm(indexDir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(`bench:quality: ${describeError(error)}`);
  process.exit(1);
});

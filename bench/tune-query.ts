// How the query-understanding defaults (src/retrieve/query.ts queryDefaults) were chosen: each
// setting scored on SciFact's TRAIN split (nDCG@10) and on the TUNE half of the sample-corpus
// questions (known-item MRR@10, topical nDCG@10). The test halves are never looked at here.
//
//   npx tsx bench/tune-query.ts [--dataset DIR] [--limit N] [--only LABEL-SUBSTRING]
import { existsSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadBeirDataset, limitQueries } from '../src/eval/beir.js';
import { evaluateRun } from '../src/eval/metrics.js';
import type { IndexSnapshot } from '../src/index/store.js';
import { LexicalIndex } from '../src/index/lexical.js';
import { readSource } from '../src/ingest/read.js';
import { normalizeTitle } from '../src/text/titles.js';
import { toPapers } from '../src/ingest/to-papers.js';
import { VectraReader } from '../src/index/vectra-backend.js';
import { queryDefaults, type QuerySettings } from '../src/retrieve/query.js';
import { lexicalRanking } from '../src/retrieve/search.js';
import type { Paper } from '../src/types.js';
import { defaultScifactDir, repoRoot } from './lib/paths.js';

const { values } = parseArgs({ options: { dataset: { type: 'string' }, limit: { type: 'string' }, only: { type: 'string' } } });

/** Just what lexicalRanking reads: the lexical index and the papers, as a small-backend reader. */
function snapshotOf(papers: Paper[]): IndexSnapshot & { reader: VectraReader } {
  const lexical = LexicalIndex.empty();
  for (const paper of papers) lexical.add(paper);
  const snapshot = { lexical, papers: new Map(papers.map((p) => [p.id, p])) } as unknown as IndexSnapshot;
  return Object.assign(snapshot, { reader: new VectraReader(snapshot, { titleKey: normalizeTitle }) });
}

/** Ranked ids of every query, in order. */
async function runOf(queries: { id: string; text: string }[], rank: (text: string) => Promise<string[]> | string[]) {
  return new Map(await Promise.all(queries.map(async (q) => [q.id, await rank(q.text)] as [string, string[]])));
}

type Scorer = (settings: QuerySettings | 'plain') => Promise<Record<string, number>>;

async function scifactScorer(): Promise<Scorer> {
  const dir = values.dataset ?? defaultScifactDir();
  let train = await loadBeirDataset(dir, 'train');
  if (values.limit) train = limitQueries(train, Number(values.limit));
  const snapshot = snapshotOf(toPapers((await readSource(train.corpusFile)).papers));
  return async (settings) => {
    const run = await runOf(train.queries, async (text) =>
      (settings === 'plain' ? snapshot.lexical.search(text, 100) : await lexicalRanking(snapshot.reader, text, 100, settings)).map((h) => h.id),
    );
    return { 'SciFact train nDCG@10': evaluateRun(run, train.qrels)['nDCG@10'] };
  };
}

async function questionsScorer(): Promise<Scorer | undefined> {
  if (!existsSync(path.join(repoRoot, 'bench', 'questions', 'load.ts'))) return undefined;
  const { loadQuestions } = await import('./questions/load.js');
  const set = await loadQuestions();
  const snapshot = snapshotOf(set.papers);
  const knownItem = set.knownItem.filter((q) => q.split === 'tune');
  const topical = set.topical.filter((q) => q.split === 'tune');
  return async (settings) => {
    const rank = async (text: string) =>
      (settings === 'plain' ? snapshot.lexical.search(text, 10) : await lexicalRanking(snapshot.reader, text, 10, settings)).map((h) => h.id);
    const ki = evaluateRun(await runOf(knownItem.map((q) => ({ id: q.id, text: q.question })), rank), new Map(knownItem.map((q) => [q.id, new Map([[q.paperId, 1]])])));
    const tp = evaluateRun(await runOf(topical.map((q) => ({ id: q.id, text: q.question })), rank), new Map(topical.map((q) => [q.id, new Map(q.relevant.map((r) => [r.id, r.grade]))])));
    return { 'known-item MRR@10': ki['MRR@10'], 'known-item R@10': ki['Recall@10'], 'topical nDCG@10': tp['nDCG@10'] };
  };
}

async function main(): Promise<void> {
  const scorers = [await scifactScorer(), await questionsScorer()].filter((s): s is Scorer => Boolean(s));
  const rows: Array<[string, QuerySettings | 'plain']> = [['plain BM25 (baseline)', 'plain']];
  rows.push(['nothing but BM25 over the analyzed terms', { ...queryDefaults, genericWeight: 1, proximityWeight: 0, expansionWeight: 0, titleWeight: 0 }]);
  for (const genericWeight of [1, 0.5, 0.2, 0.1, 0]) rows.push([`generic=${genericWeight} no proximity/expansion`, { ...queryDefaults, genericWeight, proximityWeight: 0, expansionWeight: 0, titleWeight: 0 }]);
  for (const expansionWeight of [0, 0.25, 0.5, 1]) rows.push([`generic=${queryDefaults.genericWeight} expansion=${expansionWeight}`, { ...queryDefaults, expansionWeight, proximityWeight: 0, titleWeight: 0 }]);
  for (const proximityWeight of [0.25, 0.5, 1]) {
    for (const proximityWindow of [2, 3, 5]) {
      rows.push([`generic=${queryDefaults.genericWeight} expansion=${queryDefaults.expansionWeight} prox=${proximityWeight} window=${proximityWindow}`, { ...queryDefaults, proximityWeight, proximityWindow, titleWeight: 0 }]);
    }
  }
  for (const genericWeight of [0.5, 0.35, 0.2]) {
    for (const expansionWeight of [0.5, 0.75, 1]) {
      rows.push([`generic=${genericWeight} expansion=${expansionWeight} prox=${queryDefaults.proximityWeight}`, { ...queryDefaults, genericWeight, expansionWeight, titleWeight: 0 }]);
    }
  }
  for (const titleWeight of [0, 0.1, 0.2, 0.3, 0.5]) rows.push([`shipped, title=${titleWeight}`, { ...queryDefaults, titleWeight }]);
  rows.push(['the shipped defaults', queryDefaults]);
  let header = false;
  // --only SUBSTRING: just the baseline and the rows whose label contains it.
  const picked = values.only ? rows.filter(([label], i) => i === 0 || label.includes(values.only!)) : rows;
  for (const [label, settings] of picked) {
    const scores = Object.assign({}, ...(await Promise.all(scorers.map((score) => score(settings))))) as Record<string, number>;
    if (!header) {
      console.log(`${'settings'.padEnd(40)}  ${Object.keys(scores).map((k) => k.padStart(22)).join('  ')}`);
      header = true;
    }
    console.log(`${label.padEnd(40)}  ${Object.values(scores).map((v) => v.toFixed(4).padStart(22)).join('  ')}`);
  }
}

await main();

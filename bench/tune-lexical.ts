// How the lexical defaults (src/index/lexical.ts lexicalDefaults) were chosen: BM25 variants
// scored on SciFact's TRAIN split; the test split is printed beside them for the record but
// never used to choose. The corpus goes through the product's own reader and LexicalIndex.
//
//   npx tsx bench/tune-lexical.ts [--dataset DIR] [--grid] [--rm3] [--only TEXT] [--limit N]
//
// --grid adds a k1 x b sweep around each layout's best point (slow: about a minute per row).
import { parseArgs } from 'node:util';
import { loadBeirDataset, limitQueries, type BeirDataset } from '../src/eval/beir.js';
import { evaluateRun, type QualityScores } from '../src/eval/metrics.js';
import { LexicalIndex, lexicalDefaults, type LexicalSettings } from '../src/index/lexical.js';
import { readSource } from '../src/ingest/read.js';
import { toPapers } from '../src/ingest/to-papers.js';
import { createAnalyzer } from '../src/text/analyzer.js';
import { searchWithFeedback, type FeedbackSettings } from './lib/rm3.js';
import type { Paper } from '../src/types.js';
import { defaultScifactDir } from './lib/paths.js';

const { values } = parseArgs({
  options: {
    dataset: { type: 'string' },
    grid: { type: 'boolean', default: false },
    limit: { type: 'string' },
    rm3: { type: 'boolean', default: false },
    only: { type: 'string' },
  },
});

let papersById = new Map<string, Paper>();

function score(index: LexicalIndex, dataset: BeirDataset, feedback?: FeedbackSettings & { analyzeQuery(text: string): string[] }): QualityScores {
  const rank = (text: string) =>
    feedback
      ? searchWithFeedback(index, (id) => papersById.get(id), feedback.analyzeQuery(text), text, 100, feedback)
      : index.search(text, 100);
  const run = new Map(dataset.queries.map((query) => [query.id, rank(query.text).map((hit) => hit.id)]));
  return evaluateRun(run, dataset.qrels);
}

/** Indexes are rebuilt only when the index-time layout changes; k1/b/boosts reload from JSON. */
const built = new Map<string, string>();
function indexFor(papers: Paper[], settings: LexicalSettings): LexicalIndex {
  const key = JSON.stringify([settings.fields, settings.fields === 'combined' && settings.titleBoost > 0, settings.analyzer]);
  let json = built.get(key);
  if (!json) {
    const index = LexicalIndex.empty(settings);
    for (const paper of papers) index.add(paper);
    json = index.toJSON();
    built.set(key, json);
  }
  return LexicalIndex.fromJSON(json, settings);
}

function describe(settings: LexicalSettings): string {
  if (settings === lexicalDefaults) return 'the shipped defaults (lexicalDefaults)';
  const d = { analyzer: { stopwords: true, stem: true, queryCompounds: 'joined' } };
  const parts = [`${settings.fields}`, `k1=${settings.k1}`, `b=${settings.b}`];
  if (settings.fields === 'separate' || settings.titleBoost !== 0) parts.push(`title=${settings.titleBoost}`);
  if (settings.fields === 'separate' && settings.abstractBoost !== 1) parts.push(`abstract=${settings.abstractBoost}`);
  if (settings.analyzer.stopwords !== d.analyzer.stopwords) parts.push(settings.analyzer.stopwords ? 'stopwords' : 'no stopwords');
  if (settings.analyzer.stem !== d.analyzer.stem) parts.push(settings.analyzer.stem ? 'porter' : 'no stemming');
  if (settings.analyzer.queryCompounds !== d.analyzer.queryCompounds) parts.push(`query compounds ${settings.analyzer.queryCompounds}`);
  return parts.join(' ');
}

async function main(): Promise<void> {
  const dir = values.dataset ?? defaultScifactDir();
  let train = await loadBeirDataset(dir, 'train');
  let test = await loadBeirDataset(dir, 'test');
  if (values.limit) {
    train = limitQueries(train, Number(values.limit));
    test = limitQueries(test, Number(values.limit));
  }
  const papers = toPapers((await readSource(train.corpusFile)).papers);
  papersById = new Map(papers.map((paper) => [paper.id, paper]));
  if (values.rm3) return feedbackSweep(papers, train, test);

  // The analyzer as first shipped; each row changes one thing (the tuning order of the report).
  const base: LexicalSettings = { ...lexicalDefaults, abstractBoost: 1, analyzer: { stopwords: true, stem: true, queryCompounds: 'joined' } };
  const variants: LexicalSettings[] = [
    { ...base, fields: 'separate', k1: 0.9, b: 0.4, titleBoost: 1, abstractBoost: 1 },
    { ...base, fields: 'separate', k1: 0.9, b: 0.4, titleBoost: 2, abstractBoost: 1 },
    { ...base, fields: 'combined', k1: 0.9, b: 0.4, titleBoost: 0 },
    { ...base, fields: 'combined', k1: 0.9, b: 0.4, titleBoost: 0.5 },
    { ...base, fields: 'combined', k1: 0.9, b: 0.4, titleBoost: 0, analyzer: { ...base.analyzer, stopwords: false } },
    { ...base, fields: 'combined', k1: 0.9, b: 0.4, titleBoost: 0, analyzer: { ...base.analyzer, stem: false } },
  ];
  for (const [k1, b] of [[0.9, 0.4], [1.2, 0.5]] as const) {
    variants.push({ ...base, fields: 'combined', titleBoost: 0, k1, b, analyzer: { ...base.analyzer, queryCompounds: 'joined+parts' } });
  }
  variants.push(lexicalDefaults);
  if (values.grid) {
    for (const k1 of [0.6, 0.9, 1.2, 1.5]) {
      for (const b of [0.3, 0.5, 0.7, 0.9]) variants.push({ ...base, fields: 'combined', titleBoost: 0, k1, b });
    }
  }

  console.log(`${'settings'.padEnd(48)}  train nDCG@10  R@100   test nDCG@10  R@100`);
  let best: { settings: LexicalSettings; ndcg: number } | undefined;
  for (const settings of variants.filter((v) => !values.only || describe(v).includes(values.only))) {
    const index = indexFor(papers, settings);
    const onTrain = score(index, train);
    const onTest = score(index, test);
    const f = (n: number) => n.toFixed(4);
    console.log(
      `${describe(settings).padEnd(48)}  ${f(onTrain['nDCG@10']).padStart(13)}  ${f(onTrain['Recall@100'])}  ${f(onTest['nDCG@10']).padStart(12)}  ${f(onTest['Recall@100'])}`,
    );
    if (!best || onTrain['nDCG@10'] > best.ndcg) best = { settings, ndcg: onTrain['nDCG@10'] };
  }
  console.log(`\nbest on train: ${describe(best!.settings)} (nDCG@10 ${best!.ndcg.toFixed(4)})`);
}

/** RM3 settings over the best plain BM25 of the grid (combined, k1=1.2, b=0.5, joined query compounds). */
function feedbackSweep(papers: Paper[], train: BeirDataset, test: BeirDataset): void {
  const settings: LexicalSettings = {
    ...lexicalDefaults,
    fields: 'combined',
    titleBoost: 0,
    k1: 1.2,
    b: 0.5,
    analyzer: { stopwords: true, stem: true, queryCompounds: 'joined' },
  };
  const index = indexFor(papers, settings);
  console.log(`${'RM3 over combined k1=1.2 b=0.5'.padEnd(48)}  train nDCG@10  R@100   test nDCG@10  R@100`);
  for (const feedback of [
    { docs: 10, terms: 10, originalWeight: 1 },
    { docs: 10, terms: 10, originalWeight: 0.5 },
    { docs: 10, terms: 10, originalWeight: 0.7 },
    { docs: 5, terms: 10, originalWeight: 0.7 },
    { docs: 10, terms: 20, originalWeight: 0.8 },
  ]) {
    const { analyzeQuery } = createAnalyzer(settings.analyzer);
    const onTrain = score(index, train, { ...feedback, analyzeQuery });
    const onTest = score(index, test, { ...feedback, analyzeQuery });
    const f = (n: number) => n.toFixed(4);
    const label = `docs=${feedback.docs} terms=${feedback.terms} original=${feedback.originalWeight}`;
    console.log(`${label.padEnd(48)}  ${f(onTrain['nDCG@10']).padStart(13)}  ${f(onTrain['Recall@100'])}  ${f(onTest['nDCG@10']).padStart(12)}  ${f(onTest['Recall@100'])}`);
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});

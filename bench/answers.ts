// Does papertalk answer what the corpus can answer, and only that? Measured on the development
// questions of bench/questions/ (the TEST half by default: the tune half chose the thresholds)
// and on public proxies, for papertalk and for plain BM25 side by side in one run:
//
//   npm run bench:answers [-- --split test|tune|all] [--dataset ../shared/bench-data/scifact] [--no-scifact]
//                         [--dense] [--llm]
//
// --dense searches hybrid with the embedding model of PAPERTALK_MODELS_DIR (it must load) and
// prints the dense evidence (best cosine, its z-score) by kind of question, where thresholds for
// it would sit; --llm answers with the configured Ollama (OLLAMA_HOST, PAPERTALK_LLM_MODEL).
// Neither can run on a machine without weights or Ollama; both are how to measure once they exist.
//
// papertalk = the engine's search (query understanding, proximity) and the chat service's
// decision and extractive answer, exactly as users get them (no LLM: Ollama is not here).
// plain BM25 = the same lexical index searched with the question's words as they are, and the
// previous release's rules: "relevant" when a top-6 paper holds >= 50% of the question's
// idf-weighted words; the answer cites the top 3; a follow-up folds in the earlier questions.
import type { VectraReader } from '../src/index/vectra-backend.js';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { ChatService } from '../src/answer/chat-service.js';
import { COVERED_FROM, matchScore, NOT_COVERED_BELOW } from '../src/answer/coverage.js';
import { standaloneQuery } from '../src/answer/follow-up.js';
import type { ChatMessage } from '../src/answer/types.js';
import type { Engine } from '../src/engine.js';
import { loadBeirDataset } from '../src/eval/beir.js';
import { ndcgAt, recallAt, reciprocalRankAt } from '../src/eval/metrics.js';
import { analyzeQuery } from '../src/text/analyzer.js';
import { loadQuestions, type Judged, type QuestionSet } from './questions/load.js';
import { openOn } from './lib/engine.js';
import { defaultScifactDir, repoRoot } from './lib/paths.js';

const { values } = parseArgs({
  options: {
    split: { type: 'string', default: 'test' },
    dataset: { type: 'string' },
    'no-scifact': { type: 'boolean', default: false },
    limit: { type: 'string' },
    dense: { type: 'boolean', default: false },
    llm: { type: 'boolean', default: false },
  },
});
const engineOptions = { dense: values.dense, llm: values.llm };
const split = values.split as 'test' | 'tune' | 'all';
if (!['test', 'tune', 'all'].includes(split)) throw new Error(`--split must be test, tune or all, not ${split}`);
const inSplit = (row: { split: string }) => split === 'all' || row.split === split;

const K = 6;

/** The two systems compared: each ranks papers for a question and says whether it would answer. */
interface System {
  name: string;
  rank(question: string, k: number): Promise<string[]>;
  /** Whether it answers, and the ids its answer cites. */
  respond(messages: ChatMessage[]): Promise<{ answered: boolean; cited: string[]; query: string }>;
  conversationQuery(messages: ChatMessage[]): string;
}

function papertalk(engine: Engine, chat: ChatService): System {
  return {
    name: 'papertalk',
    rank: async (question, k) => (await engine.search(question, { k })).results.map((hit) => hit.id),
    respond: async (messages) => {
      const result = (await chat.answer({ messages, k: K, mode: values.llm ? 'llm' : 'extractive' }))!;
      return { answered: result.relevant, cited: result.citations.map((c) => c.id), query: result.query };
    },
    conversationQuery: (messages) => standaloneQuery(messages).query,
  };
}

function plainBm25(engine: Engine): System {
  const lexical = () => (engine.index() as VectraReader).snapshot.lexical;
  const rank = async (question: string, k: number) => lexical().search(question, k).map((hit) => hit.id);
  /** The previous release's follow-up rewrite: the newest question twice, then the two earlier user turns. */
  const conversationQuery = (messages: ChatMessage[]) => {
    const turns = messages.filter((m) => m.role === 'user').map((m) => m.content.trim());
    return [turns.at(-1)!, turns.at(-1)!, ...turns.slice(0, -1).slice(-2).reverse()].join('\n');
  };
  return {
    name: 'plain BM25',
    rank,
    respond: async (messages) => {
      const query = messages.length > 1 ? conversationQuery(messages) : messages.at(-1)!.content;
      const hits = lexical().search(query, K);
      const terms = new Map(analyzeQuery(query).map((t) => [t, lexical().idf(t)]));
      const total = [...terms.values()].reduce((a, b) => a + b, 0);
      const coverage = (matched: string[]) => [...new Set(matched)].reduce((a, t) => a + (terms.get(t) ?? 0), 0) / (total || 1);
      const answered = hits.some((hit) => coverage(hit.matched) >= 0.5);
      return { answered, cited: answered ? hits.slice(0, 3).map((h) => h.id) : [], query };
    },
    conversationQuery,
  };
}

const mean = (values: number[]) => (values.length === 0 ? NaN : values.reduce((a, b) => a + b, 0) / values.length);
const judgments = (relevant: Judged[]) => new Map(relevant.map((r) => [r.id, r.grade]));
const turnsOf = (questions: string[]): ChatMessage[] =>
  questions.flatMap((content, i) => [
    { role: 'user' as const, content },
    ...(i < questions.length - 1 ? [{ role: 'assistant' as const, content: 'Here is what the indexed papers say [1].' }] : []),
  ]);

type Row = Record<string, number>;

async function sampleRows(system: System, set: QuestionSet): Promise<Row> {
  const row: Row = {};
  const knownItem = set.knownItem.filter(inSplit);
  const topical = set.topical.filter(inSplit);
  const outside = set.outOfCorpus.filter(inSplit);
  const conversations = set.conversations.filter(inSplit);

  const answered: number[] = [];
  const citing: number[] = [];
  const byStyle = new Map<string, { r1: number[]; r10: number[]; mrr: number[] }>();
  for (const q of knownItem) {
    const ranking = await system.rank(q.question, 10);
    const judged = new Map([[q.paperId, 1]]);
    const style = byStyle.get(q.style) ?? byStyle.set(q.style, { r1: [], r10: [], mrr: [] }).get(q.style)!;
    for (const key of ['all', q.style]) {
      const s = key === 'all' ? (byStyle.get('all') ?? byStyle.set('all', { r1: [], r10: [], mrr: [] }).get('all')!) : style;
      s.r1.push(recallAt(ranking, judged, 1));
      s.r10.push(recallAt(ranking, judged, 10));
      s.mrr.push(reciprocalRankAt(ranking, judged, 10));
    }
    const response = await system.respond(turnsOf([q.question]));
    answered.push(Number(response.answered));
    citing.push(Number(response.cited.includes(q.paperId)));
  }
  const topicalNdcg: number[] = [];
  for (const q of topical) {
    topicalNdcg.push(ndcgAt(await system.rank(q.question, 10), judgments(q.relevant), 10));
    answered.push(Number((await system.respond(turnsOf([q.question]))).answered));
  }
  const abstainedFar: number[] = [];
  const abstainedNear: number[] = [];
  for (const q of outside) {
    const abstained = Number(!(await system.respond(turnsOf([q.question]))).answered);
    (q.kind === 'far' ? abstainedFar : abstainedNear).push(abstained);
  }
  const followUpHit: number[] = [];
  const topicChangeHit: number[] = [];
  const agreement: number[] = [];
  for (const c of conversations) {
    const messages = turnsOf(c.turns);
    const top5 = await system.rank(system.conversationQuery(messages), 5);
    const hit = Number(top5.some((id) => c.relevant.some((r) => r.id === id)));
    if (c.kind === 'follow-up') followUpHit.push(hit);
    else {
      topicChangeHit.push(hit);
      const fresh = new Set(await system.rank(c.turns.at(-1)!, 5));
      agreement.push(top5.filter((id) => fresh.has(id)).length / 5);
    }
  }
  row['answered, in-corpus'] = mean(answered);
  row['abstained, out-of-corpus (all)'] = mean([...abstainedFar, ...abstainedNear]);
  row['abstained, other fields'] = mean(abstainedFar);
  row['abstained, same-field near misses'] = mean(abstainedNear);
  row['known-item answers citing the target'] = mean(citing);
  for (const [style, s] of [...byStyle].sort(([a], [b]) => (a === 'all' ? -1 : b === 'all' ? 1 : a.localeCompare(b)))) {
    row[`known-item R@1 (${style})`] = mean(s.r1);
    row[`known-item R@10 (${style})`] = mean(s.r10);
    row[`known-item MRR@10 (${style})`] = mean(s.mrr);
  }
  row['topical nDCG@10'] = mean(topicalNdcg);
  row['follow-up hit@5'] = mean(followUpHit);
  row['topic change hit@5'] = mean(topicChangeHit);
  row['topic change: top-5 shared with a fresh chat'] = mean(agreement);
  return row;
}

/** The match score the coverage decision reads (and, with a model, the dense evidence), by kind of question: where the thresholds sit. */
async function scoreDistributions(engine: Engine, set: QuestionSet): Promise<void> {
  const signals = { match: new Map<string, number[]>(), 'dense top cosine': new Map<string, number[]>(), 'dense z-score': new Map<string, number[]>() };
  const add = (groups: Map<string, number[]>, kind: string, value: number | undefined) => {
    if (value !== undefined) (groups.get(kind) ?? groups.set(kind, []).get(kind)!).push(value);
  };
  const measure = async (kind: string, question: string) => {
    const { evidence } = await engine.search(question, { k: K });
    add(signals.match, kind, matchScore(evidence));
    add(signals['dense top cosine'], kind, evidence.dense_top);
    add(signals['dense z-score'], kind, evidence.dense_z);
  };
  for (const q of set.knownItem.filter(inSplit)) await measure(`known-item, ${q.style}`, q.question);
  for (const q of set.topical.filter(inSplit)) await measure('topical', q.question);
  for (const q of set.outOfCorpus.filter(inSplit)) await measure(`out-of-corpus, ${q.kind}`, q.question);
  const at = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * (sorted.length - 1)))]!.toFixed(2);
  for (const [name, groups] of Object.entries(signals)) {
    if (groups.size === 0) continue;
    const thresholds = name === 'match';
    console.log(
      thresholds
        ? `\nMatch score (src/answer/coverage.ts): not covered below ${NOT_COVERED_BELOW}, covered from ${COVERED_FROM}; ${split} split\n`
        : `\nEvidence: ${name} (not read by the decision yet); ${split} split\n`,
    );
    console.log(`| questions | n | min | p5 | p10 | p50 | p90 | max |${thresholds ? ' below NOT_COVERED | below COVERED |' : ''}`);
    console.log(`|---|---:|---:|---:|---:|---:|---:|---:|${thresholds ? '---:|---:|' : ''}`);
    for (const [kind, values] of [...groups].sort(([a], [b]) => a.localeCompare(b))) {
      const sorted = [...values].sort((a, b) => a - b);
      const share = (t: number) => (sorted.filter((v) => v < t).length / sorted.length).toFixed(2);
      const cells = [0, 0.05, 0.1, 0.5, 0.9, 1].map((p) => at(sorted, p)).join(' | ');
      console.log(`| ${kind} | ${sorted.length} | ${cells} |${thresholds ? ` ${share(NOT_COVERED_BELOW)} | ${share(COVERED_FROM)} |` : ''}`);
    }
  }
}

async function proxyRows(system: System, claims: string[], key: 'answered' | 'abstained'): Promise<number> {
  const outcomes: number[] = [];
  for (const claim of claims) {
    const { answered } = await system.respond(turnsOf([claim]));
    outcomes.push(Number(key === 'answered' ? answered : !answered));
  }
  return mean(outcomes);
}

function printTable(title: string, names: string[], rows: Row[], counts: string): void {
  console.log(`\n${title}\n${counts}\n`);
  const keys = Object.keys(rows[0]!);
  const width = Math.max(...keys.map((k) => k.length));
  console.log(`| ${'measure'.padEnd(width)} | ${names.map((n) => n.padStart(10)).join(' | ')} | ratio |`);
  console.log(`|${'-'.repeat(width + 2)}|${names.map(() => '-'.repeat(12)).join('|')}|-------|`);
  for (const key of keys) {
    const [a, b] = rows.map((row) => row[key]!);
    const ratio = b && a !== undefined && Number.isFinite(b) && b !== 0 ? (a / b).toFixed(2) : '—';
    console.log(`| ${key.padEnd(width)} | ${rows.map((row) => (Number.isFinite(row[key]!) ? row[key]!.toFixed(3) : '—').padStart(10)).join(' | ')} | ${ratio.padStart(5)} |`);
  }
}

async function main(): Promise<void> {
  const set = await loadQuestions();
  const sample = await openOn(path.join(repoRoot, 'data', 'sample'), engineOptions);
  const systems = [papertalk(sample.engine, sample.chat), plainBm25(sample.engine)];
  const rows = [];
  for (const system of systems) rows.push(await sampleRows(system, set));
  await scoreDistributions(sample.engine, set);
  const count = (list: { split: string }[]) => list.filter(inSplit).length;
  printTable(
    `Sample corpus (632 papers), ${split} split`,
    systems.map((s) => s.name),
    rows,
    `${count(set.knownItem)} known-item, ${count(set.topical)} topical, ${count(set.outOfCorpus)} out-of-corpus, ${count(set.conversations)} conversations`,
  );

  if (!values['no-scifact']) {
    const dataset = await loadBeirDataset(values.dataset ?? defaultScifactDir(), 'test');
    let claims = dataset.queries.map((q) => q.text);
    if (values.limit) claims = claims.slice(0, Number(values.limit));
    const scifact = await openOn(dataset.corpusFile, engineOptions);
    const proxy: Row[] = [];
    for (const [i, onScifact] of [papertalk(scifact.engine, scifact.chat), plainBm25(scifact.engine)].entries()) {
      proxy.push({
        'answered: SciFact claims over SciFact (all covered)': await proxyRows(onScifact, claims, 'answered'),
        'abstained: SciFact claims over the sample corpus': await proxyRows(systems[i]!, claims, 'abstained'),
      });
    }
    printTable('Public proxies (BEIR SciFact test claims)', systems.map((s) => s.name), proxy, `${claims.length} claims; 5,183 SciFact abstracts / the 632 sample papers`);
    await scifact.cleanup();
  }
  await sample.cleanup();
}

try {
  await main();
} catch (error) {
  // --dense without a model, say: one line, not a stack.
  console.error(`bench:answers: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
}

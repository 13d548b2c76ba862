// Checks the development question set and prints how hard it is for plain BM25.
//
//   npm run bench:questions [-- --verbose]
//
// 1. Every file parses (bench/questions/load.ts) and every labelled title is in the sample corpus.
// 2. Counts per file, style, split and kind.
// 3. The copy rule of the known-item questions: no run of 4+ consecutive words shared with the
//    target's title, none of 5+ shared with its abstract (lowercased, punctuation stripped).
// 4. The plain-BM25 baseline on the known-item part (the project's lexical index over title +
//    abstract, the question as it is): R@1, R@10, MRR@10 overall, per style and per split.
//    --verbose lists every question with the target's rank and what BM25 put first.
// Exit code 1 on a schema error, an unknown title or a copy-rule violation.
import { parseArgs } from 'node:util';
import { reciprocalRankAt } from '../../src/eval/metrics.js';
import { LexicalIndex } from '../../src/index/lexical.js';
import type { Paper } from '../../src/types.js';
import { loadQuestions, QuestionSetError, type KnownItem, type QuestionSet } from './load.js';
import { copyViolations, MAX_ABSTRACT_RUN, MAX_TITLE_RUN } from './overlap.js';

const K = 10;

function violations(set: QuestionSet): string[] {
  const byId = new Map(set.papers.map((paper) => [paper.id, paper]));
  return set.knownItem.flatMap((item) => copyViolations(item.question, byId.get(item.paperId)!).map((why) => `${item.id}: ${why}`));
}

function countBy<T>(rows: readonly T[], key: (row: T) => string): string {
  const counts = new Map<string, number>();
  for (const row of rows) counts.set(key(row), (counts.get(key(row)) ?? 0) + 1);
  return [...counts].sort(([a], [b]) => a.localeCompare(b)).map(([name, n]) => `${name} ${n}`).join(', ') || '-';
}

function printCounts(set: QuestionSet): void {
  const split = (row: { split: string }) => row.split;
  console.log('counts');
  console.log(`  known-item     ${set.knownItem.length}  style: ${countBy(set.knownItem, (r) => r.style)}  split: ${countBy(set.knownItem, split)}`);
  console.log(`                 style x split: ${countBy(set.knownItem, (r) => `${r.style}/${r.split}`)}`);
  console.log(`  topical        ${set.topical.length}  split: ${countBy(set.topical, split)}  labels: ${countBy(set.topical.flatMap((r) => r.relevant), (l) => `grade ${l.grade}`)}`);
  console.log(`  out-of-corpus  ${set.outOfCorpus.length}  kind: ${countBy(set.outOfCorpus, (r) => r.kind)}  split: ${countBy(set.outOfCorpus, split)}`);
  console.log(`  conversations  ${set.conversations.length}  kind: ${countBy(set.conversations, (r) => r.kind)}  split: ${countBy(set.conversations, split)}`);
}

interface Ranked {
  item: KnownItem;
  /** 1-based rank of the target in BM25's top K, 0 when absent. */
  rank: number;
  top: string;
}

function bm25Ranks(set: QuestionSet): Ranked[] {
  const index = LexicalIndex.empty();
  for (const paper of set.papers) index.add(paper);
  const titles = new Map(set.papers.map((paper: Paper) => [paper.id, paper.title]));
  return set.knownItem.map((item) => {
    const ranking = index.search(item.question, K).map((hit) => hit.id);
    const rr = reciprocalRankAt(ranking, new Map([[item.paperId, 1]]), K);
    return { item, rank: rr === 0 ? 0 : Math.round(1 / rr), top: titles.get(ranking[0] ?? '') ?? '(nothing)' };
  });
}

function row(name: string, ranked: readonly Ranked[]): string {
  const n = ranked.length;
  const share = (hit: (r: Ranked) => boolean) => (n === 0 ? 0 : ranked.filter(hit).length / n);
  const mrr = n === 0 ? 0 : ranked.reduce((sum, r) => sum + (r.rank ? 1 / r.rank : 0), 0) / n;
  const f = (x: number) => x.toFixed(3);
  return `  ${name.padEnd(22)}${String(n).padStart(4)}  ${f(share((r) => r.rank === 1))}  ${f(share((r) => r.rank > 0))}  ${f(mrr)}`;
}

function printBaseline(ranked: readonly Ranked[], verbose: boolean): void {
  console.log(`\nplain BM25 (LexicalIndex defaults, title + abstract) on the known-item questions`);
  console.log(`  ${'group'.padEnd(22)}   n  R@1    R@10   MRR@10`);
  console.log(row('all', ranked));
  for (const style of ['synonyms', 'described', 'finding', 'half-remembered'] as const) {
    console.log(row(`style ${style}`, ranked.filter((r) => r.item.style === style)));
  }
  for (const split of ['tune', 'test'] as const) console.log(row(`split ${split}`, ranked.filter((r) => r.item.split === split)));
  if (!verbose) return;
  console.log('\nper question (rank of the target in the top 10, 0 = not found; what BM25 put first)');
  for (const r of ranked) {
    console.log(`  ${r.item.id} ${String(r.rank).padStart(2)} ${r.item.style.padEnd(15)} ${r.item.question}`);
    if (r.rank !== 1) console.log(`${' '.repeat(25)}target: ${r.item.title}\n${' '.repeat(25)}top:    ${r.top}`);
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { verbose: { type: 'boolean', default: false } } });
  let set: QuestionSet;
  try {
    set = await loadQuestions();
  } catch (error) {
    if (!(error instanceof QuestionSetError)) throw error;
    console.error(`bench:questions: the question set is invalid:\n${error.message}`);
    process.exit(1);
  }
  printCounts(set);
  const found = violations(set);
  console.log(`\ncopy rule (known-item: at most ${MAX_TITLE_RUN} words in a row from the title, ${MAX_ABSTRACT_RUN} from the abstract): ${found.length} violation(s)`);
  for (const violation of found) console.log(`  ${violation}`);
  printBaseline(bm25Ranks(set), values.verbose ?? false);
  if (found.length > 0) process.exit(1);
}

await main();

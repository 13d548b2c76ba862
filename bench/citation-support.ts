// Where the lexical citation-support threshold (src/answer/citations.ts) stands, measured on the
// sample corpus: how much of a cited abstract's words a sentence must share to count as supported.
// Three kinds of pairs, each from the first two sentences of every abstract: the sentence restated
// the way a model citing it might (70% of its words kept, a lead-in added) against its own
// abstract, and the original sentence against a random other paper and against the other paper
// search ranks closest to it (the hardest wrong pairing).
//
//   npm run bench:citations [-- --gate]
//
// With --gate it exits 1 when the shipped threshold no longer separates the pairs (kept >= 0.99 of
// restatements, flags >= 0.99 of random and >= 0.8 of nearest wrong pairings): after a change to
// the analyzer, say, the threshold must be measured again.
import path from 'node:path';
import { parseArgs } from 'node:util';
import { LEXICAL_SUPPORT_THRESHOLD, lexicalSupport } from '../src/answer/citations.js';
import { analyze } from '../src/text/analyzer.js';
import { splitSentences } from '../src/text/sentences.js';
import { openOn } from './lib/engine.js';
import { repoRoot } from './lib/paths.js';

const { values } = parseArgs({ options: { gate: { type: 'boolean', default: false } } });

const { engine, cleanup } = await openOn(path.join(repoRoot, 'data', 'sample'));
const { papers } = await engine.listPapers(0, 10_000);
// A fixed pseudo-random sequence, so the measurement is the same on every run.
let state = 42;
const random = () => (state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
const restated: number[] = [];
const nearestOther: number[] = [];
const randomOther: number[] = [];
for (const [i, paper] of papers.entries()) {
  const sentences = splitSentences(paper.abstract)
    .map(({ start, end }) => paper.abstract.slice(start, end))
    .filter((s) => new Set(analyze(s)).size >= 4)
    .slice(0, 2);
  for (const sentence of sentences) {
    const kept = sentence.split(/\s+/).filter(() => random() < 0.7);
    restated.push(lexicalSupport(`The authors report that ${kept.join(' ')}`, paper));
    const other = papers[(i + 1 + Math.floor(random() * (papers.length - 1))) % papers.length]!;
    randomOther.push(lexicalSupport(sentence, other));
    const closest = (await engine.search(sentence, { k: 2 })).results.find((hit) => hit.id !== paper.id);
    if (closest) nearestOther.push(lexicalSupport(sentence, closest));
  }
}
await cleanup();

const quantile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
};
const share = (values: number[], test: (v: number) => boolean) => values.filter(test).length / values.length;

console.log(`Lexical support of a cited sentence by its abstract, sample corpus (${papers.length} papers)\n`);
console.log('| pairs | n | min | p10 | p50 | p90 | max |');
console.log('|---|---:|---:|---:|---:|---:|---:|');
for (const [name, values] of [['restated, own abstract', restated], ['nearest other paper', nearestOther], ['random other paper', randomOther]] as const) {
  const cells = [0, 0.1, 0.5, 0.9, 1].map((p) => quantile(values, p).toFixed(2));
  console.log(`| ${name} | ${values.length} | ${cells.join(' | ')} |`);
}
console.log('\n| threshold | restated kept | nearest other flagged | random other flagged |');
console.log('|---:|---:|---:|---:|');
for (const t of [0.4, 0.5, 0.6, 0.7]) {
  const mark = t === LEXICAL_SUPPORT_THRESHOLD ? ' (shipped)' : '';
  console.log(`| ${t}${mark} | ${share(restated, (v) => v >= t).toFixed(3)} | ${share(nearestOther, (v) => v < t).toFixed(3)} | ${share(randomOther, (v) => v < t).toFixed(3)} |`);
}

const t = LEXICAL_SUPPORT_THRESHOLD;
const checks = [
  { what: 'restatements kept', value: share(restated, (v) => v >= t), floor: 0.99 },
  { what: 'random wrong pairings flagged', value: share(randomOther, (v) => v < t), floor: 0.99 },
  { what: 'nearest wrong pairings flagged', value: share(nearestOther, (v) => v < t), floor: 0.8 },
];
const failed = checks.filter((check) => check.value < check.floor);
for (const check of failed) console.error(`threshold ${t}: ${check.what} ${check.value.toFixed(3)} < ${check.floor}: measure the threshold again`);
if (values.gate && failed.length > 0) process.exit(1);

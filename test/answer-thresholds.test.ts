// The citation support threshold, measured on the sample corpus: this spec prints the
// distributions and fails when the threshold no longer separates them (e.g. after a change to
// the analyzer), which means it must be measured again. (The "is this covered?" thresholds are
// measured by `npm run bench:answers` on bench/questions.)
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LEXICAL_SUPPORT_THRESHOLD, lexicalSupport } from '../src/answer/citations.js';
import type { Engine } from '../src/engine.js';
import { analyze } from '../src/text/analyzer.js';
import { splitSentences } from '../src/text/sentences.js';
import { makeTestEngine } from './support/engine.js';

let engine: Engine;
beforeAll(async () => {
  engine = await makeTestEngine();
}, 120_000);
afterAll(async () => {
  await engine?.close();
});

function quantiles(values: number[]): string {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!.toFixed(2);
  return `n=${values.length} min ${sorted[0]!.toFixed(2)} p10 ${at(0.1)} p50 ${at(0.5)} p90 ${at(0.9)} max ${sorted.at(-1)!.toFixed(2)}`;
}

const share = (values: number[], test: (v: number) => boolean) => values.filter(test).length / values.length;

describe('citation support threshold (lexical)', () => {
  it(`keeps faithful restatements above ${LEXICAL_SUPPORT_THRESHOLD} and flags sentences paired with the wrong abstract`, async () => {
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
        // What a model citing this paper might write: most of the sentence, with a lead-in.
        const kept = sentence.split(/\s+/).filter(() => random() < 0.7);
        restated.push(lexicalSupport(`The authors report that ${kept.join(' ')}`, paper));
        const other = papers[(i + 1 + Math.floor(random() * (papers.length - 1))) % papers.length]!;
        randomOther.push(lexicalSupport(sentence, other));
        // The hardest wrong pairing: the paper search finds closest to the sentence, its own excepted.
        const closest = (await engine.search(sentence, { k: 2 })).results.find((hit) => hit.id !== paper.id);
        if (closest) nearestOther.push(lexicalSupport(sentence, closest));
      }
    }
    console.log(
      [
        `support, restated own sentence: ${quantiles(restated)}`,
        `support, nearest other paper:   ${quantiles(nearestOther)}`,
        `support, random other paper:    ${quantiles(randomOther)}`,
        ...[0.4, 0.5, 0.6, 0.7].map(
          (t) =>
            `threshold ${t}: restated kept ${share(restated, (v) => v >= t).toFixed(3)}, ` +
            `nearest-other flagged ${share(nearestOther, (v) => v < t).toFixed(3)}, random-other flagged ${share(randomOther, (v) => v < t).toFixed(3)}`,
        ),
      ].join('\n'),
    );
    const t = LEXICAL_SUPPORT_THRESHOLD;
    expect(share(restated, (v) => v >= t)).toBeGreaterThanOrEqual(0.99);
    expect(share(randomOther, (v) => v < t)).toBeGreaterThanOrEqual(0.99);
    expect(share(nearestOther, (v) => v < t)).toBeGreaterThanOrEqual(0.8);
  }, 120_000);
});

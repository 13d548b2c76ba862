// The benchmark's metrics, checked against values worked out by hand with trec_eval's
// definitions (gain = grade, discount = log2(rank + 1), ideal ranking from the qrels).
import { describe, expect, it } from 'vitest';
import { parseQrels } from '../src/eval/beir.js';
import { evaluateRun, ndcgAt, recallAt, reciprocalRankAt } from '../src/eval/metrics.js';

const judgments = (entries: Record<string, number>) => new Map(Object.entries(entries));

describe('ranking metrics', () => {
  // Three relevant documents; the run finds two of them, at ranks 2 and 4.
  const binary = judgments({ d1: 1, d3: 1, d5: 1 });
  const ranking = ['d2', 'd1', 'd4', 'd3'];

  it('computes nDCG@10 as DCG over the ideal DCG of all relevant documents', () => {
    // DCG = 1/log2(3) + 1/log2(5) = 1.061606; IDCG = 1 + 1/log2(3) + 1/log2(4) = 2.130930
    expect(ndcgAt(ranking, binary, 10)).toBeCloseTo(0.498189, 6);
  });

  it('cuts nDCG at k on both the run and the ideal ranking', () => {
    // Top 2: DCG = 1/log2(3) = 0.630930; ideal top 2: 1 + 0.630930
    expect(ndcgAt(ranking, binary, 2)).toBeCloseTo(0.630930 / 1.630930, 6);
  });

  it('uses graded relevance as the gain', () => {
    // b (grade 1) at rank 1, a (grade 2) at rank 3: DCG = 1 + 2/2 = 2; IDCG = 2 + 1/log2(3) = 2.630930
    expect(ndcgAt(['b', 'x', 'a'], judgments({ a: 2, b: 1 }), 10)).toBeCloseTo(0.760188, 6);
  });

  it('computes recall as the share of relevant documents found in the top k', () => {
    expect(recallAt(ranking, binary, 10)).toBeCloseTo(2 / 3, 10);
    expect(recallAt(ranking, binary, 2)).toBeCloseTo(1 / 3, 10);
    expect(recallAt(ranking, binary, 1)).toBe(0);
  });

  it('computes the reciprocal rank of the first relevant document, 0 past the cutoff', () => {
    expect(reciprocalRankAt(ranking, binary, 10)).toBe(0.5);
    expect(reciprocalRankAt(ranking, binary, 1)).toBe(0);
  });

  it('does not count documents judged 0 as relevant', () => {
    const withZero = judgments({ d1: 1, d2: 0 });
    expect(recallAt(['d2', 'd1'], withZero, 10)).toBe(1);
    expect(reciprocalRankAt(['d2', 'd1'], withZero, 10)).toBe(0.5);
    expect(ndcgAt(['d2', 'd1'], withZero, 10)).toBeCloseTo(1 / Math.log2(3), 10);
  });

  it('averages over every judged query, scoring a query missing from the run as 0 (trec_eval -c)', () => {
    const qrels = new Map([
      ['q1', binary],
      ['q2', judgments({ a: 2, b: 1 })],
      ['q3', judgments({ z: 1 })],
      // No relevant document: not a query trec_eval can score, so it is left out of the mean.
      ['q4', judgments({ y: 0 })],
    ]);
    const run = new Map([
      ['q1', ranking],
      ['q2', ['b', 'x', 'a']],
      ['q4', ['y']],
    ]);
    const scores = evaluateRun(run, qrels);
    expect(scores.queries).toBe(3);
    expect(scores['nDCG@10']).toBeCloseTo((0.498189 + 0.760188 + 0) / 3, 6);
    expect(scores['Recall@10']).toBeCloseTo((2 / 3 + 1 + 0) / 3, 10);
    expect(scores['Recall@100']).toBeCloseTo((2 / 3 + 1 + 0) / 3, 10);
    expect(scores['MRR@10']).toBeCloseTo((0.5 + 1 + 0) / 3, 10);
  });
});

describe('BEIR qrels', () => {
  it('reads the TSV with its header and keeps ids as strings', () => {
    const qrels = parseQrels('query-id\tcorpus-id\tscore\n1\t04983\t1\r\n1\t7\t1\n13\t5\t2\n');
    expect([...qrels.keys()]).toEqual(['1', '13']);
    expect([...qrels.get('1')!]).toEqual([['04983', 1], ['7', 1]]);
    expect(qrels.get('13')!.get('5')).toBe(2);
  });

  it('names the line of a malformed judgment', () => {
    expect(() => parseQrels('query-id\tcorpus-id\tscore\n1\t2\n')).toThrow(/line 2/);
  });
});

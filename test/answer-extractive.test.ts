import { describe, expect, it } from 'vitest';
import { extractiveAnswer } from '../src/answer/extractive.js';

const papers = [
  {
    n: 1,
    title: 'Prepacking',
    abstract:
      'During inference for large language models, prefilling computes the KV cache. ' +
      'We propose Prepacking, which packs prompts of varying lengths into one sequence with a bin-packing algorithm. ' +
      'It speeds up prefilling.',
  },
  { n: 2, title: 'Turkish BERT', abstract: 'We train tiny Turkish BERT models. They run fast.' },
  { n: 3, title: 'Packing sequences', abstract: 'Sequence packing without cross-contamination speeds up training. Results hold at scale.' },
];

describe('extractive answer', () => {
  it('quotes, for each paper, the sentence that best matches the question, cited', () => {
    const text = extractiveAnswer('How are prompts of varying lengths packed?', papers);
    expect(text.split('\n')).toEqual([
      '- Prepacking: We propose Prepacking, which packs prompts of varying lengths into one sequence with a bin-packing algorithm. [1]',
      '- Packing sequences: Sequence packing without cross-contamination speeds up training. [3]',
    ]);
  });

  it('always quotes the top paper, even when no sentence shares a word with the question', () => {
    expect(extractiveAnswer('zzz qqq', papers)).toBe('- Prepacking: During inference for large language models, prefilling computes the KV cache. [1]');
  });

  it('quotes at most three papers', () => {
    const many = Array.from({ length: 6 }, (_, i) => ({ n: i + 1, title: `P${i}`, abstract: 'Packing prompts helps.' }));
    expect(extractiveAnswer('packing prompts', many).split('\n')).toHaveLength(3);
  });
});

describe('extractive answer with corpus idf', () => {
  const idf = (term: string) => (['larg', 'languag', 'model'].includes(term) ? 0.2 : 5);
  const generic = { n: 2, title: 'Quantization study', abstract: 'Large language models are growing. We study quantization.' };

  it('prefers the sentence with the rare question terms over one with many common ones', () => {
    const text = extractiveAnswer('How does prepacking speed up prefilling for large language models?', [papers[0]!], idf);
    expect(text).toBe('- Prepacking: It speeds up prefilling. [1]');
  });

  it('leaves out a paper that only shares words every abstract has', () => {
    const text = extractiveAnswer('How does prepacking help large language models?', [papers[0]!, generic], idf);
    expect(text).not.toContain('[2]');
  });
});

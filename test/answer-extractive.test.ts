import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { unescapeMarkdown } from '../src/cli/chat.js';
import { escapeMarkdown, extractiveAnswer } from '../src/answer/extractive.js';

const papers = [
  {
    n: 1,
    title: 'Prepacking',
    abstract:
      'During inference for large language models, prefilling computes the KV cache. ' +
      'We propose Prepacking, which packs prompts of varying lengths into one sequence with a bin-packing algorithm. ' +
      'It speeds up prefilling. Code is available at https://github.com/example/prepacking.',
  },
  { n: 2, title: 'Turkish BERT', abstract: 'We train tiny Turkish BERT models. They run fast.' },
  { n: 3, title: 'Packing sequences', abstract: 'Sequence packing without cross-contamination speeds up training. Results hold at scale.' },
];

const quotes = (text: string) => text.split('\n');

describe('extractive answer', () => {
  it('quotes the sentences that best answer the question, verbatim, each with its [n], best first', () => {
    const text = extractiveAnswer('How are prompts of varying lengths packed?', papers);
    expect(quotes(text)[0]).toBe('- “We propose Prepacking, which packs prompts of varying lengths into one sequence with a bin-packing algorithm.” [1]');
    expect(text).not.toContain('[2]');
  });

  it('about one paper, quotes more of its sentences, in the abstract\'s own order', () => {
    const text = extractiveAnswer('tell me more about prepacking, prefilling and the KV cache', [papers[0]!], { onePaper: true });
    expect(quotes(text)).toEqual([
      '- “During inference for large language models, prefilling computes the KV cache.” [1]',
      '- “We propose Prepacking, which packs prompts of varying lengths into one sequence with a bin-packing algorithm.” [1]',
      '- “It speeds up prefilling.” [1]',
    ]);
  });

  it('chooses across papers, not one sentence per paper in rank order', () => {
    const text = extractiveAnswer('does packing speed up prefilling?', papers);
    expect(text).toContain('[1]');
    expect(text).toContain('[3]');
    // At most two quotes from one paper, however well its sentences match.
    expect(quotes(text).filter((line) => line.endsWith('[1]')).length).toBeLessThanOrEqual(2);
  });

  it('quotes another relevant paper before a second sentence of the first', () => {
    const ranked = [
      {
        n: 1,
        title: 'Speculative decoding',
        abstract:
          'A small draft model proposes tokens that the large target model verifies in one pass. ' +
          'Speculative decoding with a draft model keeps the target model output distribution exact.',
      },
      { n: 2, title: 'Lookahead', abstract: 'Lookahead decoding checks drafted tokens with the target model.' },
      { n: 3, title: 'Cooking', abstract: 'Bread needs time to rise.' },
    ];
    const lines = quotes(extractiveAnswer('can a draft model propose tokens for the target model?', ranked));
    expect(lines.map((line) => line.slice(-3))).toEqual(['[1]', '[2]', '[1]']);
  });

  it('never quotes where the code is, unless the abstract says nothing else', () => {
    const text = extractiveAnswer('prepacking code github', papers);
    expect(text).not.toMatch(/github|available at/i);
    const onlyLinks = [{ n: 1, title: 'Tool', abstract: 'Code is available at https://github.com/example/tool.' }];
    expect(extractiveAnswer('tool', onlyLinks)).toContain('[1]');
  });

  it('skips a near-duplicate of a sentence already quoted', () => {
    const twins = [
      { n: 1, title: 'A', abstract: 'Token pruning shrinks the ColBERT index by half with no loss.' },
      { n: 2, title: 'B', abstract: 'Token pruning shrinks the ColBERT index by half with no loss of quality.' },
    ];
    expect(quotes(extractiveAnswer('token pruning ColBERT index', twins))).toHaveLength(1);
  });

  it('stays within a paragraph: about 120 words at most', () => {
    const many = Array.from({ length: 6 }, (_, i) => ({
      n: i + 1,
      title: `P${i}`,
      abstract: `Packing prompts helps variant ${i} ${'with many extra words about packing prompts '.repeat(4)}. Packing prompts again ${i} works.`,
    }));
    const text = extractiveAnswer('packing prompts', many);
    expect(text.split(/\s+/).length).toBeLessThanOrEqual(140);
  });

  it('always quotes something from the top paper when no word of the question occurs', () => {
    expect(extractiveAnswer('zzz qqq', papers)).toBe('- “During inference for large language models, prefilling computes the KV cache.” [1]');
  });

  it('renders a quote as text: markdown and HTML in an abstract stay literal', () => {
    const tricky = [{ n: 1, title: 'T', abstract: 'Our **bold** model [beats](#results) <b>all</b> baselines on packing.' }];
    const text = extractiveAnswer('packing baselines', tricky);
    expect(text).toBe('- “Our \\*\\*bold\\*\\* model \\[beats\\](\\#results) \\<b\\>all\\</b\\> baselines on packing.” [1]');
    expect(escapeMarkdown('a_b `c`')).toBe('a\\_b \\`c\\`');
  });

  it('shows a quote on a terminal exactly as the abstract wrote it', () => {
    fc.assert(fc.property(fc.string(), (text) => unescapeMarkdown(escapeMarkdown(text)) === text));
  });
});

describe('extractive answer with corpus idf', () => {
  const idf = (term: string) => (['larg', 'languag', 'model'].includes(term) ? 0.2 : 5);
  const generic = { n: 2, title: 'Quantization study', abstract: 'Large language models are growing. We study quantization.' };

  it('prefers the sentence with the rare question terms over one with many common ones', () => {
    const text = extractiveAnswer('How does prepacking speed up prefilling for large language models?', [papers[0]!], { idf });
    expect(quotes(text)[0]).toBe('- “It speeds up prefilling.” [1]');
  });

  it('leaves out a paper that only shares words every abstract has', () => {
    const text = extractiveAnswer('How does prepacking help large language models?', [papers[0]!, generic], { idf });
    expect(text).not.toContain('[2]');
  });

  it('puts a follow-up’s own words first: the quote addresses the new constraint', () => {
    const topic = [
      { n: 1, title: 'LoRA', abstract: 'LoRA adapts large models with low-rank updates. On small models LoRA still matches full fine-tuning.' },
    ];
    // As in a real corpus, "model" is in most abstracts and "small" in few.
    const corpusIdf = (term: string) => (term === 'model' ? 0.3 : 3);
    const text = extractiveAnswer('which of those work for small models?\nLoRA low-rank adaptation', topic, {
      idf: corpusIdf,
      focus: 'which of those work for small models?',
    });
    expect(quotes(text)[0]).toContain('On small models');
  });
});

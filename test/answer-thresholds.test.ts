// The two thresholds of the answer step, measured on the sample corpus. These specs are the
// measurement: they print the distributions and fail when a threshold no longer separates them
// (e.g. after a change to the analyzer or to coverage), which means it must be measured again.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LEXICAL_SUPPORT_THRESHOLD, lexicalSupport } from '../src/answer/citations.js';
import { MIN_RELEVANT_COVERAGE } from '../src/answer/relevance.js';
import type { Engine } from '../src/engine.js';
import { analyze } from '../src/text/analyzer.js';
import { splitSentences } from '../src/text/sentences.js';
import { makeTestEngine } from './support/engine.js';

// Questions about sample papers, worded differently from their titles.
const inCorpus = [
  'Which paper decouples model capacity with sparse weights during pre-training and dense weights during fine-tuning?',
  'How can prompts of different lengths be packed together to speed up prefilling?',
  'What is the effect of the age of pretraining data on model performance?',
  'Is there a benchmark for semi-supervised learning across vision, language and audio?',
  'What multimodal retriever was trained for knowledge-based visual question answering?',
  'How large is the biggest Llama 3 model and how long is its context window?',
  'training retrieval-augmented readers with variational inference for open-domain QA',
  'small BERT models for the Turkish language',
  'a dataset for natural language reasoning annotated with first-order logic',
  'text-to-audio generation with a diffusion transformer',
  'helping LLMs understand 3D point clouds with little 3D data',
  'Is it enough to fine-tune only the bias terms of BERT?',
  'adapters built from Kronecker products and low-rank matrices',
  'How to train a BERT model cheaply on limited academic hardware?',
  'distilling self-attention relations to compress transformers',
  'a masked language model adapted to French legal documents',
  'pruning tokens in ColBERT late interaction retrieval',
  'Do larger language models need larger vocabularies?',
  'language models specialized for telecommunications',
  'large language models trained on Portuguese text',
  'how does noise in chain-of-thought training data affect LLMs',
  'replaced token detection instead of masked language modeling',
  'selecting diverse data for instruction tuning',
  'how does quantization after training affect LLM quality',
];

// Questions no paper of the sample corpus answers, some sharing words with it ("training", "prune").
const outOfCorpus = [
  'What temperature should I bake sourdough bread at?',
  'How do I deduct home office expenses on my tax return?',
  'Who won the football World Cup in 2018?',
  'Best way to prune tomato plants in summer',
  'How long should I boil an egg for a soft yolk?',
  'What are the rules for offside in soccer?',
  'How do I file for divorce in California?',
  'Which wine pairs well with grilled salmon?',
  'What caused the fall of the Roman Empire?',
  'How to fix a leaking kitchen faucet',
  'What is the capital gains tax rate on stock sales?',
  'How many calories are in a banana?',
  'Tips for training for a marathon',
  'How do I change a flat tire on my bike?',
  'What are the symptoms of the flu in children?',
  'Which players transferred to Real Madrid this summer?',
  'recipe for a vegan chocolate cake',
  'how to knit a scarf for beginners',
  'what is the VAT rate for restaurants in Germany',
  'how to apply for a mortgage with bad credit',
  'What is the best fertilizer for lawns in spring?',
  'rules of cricket for beginners',
  'How do volcanoes form?',
  'Explain the plot of Hamlet',
];

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

describe('relevance threshold (best coverage among the top 6)', () => {
  it(`separates in-corpus from out-of-corpus questions at ${MIN_RELEVANT_COVERAGE}`, async () => {
    const best = async (q: string) => Math.max(0, ...(await engine.search(q, { k: 6 })).results.map((hit) => hit.coverage));
    const inside = await Promise.all(inCorpus.map(best));
    const outside = await Promise.all(outOfCorpus.map(best));
    console.log(`coverage, in-corpus:     ${quantiles(inside)}\ncoverage, out-of-corpus: ${quantiles(outside)}`);
    expect(share(outside, (v) => v < MIN_RELEVANT_COVERAGE)).toBe(1);
    expect(share(inside, (v) => v >= MIN_RELEVANT_COVERAGE)).toBeGreaterThanOrEqual(0.9);
  });
});

describe('citation support threshold (lexical)', () => {
  it(`keeps faithful restatements above ${LEXICAL_SUPPORT_THRESHOLD} and flags sentences paired with the wrong abstract`, async () => {
    const { papers } = engine.listPapers(0, 10_000);
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

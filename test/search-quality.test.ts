// Search-quality smoke test over the bundled sample corpus: questions a researcher would ask,
// worded in their own terms (not the paper's title), each with the one paper that answers it.
// Lexical search, the default, must rank that paper in the top 5 for nearly all of them.
// Measured quality on a standard benchmark lives in bench/quality.ts; this guards the product
// corpus against a tuning that only helps SciFact.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../src/engine.js';
import { makeTestEngine } from './support/engine.js';

const questions: { question: string; paper: string }[] = [
  { question: 'how do I pick good pretraining documents as the model’s preferences change during training?', paper: 'mates-model-aware-data-selection-for-efficient-8036b269' },
  { question: 'which papers prune LLMs by merging whole layers, with no retraining?', paper: 'laco-large-language-model-pruning-via-layer-d3aa1e81' },
  { question: 'attention whose memory grows linearly with input length, so BERT-like models can read long documents', paper: 'big-bird-transformers-for-longer-sequences-2edfade0' },
  { question: 'is it harmful to train several epochs over the same web text when high-quality tokens run out?', paper: 'to-repeat-or-not-to-repeat-insights-from-scaling-5368717a' },
  { question: 'reusing precomputed KV caches of retrieved chunks that are not at the start of the prompt in RAG', paper: 'cacheblend-fast-large-language-model-serving-for-5f65874f' },
  { question: 'compress the input so an LLM handles texts 6-8 times longer without fine-tuning', paper: 'extending-context-window-of-large-language-aa7cb634' },
  { question: 'all-purpose image features from self-supervised training on a curated dataset, usable with no finetuning', paper: 'dinov2-learning-robust-visual-features-without-a9c3fed3' },
  { question: 'a small, fast BERT that can run on mobile phones with low latency', paper: 'mobilebert-a-compact-task-agnostic-bert-for-1be491aa' },
  { question: 'approximating softmax self-attention with landmarks to avoid quadratic cost in sequence length', paper: 'nystromformer-a-nystrom-based-algorithm-for-526720f8' },
  { question: 'turning dense retrieval vectors into bits to cut storage and compute for web-scale search', paper: 'binary-embedding-based-retrieval-at-tencent-61994537' },
  { question: 'was BERT undertrained? a replication measuring hyperparameters and training data size', paper: 'roberta-a-robustly-optimized-bert-pretraining-e3e53c11' },
  { question: 'how should BERT be adapted to court cases, contracts and legislation?', paper: 'legal-bert-the-muppets-straight-out-of-law-20c5555a' },
  { question: 'condensing a big training set into a tiny synthetic one that still trains a good model', paper: 'efficient-dataset-distillation-through-alignment-950b6db1' },
  { question: 'a foundation model for molecules trained on SMILES strings', paper: 'chemberta-2-towards-chemical-foundation-models-25575f1b' },
  { question: 'does curriculum learning help when fine-tuning LLMs to answer medical exam questions?', paper: 'fine-tuning-large-language-models-with-human-9ebe90e5' },
  { question: 'do language models really learn to extract facts about people from biographies, or memorize question formats?', paper: 'physics-of-language-models-part-3-1-knowledge-7e1365ad' },
  { question: 'why a small per-head dimension limits what multi-head attention can represent', paper: 'low-rank-bottleneck-in-multi-head-attention-32015565' },
];

/** Written before measuring: BM25 as first shipped missed 3, the tuned defaults miss 2. A change that loses more fails. */
const ALLOWED_MISSES = 2;

describe('search quality on the sample corpus (lexical)', () => {
  let engine: Engine;
  beforeAll(async () => {
    engine = await makeTestEngine();
  });
  afterAll(() => engine.close());

  it('every expected paper is in the sample corpus', async () => {
    for (const { paper } of questions) expect(await engine.getPaper(paper), paper).toBeDefined();
  });

  it(`ranks the paper that answers a paraphrased question in the top 5 for all but ${ALLOWED_MISSES} of ${questions.length} questions`, async () => {
    const misses: string[] = [];
    for (const { question, paper } of questions) {
      const { results, mode } = await engine.search(question, { k: 5, mode: 'lexical' });
      expect(mode).toBe('lexical');
      const rank = results.findIndex((hit) => hit.id === paper);
      if (rank < 0) misses.push(`"${question}" -> ${paper}; got ${results.map((hit) => hit.id).join(', ')}`);
    }
    expect(misses.length, misses.join('\n')).toBeLessThanOrEqual(ALLOWED_MISSES);
  });
});

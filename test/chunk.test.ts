import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { chunkEmbeddingText, chunkPaper, type Chunk } from '../src/index/chunk.js';
import { approximateTokenCount } from '../src/text/tokens.js';
import { loadEmbedder, type Embedder } from '../src/index/embedder.js';
import { splitSentences } from '../src/text/sentences.js';
import { parseHfListing } from '../src/ingest/hf-listing.js';
import type { Paper } from '../src/types.js';
import { makeTinyModelsDir, TINY_MODEL } from './support/tiny-model.js';

const sampleDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../data/sample');

let embedder: Embedder;
let samples: Paper[];

beforeAll(async () => {
  const status = await loadEmbedder({
    embedModel: TINY_MODEL,
    modelsDir: await makeTinyModelsDir(),
    allowRemoteModels: false,
    embedDtype: 'auto',
    dense: true,
  });
  if (!status.loaded) throw new Error(status.reason);
  embedder = status.embedder;
  samples = [];
  for (const file of (await readdir(sampleDir)).sort()) {
    const { papers } = parseHfListing(await readFile(path.join(sampleDir, file), 'utf8'));
    samples.push(...papers.map((p, i) => ({ id: `${file}-${i}`, title: p.title, abstract: p.abstract })));
  }
});

const countTokens = (text: string) => embedder.countTokens(text);

function paper(abstract: string, title = 'A study of things'): Paper {
  return { id: 'p1', title, abstract };
}

/** Every non-space character of the abstract lies inside some chunk. */
function uncovered(p: Paper, chunks: Chunk[]): number[] {
  const covered = new Uint8Array(p.abstract.length);
  for (const chunk of chunks) covered.fill(1, chunk.start, chunk.end);
  const missing: number[] = [];
  for (let i = 0; i < p.abstract.length; i++) if (!covered[i] && /\S/.test(p.abstract[i]!)) missing.push(i);
  return missing;
}

function expectWellFormed(p: Paper, chunks: Chunk[], maxTokens: number) {
  expect(chunks.length).toBeGreaterThan(0);
  expect(uncovered(p, chunks)).toEqual([]);
  chunks.forEach((chunk, n) => {
    expect(chunk).toMatchObject({ id: `${p.id}#${n}`, paperId: p.id, n });
    expect(chunk.end).toBeGreaterThanOrEqual(chunk.start);
    expect(countTokens(chunkEmbeddingText(p, chunk))).toBeLessThanOrEqual(maxTokens);
    if (n > 0) expect(chunk.start).toBeGreaterThan(chunks[n - 1]!.start);
  });
}

describe('splitSentences', () => {
  const sentences = (text: string) => splitSentences(text).map((s) => text.slice(s.start, s.end));

  it('splits at sentence ends and trims the spaces between sentences', () => {
    expect(sentences('  First one.  Second one?\nThird one! ')).toEqual(['First one.', 'Second one?', 'Third one!']);
  });

  it('does not split after abbreviations, initials or inside decimals', () => {
    const text =
      'We compare models, e.g. BERT and GPT, i.e. Transformers. Smith et al. report it in Fig. 3 and Eq. 2. ' +
      'It runs 2.5x faster w.r.t. the baseline, as J. Doe noted (cf. Tab. 4). Done.';
    expect(sentences(text)).toEqual([
      'We compare models, e.g. BERT and GPT, i.e. Transformers.',
      'Smith et al. report it in Fig. 3 and Eq. 2.',
      'It runs 2.5x faster w.r.t. the baseline, as J. Doe noted (cf. Tab. 4).',
      'Done.',
    ]);
  });

  it('keeps text without a final period and yields nothing for blank text', () => {
    expect(sentences('No period at the end')).toEqual(['No period at the end']);
    expect(splitSentences(' \n ')).toEqual([]);
  });
});

describe('chunkPaper with the real all-MiniLM-L6-v2 tokenizer', () => {
  it('chunks every sample abstract so that nothing is cut and every chunk fits the window', () => {
    expect(samples.length).toBeGreaterThan(20);
    let multiChunk = 0;
    for (const p of samples) {
      const chunks = chunkPaper(p, countTokens, embedder.maxTokens);
      expectWellFormed(p, chunks, embedder.maxTokens);
      if (chunks.length > 1) multiChunk++;
    }
    // The sample holds abstracts longer than MiniLM's window, so the splitting path runs here.
    expect(multiChunk).toBeGreaterThan(0);
  });

  it('makes one chunk spanning a short abstract', () => {
    const p = paper('We propose a method. It works well.');
    expect(chunkPaper(p, countTokens, embedder.maxTokens)).toEqual([{ id: 'p1#0', paperId: 'p1', n: 0, start: 0, end: p.abstract.length }]);
    expect(chunkEmbeddingText(p, chunkPaper(p, countTokens, embedder.maxTokens)[0]!)).toBe('A study of things. We propose a method. It works well.');
  });

  it('makes one chunk for an empty abstract, so the title is still embedded', () => {
    const p = paper('');
    const chunks = chunkPaper(p, countTokens, embedder.maxTokens);
    expect(chunks).toEqual([{ id: 'p1#0', paperId: 'p1', n: 0, start: 0, end: 0 }]);
    expect(chunkEmbeddingText(p, chunks[0]!)).toBe('A study of things. ');
  });

  it('overlaps neighbouring chunks by one whole sentence', () => {
    const text = Array.from({ length: 12 }, (_, i) => `Sentence number ${i} talks about sparse attention in long context models.`).join(' ');
    const p = paper(text);
    const chunks = chunkPaper(p, countTokens, 40);
    expectWellFormed(p, chunks, 40);
    expect(chunks.length).toBeGreaterThan(2);
    const spans = splitSentences(text);
    for (let n = 1; n < chunks.length; n++) {
      const previousLast = spans.find((s) => s.end === chunks[n - 1]!.end)!;
      expect(chunks[n]!.start).toBe(previousLast.start);
    }
  });

  it('splits a sentence longer than the window between words', () => {
    const words = Array.from({ length: 400 }, (_, i) => `word${i}`);
    const p = paper(`${words.join(' ')}.`);
    const chunks = chunkPaper(p, countTokens, 60);
    expectWellFormed(p, chunks, 60);
    expect(chunks.length).toBeGreaterThan(5);
    for (const chunk of chunks) {
      expect(chunk.start === 0 || p.abstract[chunk.start - 1] === ' ').toBe(true);
      expect(chunk.end === p.abstract.length || p.abstract[chunk.end] === ' ').toBe(true);
    }
  });

  it('splits a single word longer than the window between characters rather than dropping it', () => {
    const p = paper(`The sequence ${'ACGTTGCA'.repeat(300)} was observed.`);
    const chunks = chunkPaper(p, countTokens, 50);
    expectWellFormed(p, chunks, 50);
  });

  it('keeps every character of random prose within windows of any size', () => {
    const word = fc.stringMatching(/^[a-zA-Z0-9]{1,14}$/);
    const sentence = fc
      .tuple(fc.array(word, { minLength: 1, maxLength: 40 }), fc.constantFrom('.', '?', '!', ''))
      .map(([words, end]) => words.join(' ') + end);
    fc.assert(
      fc.property(fc.array(sentence, { minLength: 1, maxLength: 12 }), fc.integer({ min: 12, max: 254 }), (parts, maxTokens) => {
        const p = paper(parts.join(' '));
        expectWellFormed(p, chunkPaper(p, countTokens, maxTokens), maxTokens);
      }),
      { numRuns: 60 },
    );
  });
});

describe('approximateTokenCount', () => {
  it('never undercounts the real tokenizer on the sample abstracts and titles', () => {
    for (const p of samples) {
      expect(approximateTokenCount(p.abstract)).toBeGreaterThanOrEqual(countTokens(p.abstract));
      expect(approximateTokenCount(p.title)).toBeGreaterThanOrEqual(countTokens(p.title));
    }
  });

  it('yields chunks that also fit the real window when used in its place', () => {
    for (const p of samples) {
      for (const chunk of chunkPaper(p, approximateTokenCount, embedder.maxTokens)) {
        expect(countTokens(chunkEmbeddingText(p, chunk))).toBeLessThanOrEqual(embedder.maxTokens);
      }
    }
  });
});

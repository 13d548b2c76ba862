// Made-up papers and a stand-in embedding model, for index tests that need many papers or a
// model other than the tiny one.
import { writeFile } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { approximateTokenCount } from '../../src/text/tokens.js';
import type { Embedder } from '../../src/index/embedder.js';
import type { PaperInput } from '../../src/types.js';

const WORDS = (
  'model data training language vision graph learning network attention retrieval sparse dense token ' +
  'reasoning agent reward policy diffusion image video audio speech robot planning memory benchmark'
).split(' ');

/** `count` distinct papers with source ids gen-0…, deterministic for a given seed. */
export function generatedPapers(count: number, seed = 1): PaperInput[] {
  let state = seed;
  const word = () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return WORDS[Math.floor((state / 2147483648) * WORDS.length)]!;
  };
  return Array.from({ length: count }, (_, i) => ({
    id: `gen-${i}`,
    title: `Generated paper ${i} on ${word()} ${word()}`,
    abstract: `${Array.from({ length: 60 }, word).join(' ')}. ${Array.from({ length: 60 }, word).join(' ')}.`,
  }));
}

/** Writes papers as JSON Lines to `dir/name` and returns the file path. */
export async function writeJsonl(dir: string, name: string, papers: PaperInput[]): Promise<string> {
  const file = path.join(dir, name);
  await writeFile(file, papers.map((paper) => JSON.stringify(paper)).join('\n'));
  return file;
}

/** An embedder under any name and size: unit vectors derived from a hash of the text. */
export function fakeEmbedder(model: string, dim: number): Embedder {
  const vector = (text: string) => {
    const bytes = createHash('sha256').update(text).digest();
    const values = Float32Array.from({ length: dim }, (_, i) => bytes[i % bytes.length]! - 127.5);
    const norm = Math.hypot(...values);
    return values.map((v) => v / norm);
  };
  return {
    provider: 'transformers',
    model,
    dim,
    maxTokens: 254,
    countTokens: approximateTokenCount,
    embed: async (texts) => texts.map(vector),
    embedQuery: async (text) => vector(text),
  };
}

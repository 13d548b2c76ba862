// Synthetic abstract-sized papers made of the real sentences and title words of the sample
// corpus, and queries like a user's: shared by the benches that need a corpus of any size.
import path from 'node:path';
import { readSource } from '../../src/ingest/read.js';
import { splitSentences } from '../../src/text/sentences.js';
import type { Paper } from '../../src/types.js';
import { repoRoot } from './paths.js';

const sample = (await readSource(path.join(repoRoot, 'data', 'sample'))).papers;
/** Every sentence of the sample abstracts. */
export const sentences = sample.flatMap((paper) => splitSentences(paper.abstract).map((span) => paper.abstract.slice(span.start, span.end)));
const titleWords = [...new Set(sample.flatMap((paper) => paper.title.split(/\s+/)))];

export function rng(seed: number) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Paper i of the synthetic corpus: a title of real title words, 6-9 real sentences (~1.2k chars). */
export function syntheticPaper(i: number, prefix = 's'): Paper {
  const random = rng(i * 7919 + prefix.length);
  const pick = <T>(list: T[]) => list[Math.floor(random() * list.length)]!;
  const title = `${Array.from({ length: 5 + Math.floor(random() * 6) }, () => pick(titleWords)).join(' ')} ${prefix}${i.toString(36)}`;
  const abstract = Array.from({ length: 6 + Math.floor(random() * 4) }, () => pick(sentences)).join(' ');
  return { id: `${prefix}-${i}`, title, abstract };
}

/** Queries like a user's: 3-6 word runs from the real sentences. */
export function makeQueries(count: number): string[] {
  const random = rng(42);
  return Array.from({ length: count }, () => {
    const words = sentences[Math.floor(random() * sentences.length)]!.split(/\s+/);
    const length = 3 + Math.floor(random() * 4);
    const start = Math.floor(random() * Math.max(1, words.length - length));
    return words.slice(start, start + length).join(' ');
  });
}

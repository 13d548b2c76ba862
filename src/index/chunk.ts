// Splits an abstract into passages that fit the embedding model's window. Abstracts run longer
// than the window of small sentence encoders, and an encoder silently truncates what does not
// fit, so every part of every abstract must land in some chunk that fits whole.
import type { Paper } from '../types.js';
import { splitSentences, type Span } from '../text/sentences.js';

export interface Chunk {
  /** `${paperId}#${n}` */
  id: string;
  paperId: string;
  n: number;
  /** Character offsets into paper.abstract. */
  start: number;
  end: number;
}

/** Longest title (in characters) put in front of every chunk; longer ones are cut at a word. */
const MAX_TITLE_CHARS = 300;

/** What gets embedded for a chunk: the title for context, then the passage. */
export function chunkEmbeddingText(paper: Paper, chunk: Chunk): string {
  return `${titlePrefix(paper.title)}. ${paper.abstract.slice(chunk.start, chunk.end)}`;
}

/**
 * Chunks of a paper's abstract, each of whose embedding text is at most `maxTokens` tokens.
 * Whole sentences are packed greedily, neighbouring chunks share one sentence, and a sentence
 * too long for the window is split between words. A short abstract is a single chunk.
 */
export function chunkPaper(paper: Paper, countTokens: (s: string) => number, maxTokens: number): Chunk[] {
  const { abstract } = paper;
  const prefix = `${titlePrefix(paper.title)}. `;
  const fits = (start: number, end: number) => countTokens(prefix + abstract.slice(start, end)) <= maxTokens;
  const make = (n: number, start: number, end: number): Chunk => ({ id: `${paper.id}#${n}`, paperId: paper.id, n, start, end });

  const prefixTokens = countTokens(prefix);
  const units = splitSentences(abstract).flatMap((sentence) =>
    fits(sentence.start, sentence.end) ? [sentence] : splitToFit(abstract, sentence, fits, countTokens, maxTokens - prefixTokens),
  );
  if (units.length === 0) return [make(0, 0, abstract.length)];

  // Word-piece counts add up across whitespace, so sums of per-unit counts find a chunk's end
  // cheaply; the real count of the whole chunk text then has the last word.
  const unitTokens = units.map((unit) => countTokens(abstract.slice(unit.start, unit.end)));
  const chunks: Chunk[] = [];
  let from = 0;
  while (from < units.length) {
    let to = from;
    let estimate = prefixTokens + unitTokens[from]!;
    while (to + 1 < units.length && estimate + unitTokens[to + 1]! <= maxTokens) estimate += unitTokens[++to]!;
    while (to > from && !fits(units[from]!.start, units[to]!.end)) to--;
    chunks.push(make(chunks.length, units[from]!.start, units[to]!.end));
    if (to === units.length - 1) break;
    // Start the next chunk on this chunk's last sentence, unless that would add nothing new.
    from = to > from && fits(units[to]!.start, units[to + 1]!.end) ? to : to + 1;
  }
  return chunks;
}

function titlePrefix(title: string): string {
  const trimmed = title.trim();
  if (trimmed.length <= MAX_TITLE_CHARS) return trimmed;
  const cut = trimmed.slice(0, MAX_TITLE_CHARS);
  const lastSpace = cut.search(/\s\S*$/);
  return lastSpace > 0 ? cut.slice(0, lastSpace) : cut;
}

/**
 * Splits one over-long sentence into consecutive pieces that each fit: greedily by words, and
 * by characters for a single "word" (a long formula or URL) that does not fit on its own.
 * Each word is counted once and the counts summed (word pieces add up across whitespace), so
 * a 2,000-character sentence costs a few hundred small counts, not one count per word of ever
 * longer prefixes; the real count of each piece then has the last word.
 */
function splitToFit(
  text: string,
  span: Span,
  fits: (start: number, end: number) => boolean,
  countTokens: (s: string) => number,
  budget: number,
): Span[] {
  const words = [...text.slice(span.start, span.end).matchAll(/\S+/g)].map((m) => {
    const start = span.start + m.index;
    return { start, end: start + m[0].length, tokens: countTokens(m[0]) };
  });
  const pieces: Span[] = [];
  let i = 0;
  while (i < words.length) {
    const start = words[i]!.start;
    if (!fits(start, words[i]!.end)) {
      pieces.push(...splitWordToFit(words[i]!, fits));
      i++;
      continue;
    }
    let j = i;
    let estimate = words[i]!.tokens;
    while (j + 1 < words.length && estimate + words[j + 1]!.tokens <= budget) estimate += words[++j]!.tokens;
    while (j > i && !fits(start, words[j]!.end)) j--;
    pieces.push({ start, end: words[j]!.end });
    i = j + 1;
  }
  return pieces;
}

function splitWordToFit(word: Span, fits: (start: number, end: number) => boolean): Span[] {
  const pieces: Span[] = [];
  let start = word.start;
  while (start < word.end) {
    // Longest end that fits, by binary search; at least one character so that we always progress.
    let lo = start + 1;
    let hi = word.end;
    while (lo < hi) {
      const mid = Math.ceil((lo + hi) / 2);
      if (fits(start, mid)) lo = mid;
      else hi = mid - 1;
    }
    pieces.push({ start, end: lo });
    start = lo;
  }
  return pieces;
}

// A stored paper as one ranked result: its public fields (never the index's hash) plus why it ranked.
import type { StoredPaper } from '../index/store.js';
import type { Paper, SearchHit } from '../types.js';

export function publicPaper({ hash: _hash, ...paper }: StoredPaper | (Paper & { hash?: string })): Paper {
  return paper;
}

export function round(value: number, digits = 4): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

export function paperHit(paper: StoredPaper, why: Omit<SearchHit, keyof Paper>): SearchHit {
  return { ...publicPaper(paper), ...why, score: round(why.score), coverage: round(why.coverage) };
}

// A paper as ranked: a retriever's ranking entry, and a stored paper as one result (its public
// fields, never the index's hash, plus why it ranked).
import type { StoredPaper } from '../index/store.js';
import type { Paper, SearchHit } from '../types.js';

export function publicPaper({ hash: _hash, ...paper }: StoredPaper | (Paper & { hash?: string })): Paper {
  return paper;
}

export function round(value: number, digits = 4): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

export function paperHit(paper: StoredPaper | Paper, why: Omit<SearchHit, keyof Paper>): SearchHit {
  return { ...publicPaper(paper), ...why, score: round(why.score), coverage: round(why.coverage) };
}

/** One paper as a retriever ranks it, before fusion. */
export interface PaperRanking {
  id: string;
  score: number;
  /** For lexical hits: the plain BM25 score, before the proximity bonus. */
  bm25?: number;
  /** For lexical hits: the analyzed terms the paper matched (spares re-analyzing it for coverage). */
  matched?: string[];
  /** For dense hits: the best-matching chunk's span in the abstract. */
  span?: { start: number; end: number };
}

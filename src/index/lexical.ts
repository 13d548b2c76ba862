// The persisted lexical index: BM25 over title and abstract, by MiniSearch.
import MiniSearch from 'minisearch';
import type { Paper } from '../types.js';
import { analyze, queryTermsOf, termsOf, tokenize } from './analyzer.js';

/** BM25 settings and field weights. Chosen on SciFact's train split (see bench/quality.ts). */
export const lexicalDefaults = {
  k1: 0.9,
  b: 0.4,
  titleBoost: 1.0,
  abstractBoost: 1.0,
};

export interface LexicalHit {
  id: string;
  score: number;
  /** Distinct analyzed query terms this paper contains. */
  matched: string[];
}

interface LexicalDoc {
  id: string;
  title: string;
  abstract: string;
}

const FIELDS = ['title', 'abstract'] as const;

function miniSearchOptions() {
  return {
    fields: [...FIELDS],
    storeFields: [] as string[],
    tokenize,
    processTerm: termsOf,
    searchOptions: {
      processTerm: queryTermsOf,
      combineWith: 'OR' as const,
      prefix: false,
      fuzzy: false,
      boost: { title: lexicalDefaults.titleBoost, abstract: lexicalDefaults.abstractBoost },
      bm25: { k: lexicalDefaults.k1, b: lexicalDefaults.b, d: 0 },
    },
  };
}

export class LexicalIndex {
  private constructor(
    private readonly search_: MiniSearch<LexicalDoc>,
    /** Document frequency of each term (title or abstract), for idf-weighted query coverage. */
    private readonly docFreq: Map<string, number>,
  ) {}

  static empty(): LexicalIndex {
    return new LexicalIndex(new MiniSearch<LexicalDoc>(miniSearchOptions()), new Map());
  }

  static fromJSON(json: string): LexicalIndex {
    const parsed = JSON.parse(json) as { minisearch: unknown; docFreq: [string, number][] };
    const search = MiniSearch.loadJS<LexicalDoc>(parsed.minisearch as never, miniSearchOptions());
    return new LexicalIndex(search, new Map(parsed.docFreq));
  }

  toJSON(): string {
    return JSON.stringify({ minisearch: this.search_.toJSON(), docFreq: [...this.docFreq] });
  }

  /** An independent copy, so a new index generation can change without touching this one. */
  clone(): LexicalIndex {
    return LexicalIndex.fromJSON(this.toJSON());
  }

  get size(): number {
    return this.search_.documentCount;
  }

  has(id: string): boolean {
    return this.search_.has(id);
  }

  add(paper: Paper): void {
    this.search_.add({ id: paper.id, title: paper.title, abstract: paper.abstract });
    for (const term of distinctTerms(paper)) this.docFreq.set(term, (this.docFreq.get(term) ?? 0) + 1);
  }

  remove(paper: Paper): void {
    if (!this.search_.has(paper.id)) return;
    this.search_.discard(paper.id);
    for (const term of distinctTerms(paper)) {
      const left = (this.docFreq.get(term) ?? 1) - 1;
      if (left > 0) this.docFreq.set(term, left);
      else this.docFreq.delete(term);
    }
  }

  search(query: string, k: number): LexicalHit[] {
    const hits = this.search_.search(query);
    // MiniSearch multiplies each score by the number of matched query terms; undo that
    // so the ranking is plain BM25.
    return hits
      .map((hit) => ({
        id: String(hit.id),
        score: hit.score / Math.max(1, hit.queryTerms.length),
        matched: hit.terms,
      }))
      .sort((a, b) => b.score - a.score || (a.id < b.id ? -1 : 1))
      .slice(0, k);
  }

  /** Inverse document frequency of an analyzed term (BM25's form, never negative). */
  idf(term: string): number {
    const n = this.size;
    const df = this.docFreq.get(term) ?? 0;
    return Math.log(1 + (n - df + 0.5) / (df + 0.5));
  }
}

function distinctTerms(paper: Paper): Set<string> {
  return new Set(analyze(`${paper.title} ${paper.abstract}`));
}

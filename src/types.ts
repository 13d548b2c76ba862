// Shared data shapes of the pipeline: ingest -> index -> retrieve -> answer.

/** A paper as a parser reads it from a source, before it gets its stable id. */
export interface PaperInput {
  id?: string;
  title: string;
  abstract: string;
  date?: string;
  url?: string;
  authors?: string[];
}

/** A paper as the index stores it. `id` is stable across re-ingests. */
export interface Paper {
  id: string;
  title: string;
  abstract: string;
  date?: string;
  url?: string;
  authors?: string[];
}

export type SearchMode = 'lexical' | 'dense' | 'hybrid';
export type RetrieverName = 'lexical' | 'dense';

/** One paper in a ranked result list. */
export interface SearchHit extends Paper {
  /** The passage of the abstract that best matches the query: "why this paper". */
  snippet: string;
  /** Fused score; higher is better. Comparable within one result list only. */
  score: number;
  /** Which retrievers ranked this paper. */
  retrievers: RetrieverName[];
  /**
   * How much of the query this paper covers, 0..1 (idf-weighted share of the query's
   * terms present in title+abstract). Comparable across queries: used for "nothing relevant".
   */
  coverage: number;
}

export interface SearchResponse {
  results: SearchHit[];
  /** The mode that actually ran (dense/hybrid degrade to lexical when no model is loaded). */
  mode: SearchMode;
  took_ms: number;
}

export interface IngestCounts {
  added: number;
  updated: number;
  unchanged: number;
  /** Papers in the index after the ingest. */
  total: number;
  /** Chunks whose embeddings were computed in this ingest (0 without a model). */
  embedded: number;
}

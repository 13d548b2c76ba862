// Shared data shapes of the pipeline: ingest -> index -> retrieve -> answer.

/** A paper as a parser reads it from a source, before it gets its stable id. */
export interface PaperInput {
  id?: string;
  title: string;
  abstract: string;
  date?: string;
  url?: string;
  authors?: string[];
  /** Hugging Face daily-papers upvotes, when the paper came from there. */
  upvotes?: number;
  /** arXiv categories (primary first), e.g. ["cs.CL", "cs.LG"]. */
  categories?: string[];
  /** The arXiv abstract page, beside `url` (which may be the Hugging Face page). */
  arxiv_url?: string;
}

/** Longest source id kept; a longer one is an input error (not cut, so ids never collide). */
export const MAX_SOURCE_ID_LENGTH = 256;

/** A paper as the index stores it. `id` is stable across re-ingests. */
export interface Paper {
  id: string;
  title: string;
  abstract: string;
  date?: string;
  url?: string;
  authors?: string[];
  upvotes?: number;
  categories?: string[];
  arxiv_url?: string;
  /** When this index first saw the paper (ISO 8601); absent for papers of older indexes. */
  added_at?: string;
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

/**
 * What retrieval saw of the question as a whole, beside the ranking: the signals behind the
 * answer step's "is this covered?" decision (src/answer/coverage.ts). Each is comparable across
 * questions, unlike a fused score.
 */
export interface RetrievalEvidence {
  /** Idf-weighted share of the question's content words that occur in some indexed paper, 0..1. */
  known_terms: number;
  /** The question's content words no indexed paper contains, as the user wrote them. */
  unknown_terms: string[];
  /** Best idf-weighted share of the question's content words in one result's title and abstract, 0..1. */
  top_coverage: number;
  /** The best BM25 score over the most the question's words could score (each at full weight), 0..1. */
  lexical_strength: number;
  /** Dense retrieval: cosine of the best chunk, and its distance above the other candidates in standard deviations. */
  dense_top?: number;
  dense_z?: number;
}

export interface SearchResponse {
  results: SearchHit[];
  evidence: RetrievalEvidence;
  /** The mode that actually ran (dense/hybrid degrade to lexical when no model is loaded). */
  mode: SearchMode;
  took_ms: number;
  /** Why the results may differ from what was asked: a mode that could not run, papers without dates. */
  notice?: string;
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

/** Most ids an ingest reports back (`ids`); the counts say how many papers there were. */
export const MAX_REPORTED_IDS = 1000;

// Limits of a request, the same in the HTTP API, the CLI and the page's input box.
/** Longest search query, in characters. */
export const MAX_QUERY_CHARS = 2000;
/** Longest chat message (the question, or an earlier turn), in characters. */
export const MAX_QUESTION_CHARS = 4000;
/** Most messages in one chat request. */
export const MAX_MESSAGES = 50;
/** Most papers one search returns. */
export const MAX_SEARCH_K = 100;
/** Most papers a chat answer retrieves and numbers [1]..[k]. */
export const MAX_CHAT_K = 20;

export interface IngestReport extends IngestCounts {
  /** The ids the given papers are stored under, in input order, at most MAX_REPORTED_IDS. */
  ids: string[];
}

/** An entry or file not ingested: where (`line` 0 is the whole source) and why. */
export interface SkippedEntry {
  source: string;
  line: number;
  reason: string;
  /** The field at fault, as a path into a JSON body (`papers[1].title`), when one is. */
  field?: string;
}

/** What one ingest did, for every face: counts, then what was skipped or changed and why. */
export interface SourceIngestReport extends IngestReport {
  /** Sources read: files, or 1 for a request body. */
  files: number;
  /** Skipped entries, the first MAX_REPORTED of them. */
  skipped: SkippedEntry[];
  skipped_total: number;
  /** A file that should have been read yielded nothing (unreadable, not text, broken link…). */
  partial: boolean;
  /** Ids of the papers updated, the first MAX_REPORTED of them. */
  updated_ids: string[];
  /** Updates that look like damage, e.g. an abstract cut to a prefix of itself. */
  warnings: { id: string; message: string }[];
}

/** Formats a list of papers can be exported in (src/export/citations.ts). */
export type ExportFormat = 'bibtex' | 'ris' | 'md' | 'csv';

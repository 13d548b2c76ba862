// Shared data shapes of the pipeline: ingest -> index -> retrieve -> answer. What papertalk
// answers with is inferred from the schemas of ./contract.ts.
import type { z } from 'zod';
import type {
  EngineHealthSchema,
  HealthSchema,
  IndexStatusSchema,
  LlmStatusSchema,
  PaperSchema,
  RetrievalEvidenceSchema,
  RetrieverNameSchema,
  SearchHitSchema,
  SearchModeSchema,
  SearchResponseSchema,
} from './contract.js';

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
export type Paper = z.infer<typeof PaperSchema>;
export type SearchMode = z.infer<typeof SearchModeSchema>;
export type RetrieverName = z.infer<typeof RetrieverNameSchema>;
/** One paper in a ranked result list. */
export type SearchHit = z.infer<typeof SearchHitSchema>;
/** What retrieval saw of the question as a whole: the signals behind "is this covered?". */
export type RetrievalEvidence = z.infer<typeof RetrievalEvidenceSchema>;
export type SearchResponse = z.infer<typeof SearchResponseSchema>;
/** Where the index is and how far the version served is behind the newest one committed. */
export type IndexStatus = z.infer<typeof IndexStatusSchema>;
export type LlmStatus = z.infer<typeof LlmStatusSchema>;
/** What the engine reports of itself (`/api/health` without the LLM, `papertalk stats --json`). */
export type HealthReport = z.infer<typeof EngineHealthSchema>;
/** GET /api/health. */
export type Health = z.infer<typeof HealthSchema>;

export interface IngestCounts {
  added: number;
  updated: number;
  unchanged: number;
  /** Papers in the index after the ingest. */
  total: number;
  /** Chunks whose embeddings were computed in this ingest (0 without a model). */
  embedded: number;
}

export { BACKENDS, EMBED_PROVIDERS } from './choices.js';

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

// The one interface over the whole index, whatever stores it. Retrieval, answers and the faces
// read an IndexReader (one committed version, never changing under them); an IndexBackend
// opens readers and turns a planned change into the next committed version.
import { BACKENDS, type IngestCounts, type Paper } from '../types.js';
import type { Embedder } from './embedder.js';
import type { StoreSettings } from './storage.js';

export { BACKENDS };
/** 'vectra': MiniSearch + vectra, all in memory (small corpora). 'lancedb': tables on disk (large ones). */
export type BackendName = (typeof BACKENDS)[number];

export interface LexicalMatch {
  id: string;
  score: number;
  /** Analyzed query terms the paper contains, when the backend knows them (spares re-analysis). */
  matched?: string[];
}

/** A query as analyzed terms with weights (retrieval's query understanding), and the word each came from. */
export interface LexicalQuery {
  weights: ReadonlyMap<string, number>;
  surface: ReadonlyMap<string, string>;
}

export interface VectorMatch {
  /** Chunk id. */
  id: string;
  paperId: string;
  /** Cosine similarity, -1..1. */
  score: number;
  /** The chunk's span in the abstract. */
  span?: { start: number; end: number };
}

export interface EmbeddingInfo {
  provider: 'transformers' | 'ollama';
  model: string;
  dim: number;
}

/** A committed version: its name, its number (commits so far; null when the backend keeps none) and when it was made. */
export interface CommitInfo {
  generation: string;
  seq: number | null;
  committed_at: string;
}

/** One committed version of the index. Reads never see a later write half done. */
export interface IndexReader {
  readonly backend: BackendName;
  readonly dir: string;
  /** Names the committed version (null: nothing committed yet). Changes on every commit. */
  readonly generation: string | null;
  readonly embedding: EmbeddingInfo | null;
  readonly papers: number;
  readonly chunks: number;
  readonly vectors: number;
  /** Loaded, but stored in a layout an older papertalk wrote: the next write should rewrite it. */
  readonly needsRewrite: boolean;
  /** The version this reader serves, when the backend numbers its commits (LanceDB). */
  readonly commit?: CommitInfo | null;
  getPaper(id: string): Promise<Paper | undefined>;
  /** The papers among `ids` that exist, by id. */
  getPapers(ids: string[]): Promise<Map<string, Paper>>;
  /** Every paper's id and raw date (undefined: the source gave none), for date ranges. */
  paperDates(): Promise<Map<string, string | undefined>>;
  /** A page of papers in a stable order. */
  listPapers(offset: number, limit: number): Promise<Paper[]>;
  /** BM25 over title + abstract (score: sum of weight x BM25 of each term), best first. */
  lexicalSearch(query: LexicalQuery, k: number): Promise<LexicalMatch[]>;
  /** Inverse document frequency of an analyzed term (BM25's form), for query coverage. */
  idf(term: string): number;
  /** Papers holding an analyzed term (LanceDB: in its term-statistics sample). */
  docFrequency(term: string): number;
  /** Nearest chunks to a query vector, best first. */
  vectorSearch(vector: Float32Array, k: number): Promise<VectorMatch[]>;
  /** The paper whose normalized title (see OpenOptions.titleKey) is `key`, if any. */
  paperIdByTitleKey(key: string): Promise<string | undefined>;
}

/** What an ingest is doing, for a progress bar: `done` of `total` in this phase. */
export type IngestPhase = 'reading' | 'indexing' | 'embedding' | 'writing';
export type IngestProgress = (done: number, total: number, phase?: IngestPhase) => void;

export interface ApplyOptions {
  embedder?: Embedder;
  /** Start from an empty index: the papers given are the whole corpus. */
  rebuild?: boolean;
  /** For a rebuild: when the index being replaced first took each paper in (kept through it). */
  formerAddedAt?: ReadonlyMap<string, string | undefined>;
  onProgress?: IngestProgress;
}

export interface BackendOptions {
  /** How titles are normalized for exact-title lookups (the ingest's normalizeTitle). */
  titleKey(title: string): string;
  /** Object-store settings (LanceDB on s3:// and the like). */
  storage?: StoreSettings;
}

export interface IndexBackend {
  readonly name: BackendName;
  /** A reader over nothing, the base of a rebuild into `dir`. */
  empty(dir: string): IndexReader;
  /** The committed version on disk now, or an empty reader. Fails on a model mismatch. */
  open(dir: string, embedder: Embedder | undefined): Promise<IndexReader>;
  /**
   * Only what a rebuild needs (the papers), so `ingest --rebuild` works when the rest is damaged
   * or was made with another model.
   */
  openPapers(dir: string): Promise<IndexReader>;
  /** Name of the version committed on disk now (cheap: a reload check runs it every second). */
  committedGeneration(dir: string): Promise<string | null>;
  /** The version committed now, with its number and time (backends that number their commits). */
  committedVersion?(dir: string): Promise<CommitInfo | null>;
  /**
   * Adds or updates papers and commits the result. Takes the index's write lock; builds on the
   * newest committed version on disk, which may be newer than `base` (another process's ingest).
   */
  apply(base: IndexReader, papers: Paper[], options: ApplyOptions): Promise<{ reader: IndexReader; counts: IngestCounts }>;
  /**
   * apply() over papers that arrive in batches (a later copy of a paper wins), written as they
   * come so a corpus of any size fits in memory. Backends without it get the batches collected.
   */
  applyStream?(base: IndexReader, batches: AsyncIterable<Paper[]> | Iterable<Paper[]>, options: ApplyOptions): Promise<{ reader: IndexReader; counts: IngestCounts }>;
  /** Removes this backend's files from `dir` (after a migration made the other one live). */
  removeFiles(dir: string): Promise<void>;
}

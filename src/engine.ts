// The core pipeline behind every face (HTTP, web page, CLI): opens the index and the
// embedding model once, answers searches, and hands ingests to the index (src/index/handle.ts).
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Config } from './config.js';
import { PapertalkError, describeError, isPapertalkError } from './errors.js';
import { loadEmbedder, type Embedder, type EmbedderStatus } from './index/embedder.js';
import type { BackendName, IndexReader } from './index/backend.js';
import { openIndexHandle } from './index/handle.js';
import { displayLocation } from './index/storage.js';
import { timeSlicer } from './index/plan.js';
import { checkEmbeddingModel, type IngestProgress } from './index/store.js';
import { VectraReader } from './index/vectra-backend.js';
import { normalizeTitle } from './text/titles.js';
export type { IngestPhase, IngestProgress } from './index/store.js';
import { IMPORT_STATE_FILE, readState, writeState } from './index/state.js';
import { mergePaper } from './import/merge.js';
import { planImport, runImport, type ImportProgress, type ImportReport, type ImportRequestInput } from './import/run.js';
import { emptyTally, papersOf, prepended, tallied, updatedIds, warningsOf } from './ingest/batches.js';
import { emptySummary, noPapers, readParsedJson, readSourcePieces, readText, type SourceSummary } from './ingest/read.js';
import { toPapers, toPapersInSlices } from './ingest/to-papers.js';
import { addSaved, readSaved, recordLook, removeSaved, type SavedSearch } from './retrieve/saved.js';
import { similarPapers, type SimilarResponse } from './retrieve/similar.js';
import { newForSaved, type NewResponse } from './retrieve/whats-new.js';
import { z } from 'zod';
import { silentLogger, type Logger } from './log.js';
import { search as runSearch, type SearchOptions } from './retrieve/search.js';
import { MAX_REPORTED_IDS, type HealthReport, type IngestCounts, type IngestReport, type Paper, type PaperInput, type SearchMode, type SearchResponse, type SourceIngestReport } from './types.js';

import { exportPapers, type ExportFormat } from './export/citations.js';
export { EXPORT_FORMATS, EXPORT_MEDIA, MAX_EXPORT_PAPERS, type ExportFormat } from './export/citations.js';
/** The date bound format search and chat take (faces validate with it). */
export { DATE_BOUND } from './retrieve/dates.js';
/** Limits of the keep-up requests, which the faces validate with. */
export { DEFAULT_ARXIV_MAX, IMPORT_SOURCES, MAX_ARXIV_PAPERS, type ImportReport } from './import/run.js';
export { MAX_SAVED_QUERY_LENGTH } from './retrieve/saved.js';
export { MAX_SIMILAR_K } from './retrieve/similar.js';
export { MAX_NEW_K } from './retrieve/whats-new.js';

export type { HealthReport } from './types.js';

/** At most this many skipped entries and updated ids are listed in a report (all are counted). */
export const MAX_REPORTED = 100;

/**
 * Where an ingest reads papers from: files and folders on disk, or one text (an HTTP body,
 * declared JSON or not). Every face hands its input to `ingestFrom` in one of these shapes.
 */
export type IngestSource =
  | { paths: string[]; recursive?: boolean }
  | { text: Uint8Array | string; json?: boolean; name?: string }
  /** A JSON body the server has already parsed (`text` the body): its records are read between searches. */
  | { parsed: unknown; text: string; name?: string };

export interface IngestOptions {
  rebuild?: boolean;
  /** Called as the ingest moves through its phases (reading, indexing, embedding, writing). */
  onProgress?: IngestProgress;
}

export interface ImportOptions {
  onProgress?(event: ImportProgress): void;
  signal?: AbortSignal;
}

export interface NewOptions {
  /** Papers added after this time; default the last look (or a week ago before the first look). */
  since?: Date;
  k?: number;
  /** Do not record this look as the last one (only matters without `since`). */
  peek?: boolean;
}

export interface WhatsNew extends NewResponse {
  /** Where `since` came from. */
  since_from: 'given' | 'last_look' | 'default';
  searches: SavedSearch[];
}

/** Before the first look, `new` covers this much time back. */
export const FIRST_LOOK_WINDOW_MS = 7 * 86_400_000;

const importStateSchema = z.record(z.string(), z.object({ next: z.number().int().nonnegative(), updated_at: z.string() }));

export interface Engine {
  readonly config: Config;
  readonly embedder: Embedder | undefined;
  readonly log: Logger;
  search(query: string, options: SearchOptions): Promise<SearchResponse>;
  getPaper(id: string): Promise<Paper | undefined>;
  /** Inverse document frequency of an analyzed term in the live index (for answer scoring). */
  idf(term: string): number;
  listPapers(offset: number, limit: number): Promise<{ papers: Paper[]; total: number }>;
  /** Adds or updates papers; the report says what changed and the ids the papers got. */
  ingest(papers: PaperInput[], options?: IngestOptions): Promise<IngestReport>;
  /** Reads a file or folder of listings (HF text, JSONL, BEIR) and ingests it. */
  ingestPath(source: string, options?: IngestOptions): Promise<IngestReport & { files: number; skipped: number }>;
  /**
   * Fetches papers from Hugging Face daily papers or the arXiv API and ingests each day or page
   * as it arrives; an interrupted import resumes when run again with the same request.
   * The only code path that reaches the network. One import at a time (import_busy otherwise).
   *
   * @example
   * const report = await engine.importPapers({ source: 'hf-daily', from: '2026-11-24', to: '2026-11-28' });
   * console.log(report.added, report.added_papers.map((p) => p.title));
   */
  importPapers(request: ImportRequestInput, options?: ImportOptions): Promise<ImportReport>;
  /** Papers like `id` (never itself), best first; not_found for an unknown id. */
  similar(id: string, k: number): Promise<SimilarResponse>;
  savedSearches(): Promise<{ searches: SavedSearch[]; last_look_at?: string }>;
  /** Saves a search to follow; the same query twice keeps one. */
  follow(query: string): Promise<{ search: SavedSearch; created: boolean }>;
  /** Removes a saved search by id or query; not_found when there is none. */
  unfollow(idOrQuery: string): Promise<SavedSearch>;
  /** Papers added since a time that match any saved search, best first. */
  whatsNew(options?: NewOptions): Promise<WhatsNew>;
  /**
   * The one ingest every face uses: read the source, skip what is unusable (reported with
   * where and why), apply the rest as one write.
   * @example
   * const report = await engine.ingestFrom({ paths: ['listings/'] });
   * for (const entry of report.skipped) console.log(entry.source, entry.line, entry.reason);
   */
  ingestFrom(source: IngestSource, options?: IngestOptions): Promise<SourceIngestReport>;
  /**
   * The papers with these ids, in that order, as BibTeX, RIS, Markdown or CSV. Throws
   * not_found naming the first unknown id.
   * @example
   * const bib = await engine.exportPapers(result.citations.map((c) => c.id), 'bibtex');
   */
  exportPapers(ids: readonly string[], format: ExportFormat): Promise<string>;
  health(): HealthReport;
  /** The live index version (read-only). */
  index(): IndexReader;
  /** Settles once a model loading in the background (OpenOptions.deferModel) is in use or has failed. */
  modelReady(): Promise<void>;
  close(): Promise<void>;
}

export interface OpenOptions {
  log?: Logger;
  /**
   * Prepare the index for serving: ingest the seed corpus into an empty index, or embed the
   * chunks that lack a vector (a model new to this index). The server does; read-only CLI
   * commands do not write the index.
   */
  seed?: boolean;
  /** Use this status instead of loading the model (tests, and to share one loaded model). */
  embedder?: EmbedderStatus;
  /**
   * Serve lexical search at once and load the embedding model in the background (a download
   * and embedding the corpus can take minutes): search turns hybrid when the vectors are in.
   */
  deferModel?: boolean;
  /**
   * Open for `ingest --rebuild`: only the old papers are read, so an index made with another
   * embedding model (or with damaged chunks, lexical index or vectors) can be rebuilt. With
   * `fromSources`, an index whose papers cannot be read either opens empty: the rebuild
   * replaces it with the papers of the sources given.
   */
  rebuild?: { fromSources: boolean };
  /**
   * May a missing embedding model be downloaded (config.allowRemoteModels permitting)? Only
   * `serve` says yes; every other command runs on what the models folder holds.
   */
  downloadModel?: boolean;
}

/**
 * Fetch the configured embedding model into the models folder now (`papertalk models pull`),
 * whatever an earlier failed try left remembered. Never throws; says why when it fails.
 */
export function pullModel(config: Config): Promise<EmbedderStatus> {
  return loadEmbedder(config, { remote: 'pull' });
}

/** A request body as the one piece of a read (readText refuses a body without papers). */
async function* textPieces(source: Exclude<IngestSource, { paths: string[] }>, summary: SourceSummary): AsyncGenerator<PaperInput[]> {
  const read =
    'parsed' in source
      ? await readParsedJson(source.parsed, source.text, { source: source.name, pause: timeSlicer() })
      : await readText(source.text, { json: source.json, source: source.name, pause: timeSlicer() });
  summary.files.push(...read.files);
  summary.skipped.push(...read.skipped);
  yield read.inputs;
}

/**
 * The in-memory generation of the vectra backend, for what only it can do yet (similar papers,
 * what's new, merging imports); on LanceDB those fail with a clear message.
 */
function vectraReader(reader: IndexReader, what: string): VectraReader {
  if (reader instanceof VectraReader) return reader;
  throw new PapertalkError('input_invalid', `${what} is not available with the ${reader.backend} index backend yet; use the vectra backend (papertalk migrate --backend vectra)`, { field: 'backend' });
}

export async function openEngine(config: Config, options: OpenOptions = {}): Promise<Engine> {
  const log = options.log ?? silentLogger;
  const defer = Boolean(options.deferModel && !options.embedder && config.dense);
  const load = () => loadEmbedder(config, { remote: options.downloadModel ? undefined : false });
  let status: EmbedderStatus = options.embedder ?? (defer ? loadingStatus(config) : await load());
  let embedder = status.loaded ? status.embedder : undefined;
  if (!defer) logModelStatus(status, log);

  const index = await openIndexHandle({
    dir: config.indexDir,
    backend: config.indexBackend,
    embedder,
    titleKey: normalizeTitle,
    log,
    rebuild: options.rebuild,
    storage: { storageOptions: config.storageOptions, writeLeaseMs: config.writeLeaseMs },
    refreshMs: config.indexRefreshMs,
  });
  const current = () => index.current();

  const ingest = async (inputs: PaperInput[], opts: IngestOptions = {}): Promise<IngestReport> => {
    const papers = await toPapersInSlices(inputs, timeSlicer());
    const ids = papers.slice(0, MAX_REPORTED_IDS).map((paper) => paper.id);
    const counts = await index.apply(papers, opts);
    return { ...counts, ids };
  };
  const missingVectors = () => current().chunks - current().vectors;
  /** Some papers lack vectors: chunks without one, or (lancedb, which chunks when embedding) none at all. */
  const needsEmbedding = () => missingVectors() > 0 || (index.backend.name === 'lancedb' && current().vectors === 0);

  /** Hands one imported page to the index, keeping what other sources knew of the same papers. */
  const storeImported = async (inputs: PaperInput[]) => {
    if (inputs.length === 0) return { added: [], updated: 0, unchanged: 0, total: current().papers };
    const given = toPapers(inputs);
    const known = await current().getPapers(given.map((paper) => paper.id));
    const papers = given.map((paper) => mergePaper(known.get(paper.id), paper));
    const added = papers.filter((paper) => !known.has(paper.id)).map(({ id, title }) => ({ id, title }));
    const counts = await index.apply(papers);
    return { added, updated: counts.updated, unchanged: counts.unchanged, total: counts.total };
  };

  const importState = () => readState(config.indexDir, IMPORT_STATE_FILE, importStateSchema, {});
  const checkpoint = {
    load: async (key: string) => (await importState())[key]?.next,
    async save(key: string, next: number | undefined) {
      const state = await importState();
      if (next === undefined && !(key in state)) return;
      if (next === undefined) delete state[key];
      else state[key] = { next, updated_at: new Date().toISOString() };
      await writeState(config.indexDir, IMPORT_STATE_FILE, state);
    },
  };
  let importing = false;
  // Saved-search files are read, changed and written whole: one change at a time in this process.
  let savedChain: Promise<unknown> = Promise.resolve();
  const savedSerial = <T>(task: () => Promise<T>): Promise<T> => {
    const run = savedChain.then(task, task);
    savedChain = run.catch(() => undefined);
    return run;
  };

  const engine: Engine = {
    config,
    get embedder() {
      return embedder;
    },
    log,
    async search(query, searchOptions) {
      const response = await runSearch(current(), embedder, query, searchOptions);
      const asked = searchOptions.mode;
      if (asked && asked !== response.mode) {
        // Said, not silent: a script asking for dense must learn it got lexical, and why.
        const why = status.loaded ? 'the index has no vectors yet' : (status.reason ?? 'no embedding model is loaded');
        const said = `${asked} search is not available (${why}); ran ${response.mode} search instead.`;
        response.notice = response.notice ? `${said} ${response.notice}` : said;
      }
      return response;
    },
    getPaper: (id) => current().getPaper(id),
    idf: (term) => current().idf(term),
    async listPapers(offset, limit) {
      const reader = current();
      return { papers: await reader.listPapers(offset, limit), total: reader.papers };
    },
    ingest,
    async ingestPath(source, opts = {}) {
      const report = await engine.ingestFrom({ paths: [source] }, opts);
      return { ...report, skipped: report.skipped_total };
    },
    async ingestFrom(source, opts = {}) {
      // Read, parsed and written in batches: a corpus of any size never sits in memory whole
      // (the vectra backend, in memory anyway, collects the batches into one write).
      const summary = emptySummary();
      const pieces =
        'paths' in source
          ? readSourcePieces(source.paths, { recursive: source.recursive, onProgress: (done, total) => opts.onProgress?.(done, total, 'reading') }, summary)
          : textPieces(source, summary);
      const tally = emptyTally();
      const before = current();
      const batches = tallied(papersOf(pieces, timeSlicer()), (ids) => before.getPapers(ids), tally);
      // Nothing usable at all is refused before the index is touched.
      const first = await batches.next();
      if (first.done) throw noPapers('paths' in source ? source.paths : [source.name ?? 'body'], summary);
      const counts = await index.applyStream(prepended(first.value, batches), opts);
      return {
        ...counts,
        ids: tally.ids,
        files: summary.files.length,
        skipped: summary.skipped.slice(0, MAX_REPORTED),
        skipped_total: summary.skipped.length,
        partial: summary.partial,
        updated_ids: updatedIds(tally).slice(0, MAX_REPORTED),
        warnings: warningsOf(tally).slice(0, MAX_REPORTED),
      };
    },
    async exportPapers(ids, format) {
      const found = await current().getPapers([...ids]);
      const papers = ids.map((id) => {
        const paper = found.get(id);
        if (!paper) throw new PapertalkError('not_found', `no paper with id ${id}`, { field: 'ids' });
        return paper;
      });
      return exportPapers(papers, format);
    },
    async importPapers(request, opts = {}) {
      const plan = planImport(request);
      if (importing) throw new PapertalkError('import_busy', 'an import is already running in this papertalk; wait for it to finish');
      importing = true;
      try {
        return await runImport(plan, { settings: config, papersInIndex: () => current().papers, store: storeImported, checkpoint, onProgress: opts.onProgress, signal: opts.signal });
      } finally {
        importing = false;
      }
    },
    async similar(id, k) {
      return similarPapers(vectraReader(current(), 'finding similar papers'), embedder, id, k);
    },
    async savedSearches() {
      const { searches, last_look_at } = await readSaved(config.indexDir);
      return { searches, ...(last_look_at && { last_look_at }) };
    },
    follow: (query) => savedSerial(() => addSaved(config.indexDir, query)),
    unfollow: (idOrQuery) => savedSerial(() => removeSaved(config.indexDir, idOrQuery)),
    whatsNew: (opts = {}) =>
      savedSerial(async () => {
        const reader = vectraReader(current(), "listing what's new");
        const saved = await readSaved(config.indexDir);
        const until = new Date();
        const since = opts.since ?? (saved.last_look_at ? new Date(saved.last_look_at) : new Date(until.getTime() - FIRST_LOOK_WINDOW_MS));
        const since_from = opts.since ? 'given' : saved.last_look_at ? 'last_look' : 'default';
        const found = await newForSaved(reader, saved.searches, since, opts.k ?? 50, until);
        if (!opts.since && !opts.peek) await recordLook(config.indexDir, found.until);
        return { ...found, since_from, searches: saved.searches };
      }),
    health() {
      const reader = current();
      const denseReady = Boolean(embedder && reader.vectors > 0);
      const indexStatus = index.status();
      return {
        // Degraded: no embedding model, or the index's store could not be checked (it is away).
        status: embedder && !indexStatus.error ? 'ok' : 'degraded',
        backend: reader.backend,
        papers: reader.papers,
        chunks: reader.chunks,
        vectors: reader.vectors,
        index_dir: displayLocation(config.indexDir),
        generation: reader.generation,
        index: indexStatus,
        search_modes: denseReady ? ['lexical', 'dense', 'hybrid'] : ['lexical'],
        embedding: status.loaded
          ? { loaded: true, provider: status.embedder.provider, model: status.embedder.model, dim: status.embedder.dim }
          : { loaded: false, provider: config.embedProvider, model: status.model, reason: status.reason },
      };
    },
    index: () => current(),
    modelReady: () => modelLoad,
    async close() {
      await index.close();
    },
  };

  /** Loads the model beside a serving engine, then embeds what lacks a vector; never throws. */
  const loadModelInBackground = async () => {
    log.info(`loading embedding model ${config.embedModel} in the background; lexical search meanwhile`);
    const loaded = await load();
    if (loaded.loaded) {
      try {
        checkEmbeddingModel(current(), loaded.embedder);
      } catch (error) {
        status = { loaded: false, model: loaded.embedder.model, reason: describeError(error) };
        log.error(`${describeError(error)}; serving lexical search only`);
        return;
      }
    }
    status = loaded;
    embedder = loaded.loaded ? loaded.embedder : undefined;
    index.setEmbedder(embedder);
    logModelStatus(status, log);
    if (!embedder || current().papers === 0 || !needsEmbedding()) return;
    const started = performance.now();
    log.info('embedding the chunks that have no vector yet…');
    const counts = await ingest([]);
    log.info(`embedded ${counts.embedded} chunks in ${Math.round((performance.now() - started) / 1000)} s: hybrid search`);
  };
  let modelLoad: Promise<void> = Promise.resolve();

  /**
   * Start-up writes (seeding, embedding, saving a rebuilt lexical index) are improvements, not
   * preconditions: on a read-only or full disk the server still serves what is there and says
   * why it could not write. Ingests then answer index_write_failed.
   */
  const whenWritable = async (what: string, task: () => Promise<unknown>) => {
    try {
      await task();
    } catch (error) {
      if (!isPapertalkError(error) || error.code !== 'index_write_failed') throw error;
      log.warn(`${what} skipped: ${error.message}; serving the index as it is`);
    }
  };

  if (current().papers === 0 && options.seed && config.seedCorpus) {
    if (!existsSync(config.seedCorpus)) {
      log.warn(`seed corpus ${config.seedCorpus} not found; starting with an empty index`);
    } else {
      const seed = config.seedCorpus;
      await whenWritable(`indexing the seed corpus ${seed}`, async () => {
        const started = performance.now();
        const counts = await engine.ingestPath(seed);
        log.info(`indexed ${counts.total} papers from ${path.relative(process.cwd(), seed) || seed} in ${Math.round(performance.now() - started)} ms`);
      });
    }
  } else if (options.seed && embedder && current().papers > 0 && needsEmbedding()) {
    // The model is new to this index (or some papers were added without it): embed what lacks a vector.
    log.info('embedding the chunks that have no vector yet…');
    await whenWritable('embedding the chunks without a vector', () => ingest([]));
  } else if (options.seed && current().needsRewrite) {
    log.info('the lexical index was made by another papertalk version: rebuilt from the papers and saved');
    await whenWritable('saving the rebuilt lexical index', () => ingest([]));
  }
  if (defer) {
    modelLoad = loadModelInBackground().catch((error) => {
      log.error(`embedding in the background failed: ${describeError(error)}; serving lexical search only`);
    });
  }
  return engine;
}

function loadingStatus(config: Config): EmbedderStatus {
  return { loaded: false, model: config.embedModel, reason: 'loading the embedding model (lexical search meanwhile)' };
}

function logModelStatus(status: EmbedderStatus, log: Logger): void {
  if (status.loaded) log.info(`embedding model ${status.embedder.model} loaded (${status.embedder.dim} dimensions): hybrid search`);
  else log.warn(`embedding model not loaded: ${status.reason}; serving lexical search only`);
}

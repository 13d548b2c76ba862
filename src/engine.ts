// The core pipeline behind every face (HTTP, web page, CLI): opens the index and the
// embedding model once, answers searches, and hands ingests to the index (src/index/handle.ts).
import { existsSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { Config } from './config.js';
import { describeError } from './errors.js';
import type { BackendName, IndexReader } from './index/backend.js';
import { loadEmbedder, type Embedder, type EmbedderStatus } from './index/embedder.js';
import { openIndexHandle } from './index/handle.js';
import { timeSlicer } from './index/plan.js';
import { checkEmbeddingModel } from './index/store.js';
import { normalizeTitle } from './ingest/paper-id.js';
import { readSource, sourceFilesIn } from './ingest/read.js';
import { toPapersInSlices } from './ingest/to-papers.js';
import { silentLogger, type Logger } from './log.js';
import { search as runSearch, type SearchOptions } from './retrieve/search.js';
import type { IngestCounts, Paper, PaperInput, SearchMode, SearchResponse } from './types.js';

export interface HealthReport {
  status: 'ok' | 'degraded';
  /** The index backend: vectra (small corpora, in memory) or lancedb (large ones, on disk). */
  backend: BackendName;
  papers: number;
  chunks: number;
  vectors: number;
  index_dir: string;
  generation: string | null;
  search_modes: SearchMode[];
  embedding: { loaded: boolean; model: string; dim?: number; reason?: string };
}

export interface IngestOptions {
  rebuild?: boolean;
  onProgress?(done: number, total: number): void;
}

export interface Engine {
  readonly config: Config;
  readonly embedder: Embedder | undefined;
  readonly log: Logger;
  search(query: string, options: SearchOptions): Promise<SearchResponse>;
  getPaper(id: string): Promise<Paper | undefined>;
  /** Inverse document frequency of an analyzed term in the live index (for answer scoring). */
  idf(term: string): number;
  listPapers(offset: number, limit: number): Promise<{ papers: Paper[]; total: number }>;
  ingest(papers: PaperInput[], options?: IngestOptions): Promise<IngestCounts>;
  /** Reads a file or folder of listings (HF text, JSONL, BEIR) and ingests it. */
  ingestPath(source: string, options?: IngestOptions): Promise<IngestCounts & { files: number; skipped: number }>;
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
   * Open for `ingest --rebuild` or `migrate`: only the old papers are read (with the backend
   * that wrote them), so an index made with another embedding model or backend (or with damaged
   * chunks, lexical index or vectors) can be rebuilt. With `fromSources`, an index whose papers
   * cannot be read either opens empty: the rebuild replaces it with the papers of the sources given.
   */
  rebuild?: { fromSources: boolean };
}

export async function openEngine(config: Config, options: OpenOptions = {}): Promise<Engine> {
  const log = options.log ?? silentLogger;
  const defer = Boolean(options.deferModel && !options.embedder && config.dense);
  let status: EmbedderStatus = options.embedder ?? (defer ? loadingStatus(config) : await loadEmbedder(config));
  let embedder = status.loaded ? status.embedder : undefined;
  if (!defer) logModelStatus(status, log);

  const index = await openIndexHandle({
    dir: config.indexDir,
    backend: config.indexBackend,
    embedder,
    titleKey: normalizeTitle,
    log,
    rebuild: options.rebuild,
  });

  const ingest = async (inputs: PaperInput[], opts: IngestOptions = {}) => index.apply(await toPapersInSlices(inputs, timeSlicer()), opts);
  const missingVectors = () => index.current().chunks - index.current().vectors;

  const engine: Engine = {
    config,
    get embedder() {
      return embedder;
    },
    log,
    async search(query, searchOptions) {
      return runSearch(index.current(), embedder, query, searchOptions);
    },
    getPaper: (id) => index.current().getPaper(id),
    idf: (term) => index.current().idf(term),
    async listPapers(offset, limit) {
      const reader = index.current();
      return { papers: await reader.listPapers(offset, limit), total: reader.papers };
    },
    ingest,
    async ingestPath(source, opts = {}) {
      const files = index.backend.name === 'lancedb' ? await sourceFiles(source) : [source];
      const summary = { added: 0, updated: 0, unchanged: 0, total: 0, embedded: 0, files: 0, skipped: 0 };
      // The large-corpus backend takes a folder file by file, so a million papers never sit in memory at once.
      for (const [i, file] of files.entries()) {
        const read = await readSource(file);
        const counts = await ingest(read.papers, { ...opts, rebuild: opts.rebuild && i === 0 });
        for (const key of ['added', 'updated', 'unchanged', 'embedded'] as const) summary[key] += counts[key];
        summary.total = counts.total;
        summary.files += read.files.length;
        summary.skipped += read.files.reduce((sum, report) => sum + report.skipped.length, 0);
      }
      return summary;
    },
    health() {
      const current = index.current();
      const denseReady = Boolean(embedder && current.vectors > 0);
      return {
        status: embedder ? 'ok' : 'degraded',
        backend: current.backend,
        papers: current.papers,
        chunks: current.chunks,
        vectors: current.vectors,
        index_dir: config.indexDir,
        generation: current.generation,
        search_modes: denseReady ? ['lexical', 'dense', 'hybrid'] : ['lexical'],
        embedding: status.loaded
          ? { loaded: true, model: status.embedder.model, dim: status.embedder.dim }
          : { loaded: false, model: status.model, reason: status.reason },
      };
    },
    index: () => index.current(),
    modelReady: () => modelLoad,
    async close() {
      await index.settled();
    },
  };

  /** Loads the model beside a serving engine, then embeds what lacks a vector; never throws. */
  const loadModelInBackground = async () => {
    log.info(`loading embedding model ${config.embedModel} in the background; lexical search meanwhile`);
    const loaded = await loadEmbedder(config);
    if (loaded.loaded) {
      try {
        checkEmbeddingModel(index.current(), loaded.embedder);
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
    if (!embedder || index.current().papers === 0 || !needsEmbedding()) return;
    const started = performance.now();
    log.info('embedding the chunks that have no vector yet…');
    const counts = await ingest([]);
    log.info(`embedded ${counts.embedded} chunks in ${Math.round((performance.now() - started) / 1000)} s: hybrid search`);
  };
  /** Some papers lack vectors: chunks without one, or (lancedb, which chunks when embedding) none at all. */
  const needsEmbedding = () => missingVectors() > 0 || (index.backend.name === 'lancedb' && index.current().vectors === 0);
  let modelLoad: Promise<void> = Promise.resolve();

  if (index.current().papers === 0 && options.seed && config.seedCorpus) {
    if (!existsSync(config.seedCorpus)) {
      log.warn(`seed corpus ${config.seedCorpus} not found; starting with an empty index`);
    } else {
      const started = performance.now();
      const counts = await engine.ingestPath(config.seedCorpus);
      log.info(`indexed ${counts.total} papers from ${path.relative(process.cwd(), config.seedCorpus) || config.seedCorpus} in ${Math.round(performance.now() - started)} ms`);
    }
  } else if (options.seed && embedder && index.current().papers > 0 && needsEmbedding()) {
    // The model is new to this index (or some papers were added without it): embed what lacks a vector.
    log.info('embedding the chunks that have no vector yet…');
    await ingest([]);
  } else if (options.seed && index.current().needsRewrite) {
    log.info('the lexical index was made by another papertalk version: rebuilt from the papers and saved');
    await ingest([]);
  }
  if (defer) {
    modelLoad = loadModelInBackground().catch((error) => {
      log.error(`embedding in the background failed: ${describeError(error)}; serving lexical search only`);
    });
  }
  return engine;
}

/** The files a source names: itself, or a folder's listing files in the order readSource reads them. */
async function sourceFiles(source: string): Promise<string[]> {
  const info = await stat(source).catch(() => null);
  return info?.isDirectory() ? sourceFilesIn(source) : [source];
}

function loadingStatus(config: Config): EmbedderStatus {
  return { loaded: false, model: config.embedModel, reason: 'loading the embedding model (lexical search meanwhile)' };
}

function logModelStatus(status: EmbedderStatus, log: Logger): void {
  if (status.loaded) log.info(`embedding model ${status.embedder.model} loaded (${status.embedder.dim} dimensions): hybrid search`);
  else log.warn(`embedding model not loaded: ${status.reason}; serving lexical search only`);
}

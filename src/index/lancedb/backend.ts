// The large-corpus backend: papers and chunks as LanceDB tables on disk, BM25 by LanceDB's
// full-text index over title + abstract, chunk vectors in a vector column (exact search while
// small, IVF-PQ once large). Nothing is held in memory but the term statistics sample.
//
// Commits: every table write makes a new table version, but only `manifest.json` (renamed into
// place) says which versions are live. Readers check those versions out, so a writer killed at
// any moment leaves the last committed index; the next writer restores the tables to it. A
// long ingest commits every COMMIT_EVERY papers, so a killed one resumes where it stopped.
// On object storage the manifest, term statistics and lock live in the store (location.ts).
import { mkdir } from 'node:fs/promises';
import type { Connection, Table } from '@lancedb/lancedb';
import { z } from 'zod';
import { PapertalkError, describeError } from '../../errors.js';
import { EMBED_PROVIDERS, type Paper } from '../../types.js';
import type { ApplyOptions, BackendOptions, CommitInfo, EmbeddingInfo, IndexBackend, IndexReader, LexicalMatch, LexicalQuery, VectorMatch } from '../backend.js';
import { chunkEmbeddingText } from '../chunk.js';
import type { Embedder } from '../embedder.js';
import { planIngest, timeSlicer, type Known, type StoredPaper } from '../plan.js';
import { checkEmbeddingModel, chunksOf, corrupt, writeFailed } from '../store.js';
import { arrowTable } from './columns.js';
import { lanceLocation, type LanceLocation, type WriteLock } from './location.js';
import { guarded, storeFailure } from './store-errors.js';
import { loadLance } from './native.js';
import { TermStats } from './term-stats.js';

const FORMAT = 1;
const PAPERS = 'papers';
const CHUNKS = 'chunks';
const TEXT_INDEX = 'text_idx';
/** Papers per commit without a model: bounds memory, and what a killed ingest can lose. */
const COMMIT_EVERY = 100_000;
/** Papers per commit when embedding (a batch of 1k papers takes a minute or more on a CPU). */
const COMMIT_EVERY_EMBEDDING = 1_000;
const EMBED_BATCH = 32;
/** Below this many vectors exact search is fast enough (and exact); above, an IVF-PQ index. */
export const ANN_MIN_VECTORS = 50_000;
/** Rows appended after the full-text index was built are searched by a flat scan (1k rows: ~0.3 s a query) until optimize(). */
const OPTIMIZE_MIN_UNINDEXED = 1;
/** Unindexed rows (at least as many as indexed ones) above which the full-text index is rebuilt, not folded into. */
const REBUILD_MIN_UNINDEXED = 50_000;
const PAPER_COLUMNS = ['id', 'title', 'text', 'date', 'url', 'authors', 'extra', 'added_at'];
/** Papers a reader keeps from its latest lexical searches (a search reads up to k per query weight). */
const RECENT_PAPERS = 1000;

const manifestSchema = z.object({
  format: z.literal(FORMAT),
  backend: z.literal('lancedb'),
  generation: z.string().regex(/^l-[a-z0-9-]+$/),
  created_at: z.string(),
  /** The database folder (a rebuild writes a new one beside the old). */
  db: z.string().regex(/^lance-[a-z0-9-]+$/),
  papers: z.number().int().nonnegative(),
  chunks: z.number().int().nonnegative(),
  versions: z.object({ papers: z.number().int().positive(), chunks: z.number().int().positive().nullable() }),
  /** Whether the vector column has an ANN index (query with nprobes/refine) or is searched exactly. */
  ann: z.boolean(),
  embedding: z.object({ provider: z.enum(EMBED_PROVIDERS), model: z.string(), dim: z.number().int().positive() }).nullable(),
  terms: z.string().regex(/^terms-[a-z0-9-]+\.json$/),
  /** Commits made to this index so far, this one included (manifests before it was recorded: none). */
  seq: z.number().int().positive().optional(),
});
type LanceManifest = z.infer<typeof manifestSchema>;

interface PaperRow {
  id: string;
  title: string;
  /** Title and abstract as one field: one idf and one length norm, as the small backend's BM25. */
  text: string;
  date: string | null;
  url: string | null;
  authors: string | null;
  /** upvotes, categories and arxiv_url as JSON (fields of some sources only), or null. */
  extra: string | null;
  /** When the index first took the paper in (null: before papertalk recorded it). */
  added_at: string | null;
  hash: string;
  title_key: string;
}

function toRow(paper: StoredPaper, titleKey: (title: string) => string): PaperRow {
  return {
    id: paper.id,
    title: paper.title,
    text: `${paper.title}\n${paper.abstract}`,
    date: paper.date ?? null,
    url: paper.url ?? null,
    authors: paper.authors ? JSON.stringify(paper.authors) : null,
    extra: extraOf(paper),
    added_at: paper.added_at ?? null,
    hash: paper.hash,
    title_key: titleKey(paper.title),
  };
}

function fromRow(row: Record<string, unknown>): Paper {
  const title = String(row.title);
  const paper: Paper = { id: String(row.id), title, abstract: String(row.text).slice(title.length + 1) };
  if (row.date != null) paper.date = String(row.date);
  if (row.url != null) paper.url = String(row.url);
  if (row.authors != null) paper.authors = JSON.parse(String(row.authors)) as string[];
  if (row.extra != null) Object.assign(paper, JSON.parse(String(row.extra)) as Pick<Paper, 'upvotes' | 'categories' | 'arxiv_url'>);
  if (row.added_at != null) paper.added_at = String(row.added_at);
  return paper;
}

function extraOf(paper: Paper): string | null {
  const extra = { upvotes: paper.upvotes, categories: paper.categories, arxiv_url: paper.arxiv_url };
  return Object.values(extra).some((value) => value !== undefined) ? JSON.stringify(extra) : null;
}

/** A SQL string literal for LanceDB's filters (DataFusion: quotes doubled). */
function sql(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

function inList(column: string, ids: string[]): string {
  return `${column} IN (${ids.map(sql).join(', ')})`;
}

function readManifest(location: LanceLocation): Promise<LanceManifest | null> {
  return location.readManifest(manifestSchema);
}

function commitInfo(manifest: LanceManifest | null): CommitInfo | null {
  return manifest && { generation: manifest.generation, seq: manifest.seq ?? null, committed_at: manifest.created_at };
}

async function tableAt(db: Connection, name: string, version: number): Promise<Table> {
  const table = await db.openTable(name);
  await table.checkout(version);
  return table;
}

class LanceReader implements IndexReader {
  readonly backend = 'lancedb' as const;
  readonly needsRewrite = false;

  constructor(
    readonly dir: string,
    readonly manifest: LanceManifest | null,
    private readonly papersTable: Table | null,
    private readonly chunksTable: Table | null,
    readonly terms: TermStats,
  ) {}

  get generation() {
    return this.manifest?.generation ?? null;
  }
  get embedding(): EmbeddingInfo | null {
    return this.manifest?.embedding ?? null;
  }
  get papers() {
    return this.manifest?.papers ?? 0;
  }
  get chunks() {
    return this.manifest?.chunks ?? 0;
  }
  get vectors() {
    return this.manifest?.chunks ?? 0;
  }
  get commit() {
    return commitInfo(this.manifest);
  }

  async getPaper(id: string) {
    return (await this.getPapers([id])).get(id);
  }

  /**
   * Papers the last lexical searches read with their ranking (the same query returns them: a
   * second query by id cost as much as the search, 12 ms at 1M). The version read never
   * changes, so they stay right; the oldest go first.
   */
  private readonly recent = new Map<string, Paper>();

  private remember(paper: Paper): void {
    this.recent.delete(paper.id);
    this.recent.set(paper.id, paper);
    if (this.recent.size > RECENT_PAPERS) this.recent.delete(this.recent.keys().next().value!);
  }

  async getPapers(ids: string[]) {
    const found = new Map<string, Paper>();
    if (!this.papersTable || ids.length === 0) return found;
    const missing = ids.filter((id) => !this.recent.has(id));
    const rows =
      missing.length === 0 ? [] : await guarded(this.dir, () => this.papersTable!.query().where(inList('id', missing)).select(PAPER_COLUMNS).limit(missing.length).toArray());
    const read = new Map(rows.map((row) => [String(row.id), fromRow(row)]));
    for (const id of ids) {
      const paper = this.recent.get(id) ?? read.get(id);
      if (paper) found.set(id, paper);
    }
    return found;
  }

  async paperDates() {
    const dates = new Map<string, string | undefined>();
    if (!this.papersTable) return dates;
    const arrowTable = await guarded(this.dir, () => this.papersTable!.query().select(['id', 'date']).toArrow());
    const ids = arrowTable.getChild('id')!;
    const column = arrowTable.getChild('date')!;
    for (let i = 0; i < arrowTable.numRows; i++) dates.set(String(ids.get(i)), (column.get(i) as string | null) ?? undefined);
    return dates;
  }

  async listPapers(offset: number, limit: number) {
    if (!this.papersTable) return [];
    const rows = await guarded(this.dir, () => this.papersTable!.query().select(PAPER_COLUMNS).offset(offset).limit(limit).toArray());
    return rows.map(fromRow);
  }

  async lexicalSearch(query: LexicalQuery, k: number): Promise<LexicalMatch[]> {
    if (!this.papersTable || query.weights.size === 0) return [];
    const { lancedb } = await loadLance();
    // LanceDB analyzes text with its own English stemmer, so it is given the query's words, each
    // weighted as retrieval's query understanding weighted the term it became.
    const words = new Map<string, number>();
    for (const [term, weight] of query.weights) {
      const word = query.surface.get(term) ?? term;
      words.set(word, Math.max(words.get(word) ?? 0, weight));
    }
    // Words of equal weight go in one match query (BM25 summed over its terms, as separate
    // clauses would): a boolean query of one clause per word was ~8x slower (56 vs 7 ms at 100k),
    // and at 1M a boolean query of even two clauses took 0.7-1.6 s where each alone took 15-30 ms.
    // So each weight's query runs alone (in parallel) and the scores are summed here: a paper
    // outside one query's top k gets nothing from it, a small underestimate at the edge of the list.
    const byWeight = new Map<number, string[]>();
    for (const [word, weight] of words) (byWeight.get(weight) ?? byWeight.set(weight, []).get(weight)!).push(word);
    const lists = await guarded(this.dir, () =>
      Promise.all(
        [...byWeight].map(([boost, some]) =>
          this.papersTable!.query()
            .fullTextSearch(new lancedb.MatchQuery(some.join(' '), 'text', { boost }))
            .select([...PAPER_COLUMNS, '_score'])
            .limit(k)
            .toArray(),
        ),
      ),
    );
    const scores = new Map<string, number>();
    for (const rows of lists) {
      for (const row of rows) {
        scores.set(String(row.id), (scores.get(String(row.id)) ?? 0) + Number(row._score));
        // Retrieval reranks (and returns) the first of these: read with the ranking, not after it.
        if (!this.recent.has(String(row.id))) this.remember(fromRow(row));
      }
    }
    return [...scores]
      .map(([id, score]) => ({ id, score }))
      .sort((a, b) => b.score - a.score || (a.id < b.id ? -1 : 1))
      .slice(0, k);
  }

  idf(term: string) {
    return this.terms.idf(term);
  }

  docFrequency(term: string) {
    return this.terms.docFrequency(term);
  }

  async vectorSearch(vector: Float32Array, k: number): Promise<VectorMatch[]> {
    if (!this.chunksTable || k <= 0) return [];
    const dim = this.manifest?.embedding?.dim;
    if (dim !== vector.length) {
      throw new PapertalkError('index_model_mismatch', `query vector has ${vector.length} dimensions but the index holds ${dim}; run \`papertalk ingest --rebuild\``);
    }
    let query = this.chunksTable.vectorSearch(vector).distanceType('cosine');
    // IVF-PQ: look in more partitions and re-rank on the exact vectors, for recall near exact.
    if (this.manifest?.ann) query = query.nprobes(32).refineFactor(8);
    const rows = await guarded(this.dir, () => query.select(['id', 'paper_id', 'start', 'end', '_distance']).limit(k).toArray());
    return rows.map((row) => ({
      id: String(row.id),
      paperId: String(row.paper_id),
      score: 1 - Number(row._distance),
      span: { start: Number(row.start), end: Number(row.end) },
    }));
  }

  async paperIdByTitleKey(key: string) {
    if (!this.papersTable || !key) return undefined;
    const rows = await guarded(this.dir, () => this.papersTable!.query().where(`title_key = ${sql(key)}`).select(['id']).limit(1).toArray());
    return rows[0] ? String(rows[0].id) : undefined;
  }
}

async function openAt(location: LanceLocation, manifest: LanceManifest | null): Promise<LanceReader> {
  const dir = location.dir;
  if (!manifest) return new LanceReader(dir, null, null, null, TermStats.empty());
  const dbDir = location.dbPath(manifest.db);
  try {
    const db = await location.connect(manifest.db);
    const papers = await tableAt(db, PAPERS, manifest.versions.papers);
    const chunks = manifest.versions.chunks === null ? null : await tableAt(db, CHUNKS, manifest.versions.chunks);
    const terms = await location.readTerms(manifest);
    const [paperRows, chunkRows] = await Promise.all([papers.countRows(), chunks?.countRows() ?? 0]);
    if (paperRows !== manifest.papers || chunkRows !== manifest.chunks) {
      throw new Error(`manifest lists ${manifest.papers} papers and ${manifest.chunks} chunks, the tables hold ${paperRows} and ${chunkRows}`);
    }
    return new LanceReader(dir, manifest, papers, chunks, terms);
  } catch (error) {
    throw storeFailure(dir, error) ?? corrupt(dbDir, error);
  }
}

/**
 * Opens the version committed now. A writer that commits again meanwhile may remove files of
 * the version just read from the manifest: then the newer manifest is opened instead.
 */
async function openCommitted(location: LanceLocation, embedder?: Embedder): Promise<LanceReader> {
  for (let attempt = 0; ; attempt++) {
    const manifest = await readManifest(location);
    if (embedder) checkEmbeddingModel(manifest, embedder);
    try {
      return await openAt(location, manifest);
    } catch (error) {
      const now = await readManifest(location).catch(() => null);
      if (attempt >= 3 || now?.generation === manifest?.generation) throw error;
    }
  }
}

function newName(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}

/** Ids looked up per query when planning: a bounded IN list over the id index. */
const LOOKUP_IDS = 4096;

/** The stored content hash and added_at of those of `ids` the table holds, for planning. */
async function storedHashes(table: Table, ids: string[]): Promise<Map<string, Known>> {
  const map = new Map<string, Known>();
  for (let i = 0; i < ids.length; i += LOOKUP_IDS) {
    const some = ids.slice(i, i + LOOKUP_IDS);
    const rows = await table.query().where(inList('id', some)).select(['id', 'hash', 'added_at']).limit(some.length).toArray();
    for (const row of rows) map.set(String(row.id), { hash: String(row.hash), ...(row.added_at != null && { added_at: String(row.added_at) }) });
  }
  return map;
}

/** Every paper id in the table (only when embedding: to find papers without vectors). */
async function allPaperIds(table: Table): Promise<string[]> {
  const column = (await table.query().select(['id']).toArrow()).getChild('id')!;
  const ids: string[] = [];
  for (let i = 0; i < column.length; i++) ids.push(String(column.get(i)));
  return ids;
}

async function paperIdsWithChunks(table: Table | null): Promise<Set<string>> {
  if (!table) return new Set();
  const arrowTable = await table.query().select(['paper_id']).toArrow();
  const column = arrowTable.getChild('paper_id')!;
  const ids = new Set<string>();
  const pause = timeSlicer();
  for (let i = 0; i < arrowTable.numRows; i++) {
    ids.add(String(column.get(i)));
    if (i % 1024 === 0) await pause();
  }
  return ids;
}

/** Opens a table at its committed version, undoing versions a killed writer made after it. */
async function restoredTable(db: Connection, name: string, version: number): Promise<Table> {
  const table = await db.openTable(name);
  if ((await table.version()) !== version) {
    await table.checkout(version);
    await table.restore();
  }
  return table;
}

async function paperSchema() {
  const { arrow } = await loadLance();
  const text = (name: string, nullable = false) => new arrow.Field(name, new arrow.Utf8(), nullable);
  return new arrow.Schema([
    text('id'),
    text('title'),
    text('text'),
    text('date', true),
    text('url', true),
    text('authors', true),
    text('extra', true),
    text('added_at', true),
    text('hash'),
    text('title_key'),
  ]);
}

async function chunkSchema(dim: number) {
  const { arrow } = await loadLance();
  return new arrow.Schema([
    new arrow.Field('id', new arrow.Utf8(), false),
    new arrow.Field('paper_id', new arrow.Utf8(), false),
    new arrow.Field('n', new arrow.Int32(), false),
    new arrow.Field('start', new arrow.Int32(), false),
    new arrow.Field('end', new arrow.Int32(), false),
    new arrow.Field('hash', new arrow.Utf8(), false),
    new arrow.Field('vector', new arrow.FixedSizeList(dim, new arrow.Field('item', new arrow.Float32(), true)), false),
  ]);
}

/** The writer's state during one apply: tables at their newest versions, stats being updated. */
interface Writing {
  location: LanceLocation;
  lock: WriteLock;
  dir: string;
  dbName: string;
  db: Connection;
  papers: Table | null;
  chunks: Table | null;
  terms: TermStats;
  embedding: EmbeddingInfo | null;
  ann: boolean;
  paperCount: number;
  chunkCount: number;
  manifest: LanceManifest | null;
  /** Commits made before this write (kept across a rebuild). */
  seq: number;
}

export function lanceBackend(options: BackendOptions): IndexBackend {
  const { titleKey } = options;
  const locate = (dir: string) => lanceLocation(dir, options.storage);

  async function addPapers(w: Writing, rows: PaperRow[]): Promise<void> {
    const data = await arrowTable(await paperSchema(), rows as unknown as Record<string, unknown>[]);
    if (w.papers) await w.papers.add(data);
    else w.papers = await w.db.createTable(PAPERS, data, { mode: 'overwrite' });
  }

  /** Chunks, embeds and stores the chunks of `papers`; returns how many were embedded. */
  async function embedPapers(w: Writing, papers: Paper[], embedder: Embedder): Promise<number> {
    const items = papers.flatMap((paper) => chunksOf(paper, embedder).map((chunk) => ({ paper, chunk })));
    const rows: Record<string, unknown>[] = [];
    for (let i = 0; i < items.length; i += EMBED_BATCH) {
      const batch = items.slice(i, i + EMBED_BATCH);
      const vectors = await embedder.embed(batch.map(({ paper, chunk }) => chunkEmbeddingText(paper, chunk)));
      batch.forEach(({ chunk }, j) => rows.push({ ...chunk, paper_id: chunk.paperId, vector: vectors[j]! }));
    }
    if (rows.length === 0) return 0;
    const data = await arrowTable(await chunkSchema(embedder.dim), rows);
    if (w.chunks) await w.chunks.add(data);
    else w.chunks = await w.db.createTable(CHUNKS, data, { mode: 'overwrite' });
    w.embedding = { provider: embedder.provider, model: embedder.model, dim: embedder.dim };
    w.chunkCount += rows.length;
    return rows.length;
  }

  /**
   * Keeps search fast: builds the full-text (and lookup) indexes on a new table, folds appended
   * rows into them (or rebuilds them when most rows are new), and indexes vectors once exact
   * search gets slow. Between the commits of one ingest (`final` false) nothing is indexed.
   */
  async function maintainIndexes(w: Writing, final: boolean): Promise<void> {
    const { lancedb } = await loadLance();
    if (!w.papers) return;
    const indexes = new Set((await w.papers.listIndices()).map((index) => index.name));
    const createIndexes = async () => {
      await w.papers!.createIndex('text', {
        config: lancedb.Index.fts({ withPosition: false, baseTokenizer: 'simple', language: 'English', stem: true, removeStopWords: true, lowercase: true, asciiFolding: true }),
        name: TEXT_INDEX,
      });
      await w.papers!.createIndex('id', { config: lancedb.Index.btree() });
      await w.papers!.createIndex('title_key', { config: lancedb.Index.btree() });
    };
    if (!indexes.has(TEXT_INDEX)) {
      // Built once, at the end of the ingest that made the table: until then its commits are
      // searched by a flat scan (slower, but the same results), and a large first ingest does
      // not index its first 100k rows only to fold the other 900k in later.
      if (final) await createIndexes();
    } else if (final) {
      const stats = await w.papers.indexStats(TEXT_INDEX);
      const unindexed = stats?.numUnindexedRows ?? 0;
      // Mostly new rows (a large first ingest, indexed at its first commit): building the index
      // afresh beats folding them in (1M rows: optimize over 900k new ones took 4 minutes).
      if (unindexed >= REBUILD_MIN_UNINDEXED && unindexed >= (stats?.numIndexedRows ?? 0)) await createIndexes();
      if (unindexed >= OPTIMIZE_MIN_UNINDEXED) await optimize(w.papers);
    }
    if (final && w.chunks) {
      if (!w.ann && w.chunkCount >= ANN_MIN_VECTORS) {
        const dim = w.embedding!.dim;
        await w.chunks.createIndex('vector', {
          config: lancedb.Index.ivfPq({ distanceType: 'cosine', numPartitions: Math.round(Math.sqrt(w.chunkCount)), numSubVectors: dim % 16 === 0 ? dim / 16 : 1 }),
        });
        w.ann = true;
      } else if (w.ann) {
        const indexName = (await w.chunks.listIndices()).find((index) => index.columns.includes('vector'))?.name;
        const stats = indexName ? await w.chunks.indexStats(indexName) : undefined;
        if ((stats?.numUnindexedRows ?? 0) >= OPTIMIZE_MIN_UNINDEXED) await optimize(w.chunks);
      }
    }
  }

  /** Compacts, folds new rows into the indexes, and drops versions no reader can still hold. */
  async function optimize(table: Table): Promise<void> {
    await table.optimize({ cleanupOlderThan: new Date(Date.now() - 60 * 60 * 1000) });
  }

  /** Makes the tables' current versions live: the one atomic step of a commit. */
  async function commit(w: Writing): Promise<LanceManifest> {
    const generation = newName('l');
    const terms = `terms-${generation.slice(2)}.json`;
    // A writer whose lease lapsed (object storage) must not commit over its successor.
    await w.lock.check();
    const manifest: LanceManifest = {
      format: FORMAT,
      backend: 'lancedb',
      generation,
      created_at: new Date().toISOString(),
      db: w.dbName,
      papers: w.paperCount,
      chunks: w.chunkCount,
      versions: { papers: await w.papers!.version(), chunks: w.chunks ? await w.chunks.version() : null },
      ann: w.ann,
      embedding: w.embedding,
      terms,
      seq: ++w.seq,
    };
    await w.location.commit(manifest, w.terms, w.manifest);
    w.manifest = manifest;
    return manifest;
  }

  async function startWriting(location: LanceLocation, lock: WriteLock, manifest: LanceManifest | null, seq: number): Promise<Writing> {
    const dir = location.dir;
    const dbName = manifest?.db ?? newName('lance');
    const dbDir = location.dbPath(dbName);
    if (location.kind === 'local') await mkdir(dbDir, { recursive: true });
    const db = await location.connect(dbName);
    try {
      return {
        location,
        lock,
        dir,
        dbName,
        db,
        papers: manifest ? await restoredTable(db, PAPERS, manifest.versions.papers) : null,
        chunks: manifest?.versions.chunks ? await restoredTable(db, CHUNKS, manifest.versions.chunks) : null,
        terms: manifest ? await location.readTerms(manifest) : TermStats.empty(),
        embedding: manifest?.embedding ?? null,
        ann: manifest?.ann ?? false,
        paperCount: manifest?.papers ?? 0,
        chunkCount: manifest?.chunks ?? 0,
        manifest,
        seq,
      };
    } catch (error) {
      throw storeFailure(dir, error) ?? corrupt(dbDir, error);
    }
  }

  /**
   * Streams `batches` into the tables: each batch is planned against what the tables (and this
   * ingest's earlier batches) hold, and every `every` new or changed papers are written and
   * committed, so memory stays bounded and a killed ingest resumes where it stopped: its
   * committed papers are unchanged the next time, only the rest is written (and embedded).
   */
  async function applyLocked(location: LanceLocation, lock: WriteLock, batches: AsyncIterable<Paper[]> | Iterable<Paper[]>, applyOptions: ApplyOptions) {
    const dir = location.dir;
    const { embedder, rebuild = false, onProgress } = applyOptions;
    // A rebuild starts from nothing, but keeps counting commits and removes the old database after.
    const committed = rebuild ? await readManifest(location).catch(() => null) : await readManifest(location);
    const onDisk = rebuild ? null : committed;
    if (!rebuild) checkEmbeddingModel(onDisk, embedder);
    const w = await startWriting(location, lock, onDisk, committed?.seq ?? 0);
    const former = applyOptions.formerAddedAt;
    const formerOf = (id: string) => (former?.has(id) ? { added_at: former.get(id) } : undefined);
    const every = embedder ? COMMIT_EVERY_EMBEDDING : COMMIT_EVERY;
    const yieldSlice = timeSlicer();
    /** Papers this ingest has planned so far (written or pending): a later copy is a duplicate. */
    const planned = new Map<string, Known>();
    /** Planned papers not written yet, and ids whose rows in the table they replace. */
    const pending = new Map<string, StoredPaper>();
    const replaced = new Set<string>();
    /** The stored hash of each paper given, before this ingest: the counts compare the last copy with it. */
    const original = new Map<string, string | undefined>();
    let read = 0;
    let written = 0;
    let embeddedCount = 0;

    /** Writes and commits one batch of planned papers (and the rows they replace). */
    const write = async (papers: StoredPaper[], replacing: Set<string>) => {
      // Term statistics change with the rows they describe (a killed ingest leaves both as committed).
      const reader = new LanceReader(dir, null, w.papers, null, w.terms);
      const oldSampled = await reader.getPapers([...replacing].filter((id) => w.terms.isSampled(id)));
      for (const paper of papers) {
        const old = oldSampled.get(paper.id);
        if (!replacing.has(paper.id)) w.terms.add(paper);
        else if (old) w.terms.replace(old, paper);
        await yieldSlice();
      }
      if (replacing.size > 0) {
        const ids = [...replacing];
        await w.papers!.delete(inList('id', ids));
        if (w.chunks) {
          const before = await w.chunks.countRows();
          await w.chunks.delete(inList('paper_id', ids));
          w.chunkCount -= before - (await w.chunks.countRows());
        }
      }
      const rows: PaperRow[] = [];
      for (const paper of papers) {
        rows.push(toRow(paper, titleKey));
        await yieldSlice();
      }
      await addPapers(w, rows);
      w.paperCount += papers.length - replacing.size;
      if (embedder) embeddedCount += await embedPapers(w, papers, embedder);
      await maintainIndexes(w, false);
      await commit(w);
      written += papers.length;
      onProgress?.(written, read);
    };
    /**
     * The write in flight: the next batch is read and planned while LanceDB writes this one (at
     * 1M papers the two took turns for minutes). Writes stay one at a time, in order, so a
     * replaced row is deleted only after the write that added it.
     */
    let writing: Promise<void> = Promise.resolve();
    const flush = async () => {
      if (pending.size === 0) return;
      const papers = [...pending.values()];
      const replacing = new Set(replaced);
      pending.clear();
      replaced.clear();
      await writing;
      writing = write(papers, replacing);
      // Its failure is thrown where it is awaited (the next flush, or the end).
      writing.catch(() => undefined);
    };

    for await (const batch of batches) {
      read += batch.length;
      const unseen = w.papers && onDisk?.papers ? batch.map((paper) => paper.id).filter((id) => !planned.has(id)) : [];
      const stored = unseen.length > 0 ? await storedHashes(w.papers!, unseen) : new Map<string, Known>();
      const plan = await planIngest(batch, (id) => planned.get(id) ?? stored.get(id), yieldSlice, formerOf);
      for (const paper of batch) if (!original.has(paper.id)) original.set(paper.id, stored.get(paper.id)?.hash);
      const updates = new Set(plan.updated.map((paper) => paper.id));
      for (const paper of [...plan.added, ...plan.updated]) {
        // A replaced row goes in the same write that adds its new version, never in an earlier commit.
        if (updates.has(paper.id) && !pending.has(paper.id)) replaced.add(paper.id);
        pending.set(paper.id, paper);
        planned.set(paper.id, { hash: paper.hash, ...(paper.added_at && { added_at: paper.added_at }) });
        if (pending.size >= every) await flush();
      }
    }
    await flush();
    await writing;
    // Papers indexed before this model was loaded (or by an ingest killed before embedding).
    if (embedder && w.papers) {
      const embedded = await paperIdsWithChunks(w.chunks);
      const unembedded = (await allPaperIds(w.papers)).filter((id) => !embedded.has(id));
      for (let i = 0; i < unembedded.length; i += COMMIT_EVERY_EMBEDDING) {
        const reader = new LanceReader(dir, null, w.papers, null, w.terms);
        const papers = await reader.getPapers(unembedded.slice(i, i + COMMIT_EVERY_EMBEDDING));
        embeddedCount += await embedPapers(w, [...papers.values()], embedder);
        await commit(w);
        onProgress?.(Math.min(i + COMMIT_EVERY_EMBEDDING, unembedded.length), unembedded.length, 'embedding');
      }
    }
    // Builds or folds in what a write (this one, or a killed one before it) left unindexed.
    if (w.papers) {
      const before = [await w.papers.version(), await w.chunks?.version(), w.ann].join();
      await maintainIndexes(w, true);
      if ([await w.papers.version(), await w.chunks?.version(), w.ann].join() !== before) await commit(w);
    }
    // A rebuild lives in a new database folder; the old one (and any a crash left) goes.
    if (w.manifest) await location.removeDatabasesExcept(w.manifest.db, [committed?.db]);
    onProgress?.(read, read);
    const counts = { added: 0, updated: 0, unchanged: 0, total: w.paperCount, embedded: embeddedCount };
    for (const [id, before] of original) {
      if (before === undefined) counts.added++;
      else if (before === (planned.get(id)?.hash ?? before)) counts.unchanged++;
      else counts.updated++;
    }
    return { manifest: w.manifest, counts };
  }

  return {
    name: 'lancedb',
    empty: (dir) => new LanceReader(dir, null, null, null, TermStats.empty()),
    open: (dir, embedder) => openCommitted(locate(dir), embedder),
    // Papers are read straight from their table, which a rebuild needs whatever else is damaged.
    openPapers: (dir) => openCommitted(locate(dir)),
    committedGeneration: async (dir) => (await readManifest(locate(dir)))?.generation ?? null,
    committedVersion: async (dir) => commitInfo(await readManifest(locate(dir))),
    apply(base, papers, applyOptions) {
      return this.applyStream!(base, [papers], applyOptions);
    },
    async applyStream(base, batches, applyOptions) {
      const location = locate(base.dir);
      const dir = location.dir;
      const lock = await (location.kind === 'local' ? mkdir(dir, { recursive: true }) : Promise.resolve())
        .then(() => location.lock())
        .catch((error: unknown) => {
          throw writeFailed(dir, error);
        });
      try {
        const { manifest, counts } = await applyLocked(location, lock, batches, applyOptions);
        if (manifest?.generation === base.generation) return { reader: base, counts };
        return { reader: await openAt(location, manifest), counts };
      } catch (error) {
        throw writeFailed(dir, storeFailure(dir, error) ?? error);
      } finally {
        await lock.release();
      }
    },
    async removeFiles(dir) {
      const location = locate(dir);
      await location.removeAll(location.kind === 'local' ? null : await readManifest(location).catch(() => null));
    },
  };
}

/** Describes a LanceDB failure in one line (its messages can span many). */
export function lanceMessage(error: unknown): string {
  return describeError(error).split('\n')[0]!;
}

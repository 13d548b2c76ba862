// Chunk vectors on disk, behind a small interface so that a backend for larger corpora can be
// added later. The one backend today is vectra's LocalIndex: a single JSON file held in memory,
// fine for tens of thousands of chunks. Only `{ paperId }` is stored beside each vector; paper
// text lives in the paper store.
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { IndexItem, LocalIndex } from 'vectra';
import { PapertalkError, describeError } from '../errors.js';

export interface VectorItem {
  id: string;
  paperId: string;
  vector: Float32Array;
}

export interface VectorHit {
  id: string;
  paperId: string;
  /** Cosine similarity, -1..1. */
  score: number;
}

/**
 * `add` and `remove` are buffered until `commit()`; `has`, `ids` and `stats` already reflect
 * them, while `query` searches what was last committed.
 */
export interface VectorStore {
  readonly dim: number;
  /** Buffered until commit(); replaces an item with the same id. */
  add(items: VectorItem[]): void;
  /** Buffered until commit(); unknown ids are ignored. */
  remove(ids: string[]): void;
  /** Writes the buffered changes to disk. */
  commit(): Promise<void>;
  query(vector: Float32Array, k: number): Promise<VectorHit[]>;
  has(id: string): boolean;
  ids(): string[];
  stats(): { items: number; dim: number };
}

/** vectra pulls in HTTP and OpenAI clients (~1 s to import): load it only when vectors are used. */
async function loadVectra(): Promise<typeof import('vectra')> {
  return import('vectra');
}

const INDEX_FILE = 'index.json';
const META_FILE = 'meta.json';
const FORMAT = 1;

interface StoreMeta {
  format: number;
  dim: number;
}

type ItemMetadata = { paperId: string };

const REBUILD_HINT = 'rebuild the index with `papertalk ingest --rebuild`';

class VectraStore implements VectorStore {
  /** Committed and buffered ids, with their paper: what `has`/`ids` answer from. */
  private readonly current: Map<string, string>;
  /** Ids as last committed, to know which ones vectra must delete before re-inserting. */
  private committed: Set<string>;
  /** Buffered changes by id: an item to write, or null to delete. */
  private pending = new Map<string, VectorItem | null>();
  private committing: Promise<unknown> = Promise.resolve();

  constructor(
    readonly dir: string,
    readonly dim: number,
    private readonly index: LocalIndex<ItemMetadata>,
    items: Map<string, string>,
  ) {
    this.current = items;
    this.committed = new Set(items.keys());
  }

  add(items: VectorItem[]): void {
    for (const item of items) {
      if (item.vector.length !== this.dim) {
        throw new PapertalkError(
          'index_model_mismatch',
          `vector for ${item.id} has ${item.vector.length} dimensions but the vector store holds ${this.dim}; ${REBUILD_HINT}`,
        );
      }
      this.pending.set(item.id, item);
      this.current.set(item.id, item.paperId);
    }
  }

  remove(ids: string[]): void {
    for (const id of ids) {
      if (!this.current.has(id)) continue;
      this.pending.set(id, null);
      this.current.delete(id);
    }
  }

  /** Commits run one at a time; a later one waits for the earlier. */
  commit(): Promise<void> {
    const run = this.committing.then(() => this.writePending());
    this.committing = run.catch(() => undefined);
    return run;
  }

  private async writePending(): Promise<void> {
    if (this.pending.size === 0) return;
    // Changes made while this batch is being written belong to the next commit.
    const batch = this.pending;
    this.pending = new Map();
    try {
      await this.index.beginUpdate();
      for (const [id, item] of batch) {
        // Delete then insert rather than upsert: vectra's upsert keeps the old vector's norm.
        if (this.committed.has(id)) await this.index.deleteItem(id);
        if (item) {
          await this.index.insertItem({ id, vector: toJsonVector(item.vector), metadata: { paperId: item.paperId } });
        }
      }
      await this.index.endUpdate();
    } catch (error) {
      this.index.cancelUpdate();
      for (const [id, item] of batch) if (!this.pending.has(id)) this.pending.set(id, item);
      throw new PapertalkError(
        'index_write_failed',
        `could not write the vector store ${path.join(this.dir, INDEX_FILE)}: ${describeError(error)}`,
        { cause: error },
      );
    }
    for (const [id, item] of batch) {
      if (item) this.committed.add(id);
      else this.committed.delete(id);
    }
  }

  /** Resolves once no commit is in flight, so the files on disk are whole. */
  async settled(): Promise<void> {
    await this.committing;
  }

  async query(vector: Float32Array, k: number): Promise<VectorHit[]> {
    if (vector.length !== this.dim) {
      throw new PapertalkError(
        'index_model_mismatch',
        `query vector has ${vector.length} dimensions but the vector store holds ${this.dim}; ${REBUILD_HINT}`,
      );
    }
    if (k <= 0 || this.committed.size === 0) return [];
    const results = await this.index.queryItems(Array.from(vector), '', k);
    return results.map(({ item, score }) => ({ id: item.id, paperId: item.metadata.paperId, score }));
  }

  has(id: string): boolean {
    return this.current.has(id);
  }

  ids(): string[] {
    return [...this.current.keys()];
  }

  stats(): { items: number; dim: number } {
    return { items: this.current.size, dim: this.dim };
  }

  hasPendingChanges(): boolean {
    return this.pending.size > 0;
  }
}

/** Creates a new, empty store in `dir` (created if needed; an existing store there is replaced). */
export async function createVectraStore(dir: string, dim: number): Promise<VectorStore> {
  if (!Number.isInteger(dim) || dim <= 0) throw new RangeError(`vector dimension must be a positive integer, got ${dim}`);
  await mkdir(dir, { recursive: true });
  const index = new (await loadVectra()).LocalIndex<ItemMetadata>(dir);
  await index.createIndex({ version: 1, deleteIfExists: true });
  await writeMeta(dir, dim);
  return new VectraStore(dir, dim, index, new Map());
}

/** Opens the store in `dir`. A missing or damaged file is an `index_corrupt` error naming it. */
export async function openVectraStore(dir: string): Promise<VectorStore> {
  const meta = await readMeta(dir);
  const index = new (await loadVectra()).LocalIndex<ItemMetadata>(dir);
  const indexFile = path.join(dir, INDEX_FILE);
  let items: IndexItem<ItemMetadata>[];
  try {
    items = await index.listItems();
  } catch (error) {
    throw corrupt(indexFile, describeError(error), error);
  }
  const byId = new Map<string, string>();
  for (const item of items) {
    const paperId = item?.metadata?.paperId;
    if (typeof item?.id !== 'string' || typeof paperId !== 'string' || item.vector?.length !== meta.dim) {
      throw corrupt(indexFile, `item ${JSON.stringify(item?.id)} is not a ${meta.dim}-dimensional vector with a paperId`);
    }
    byId.set(item.id, paperId);
  }
  return new VectraStore(dir, meta.dim, index, byId);
}

/**
 * Copies the committed contents of `from` into a new store in `dir`, for a new index
 * generation. `from` stays usable and unchanged; later changes to either do not affect the other.
 */
export async function forkVectraStore(from: VectorStore, dir: string): Promise<VectorStore> {
  if (!(from instanceof VectraStore)) throw new TypeError('forkVectraStore needs a store opened by this module');
  await from.settled();
  if (from.hasPendingChanges()) throw new Error('commit the vector store before forking it');
  if (path.resolve(from.dir) === path.resolve(dir)) throw new Error(`cannot fork a vector store into its own folder ${dir}`);
  await mkdir(dir, { recursive: true });
  // The files are vectra's own output; copying them is the cheapest faithful fork.
  await copyFile(path.join(from.dir, INDEX_FILE), path.join(dir, INDEX_FILE));
  await writeMeta(dir, from.dim);
  return openVectraStore(dir);
}

/**
 * Nine significant digits restore a float32 exactly, and print about half as long as the
 * float64 expansion: vectra's JSON file, its parse and its copy-on-update all shrink with it.
 */
function toJsonVector(vector: Float32Array): number[] {
  return Array.from(vector, (x) => Number(x.toPrecision(9)));
}

async function writeMeta(dir: string, dim: number): Promise<void> {
  const meta: StoreMeta = { format: FORMAT, dim };
  await writeFile(path.join(dir, META_FILE), JSON.stringify(meta));
}

async function readMeta(dir: string): Promise<StoreMeta> {
  const file = path.join(dir, META_FILE);
  let raw: string;
  try {
    raw = await readFile(file, 'utf8');
  } catch (error) {
    throw corrupt(file, describeError(error), error);
  }
  let meta: unknown;
  try {
    meta = JSON.parse(raw);
  } catch (error) {
    throw corrupt(file, 'not valid JSON', error);
  }
  const { format, dim } = (meta ?? {}) as Partial<StoreMeta>;
  if (format !== FORMAT || typeof dim !== 'number' || !Number.isInteger(dim) || dim <= 0) {
    throw corrupt(file, `expected {"format":${FORMAT},"dim":<positive integer>}`);
  }
  return { format, dim };
}

function corrupt(file: string, detail: string, cause?: unknown): PapertalkError {
  return new PapertalkError('index_corrupt', `vector store file ${file} is missing or damaged (${detail}); ${REBUILD_HINT}`, {
    cause,
  });
}

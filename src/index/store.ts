// The on-disk index: papers, chunks, the lexical index and chunk vectors, written as one
// generation folder at a time. `manifest.json` names the live generation; a new generation is
// written beside it and the manifest is renamed over the old one, so a crash or kill at any
// point leaves the previous index loadable.
import { mkdir, readFile, readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { PapertalkError, describeError } from '../errors.js';
import { EMBED_PROVIDERS, type IngestCounts, type Paper } from '../types.js';
import { approximateTokenCount } from '../text/tokens.js';
import { chunkEmbeddingText, chunkPaper, type Chunk } from './chunk.js';
import type { Embedder } from './embedder.js';
import { makeDir, readJsonFile, readJsonLines, writeChunksAtomic, writeFileAtomic, writeJsonLines } from './files.js';
import { LexicalIndex, LexicalLayoutMismatch } from './lexical.js';
import { acquireWriteLock } from './lock.js';
import { countsOf, planIngest, sha1, timeSlicer, type StoredPaper } from './plan.js';
import type { ApplyOptions, EmbeddingInfo } from './backend.js';
import { createVectraStore, forkVectraStore, openVectraStore, type VectorStore } from './vector-store.js';

const FORMAT = 1;
const MANIFEST = 'manifest.json';
const REBUILD = 'papertalk ingest --rebuild';
/** A damaged index cannot rebuild itself: the papers have to come from their source files again. */
const REBUILD_FROM_SOURCES = `${REBUILD} <files or folders of your papers>`;
/** Window used to cut chunks when no embedding model is loaded (MiniLM's 256 less specials). */
const DEFAULT_MAX_TOKENS = 254;
const EMBED_BATCH = 32;

const manifestSchema = z.object({
  format: z.literal(FORMAT),
  /** Absent in indexes written before there was a second backend. */
  backend: z.literal('vectra').optional(),
  generation: z.string().regex(/^g-[a-z0-9-]+$/),
  created_at: z.string(),
  papers: z.number().int().nonnegative(),
  chunks: z.number().int().nonnegative(),
  // Indexes written before Ollama embeddings existed have no provider: theirs was transformers.js.
  embedding: z
    .object({ provider: z.enum(EMBED_PROVIDERS).default('transformers'), model: z.string(), dim: z.number().int().positive() })
    .nullable(),
});
export type IndexManifest = z.infer<typeof manifestSchema>;

export interface StoredChunk extends Chunk {
  /** Hash of the text that gets embedded: a chunk keeps its vector while this stays the same. */
  hash: string;
}

/** One loaded, immutable generation of the index. Searches read it; ingest builds the next one. */
export interface IndexSnapshot {
  dir: string;
  manifest: IndexManifest | null;
  papers: Map<string, StoredPaper>;
  /** Chunks of each paper, in order. */
  chunks: Map<string, StoredChunk[]>;
  chunkCount: number;
  lexical: LexicalIndex;
  vectors: VectorStore | null;
  /** The stored lexical index was made with other analyzer settings and was rebuilt in memory. */
  lexicalRebuilt?: boolean;
}

export { paperHash, type StoredPaper } from './plan.js';
import type { IngestProgress } from './backend.js';
export type { ApplyOptions, IngestPhase, IngestProgress } from './backend.js';

/** Papers indexed between progress reports (and event-loop turns, so a bar can repaint). */
const PROGRESS_EVERY = 250;

export function corrupt(file: string, error: unknown): PapertalkError {
  return new PapertalkError(
    'index_corrupt',
    `the index file ${file} cannot be read (${describeError(error)}); run \`${REBUILD_FROM_SOURCES}\` to rebuild it`,
    { cause: error },
  );
}

export function emptySnapshot(dir: string): IndexSnapshot {
  return { dir, manifest: null, papers: new Map(), chunks: new Map(), chunkCount: 0, lexical: LexicalIndex.empty(), vectors: null };
}

export function readManifest(dir: string): Promise<IndexManifest | null> {
  return readJsonFile(path.join(dir, MANIFEST), manifestSchema, null, corrupt);
}

/** Fails when the index's vectors were made by another model than the one loaded. */
export function checkEmbeddingModel(manifest: { embedding: EmbeddingInfo | null } | null, embedder: Embedder | undefined): void {
  const built = manifest?.embedding;
  if (!built || !embedder) return;
  if (built.provider !== embedder.provider || built.model !== embedder.model || built.dim !== embedder.dim) {
    const keep = built.provider === embedder.provider ? '' : `PAPERTALK_EMBED_PROVIDER=${built.provider} and `;
    throw new PapertalkError(
      'index_model_mismatch',
      `the index was built with embedding model ${built.model} from ${built.provider} (${built.dim} dimensions) but papertalk is set to ${embedder.model} from ${embedder.provider} (${embedder.dim} dimensions); run \`${REBUILD}\` to re-embed with the new model, or set ${keep}PAPERTALK_EMBED_MODEL=${built.model}`,
    );
  }
}

/** Reads one file of a generation; any failure is an `index_corrupt` error naming the file. */
async function loadFile<T>(genDir: string, name: string, read: (file: string) => Promise<T>): Promise<T> {
  const file = path.join(genDir, name);
  try {
    return await read(file);
  } catch (error) {
    if (error instanceof PapertalkError) throw error;
    throw corrupt(file, error);
  }
}

/**
 * Loads the live generation, or an empty index when there is none yet. Another process may
 * make a newer generation live and delete this one while it is being read: then the newer one
 * is read instead of reporting a damaged index.
 */
export async function openIndex(dir: string, embedder?: Embedder): Promise<IndexSnapshot> {
  for (let attempt = 0; ; attempt++) {
    const manifest = await readManifest(dir);
    if (!manifest) return emptySnapshot(dir);
    try {
      return await openGeneration(dir, manifest, embedder);
    } catch (error) {
      const replaced = attempt < 3 && (await readManifest(dir).catch(() => null))?.generation !== manifest.generation;
      if (!replaced) throw error;
    }
  }
}

async function openGeneration(dir: string, manifest: IndexManifest, embedder?: Embedder): Promise<IndexSnapshot> {
  checkEmbeddingModel(manifest, embedder);
  const genDir = path.join(dir, manifest.generation);
  const load = <T>(name: string, read: (file: string) => Promise<T>) => loadFile(genDir, name, read);
  const [paperRows, chunkRows, storedLexical] = await Promise.all([
    load('papers.jsonl', (file) => readJsonLines<StoredPaper>(file)),
    load('chunks.jsonl', (file) => readJsonLines<StoredChunk>(file)),
    load('lexical.json', async (file) => {
      try {
        return LexicalIndex.fromJSON(await readFile(file, 'utf8'));
      } catch (error) {
        // Written by a papertalk with other analyzer settings: rebuilt below from the papers.
        if (error instanceof LexicalLayoutMismatch) return null;
        throw error;
      }
    }),
  ]);
  const vectors = manifest.embedding ? await openVectraStore(path.join(genDir, 'vectors')) : null;

  const papers = new Map(paperRows.map((paper) => [paper.id, paper]));
  const lexical = storedLexical ?? LexicalIndex.empty();
  if (!storedLexical) for (const paper of papers.values()) lexical.add(paper);
  const chunks = new Map<string, StoredChunk[]>();
  for (const chunk of chunkRows) {
    const list = chunks.get(chunk.paperId);
    if (list) list.push(chunk);
    else chunks.set(chunk.paperId, [chunk]);
  }
  if (papers.size !== manifest.papers || chunkRows.length !== manifest.chunks || lexical.size !== papers.size) {
    throw corrupt(path.join(genDir, 'papers.jsonl'), new Error(
      `manifest lists ${manifest.papers} papers and ${manifest.chunks} chunks, files hold ${papers.size} papers, ${chunkRows.length} chunks, ${lexical.size} lexical entries`,
    ));
  }
  return { dir, manifest, papers, chunks, chunkCount: chunkRows.length, lexical, vectors, lexicalRebuilt: !storedLexical };
}

/**
 * Only the papers of the live generation (no chunks, lexical index or vectors): all a rebuild
 * needs, so `ingest --rebuild` works when those are damaged or were made with another model.
 */
export async function openIndexPapers(dir: string): Promise<IndexSnapshot> {
  const manifest = await readManifest(dir);
  if (!manifest) return emptySnapshot(dir);
  const genDir = path.join(dir, manifest.generation);
  const rows = await loadFile(genDir, 'papers.jsonl', (file) => readJsonLines<StoredPaper>(file));
  const papers = new Map(rows.map((paper) => [paper.id, paper]));
  if (papers.size !== manifest.papers) {
    throw corrupt(path.join(genDir, 'papers.jsonl'), new Error(`manifest lists ${manifest.papers} papers, the file holds ${papers.size}`));
  }
  return { ...emptySnapshot(dir), manifest, papers };
}

export function chunksOf(paper: Paper, embedder: Embedder | undefined): StoredChunk[] {
  const count = embedder ? (text: string) => embedder.countTokens(text) : approximateTokenCount;
  const maxTokens = embedder?.maxTokens ?? DEFAULT_MAX_TOKENS;
  return chunkPaper(paper, count, maxTokens).map((chunk) => ({ ...chunk, hash: sha1(chunkEmbeddingText(paper, chunk)) }));
}

function newGenerationName(): string {
  return `g-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}

/**
 * Adds or updates papers and writes the result as a new generation. Only new or changed
 * text is embedded; chunks without a vector (e.g. added while no model was loaded) are
 * embedded too. Returns the new snapshot; `base` stays valid and unchanged. When another
 * process wrote a newer generation than `base`, the papers are applied to that one instead.
 */
export async function applyPapers(
  base: IndexSnapshot,
  incoming: Paper[],
  options: ApplyOptions = {},
): Promise<{ snapshot: IndexSnapshot; counts: IngestCounts }> {
  // A read-only or missing folder fails here, before anything was written.
  const release = await ensureDir(base.dir)
    .then(acquireWriteLock)
    .catch((error: unknown) => {
      throw writeFailed(base.dir, error);
    });
  try {
    // Another process (say `papertalk ingest` beside a running server) may have made a newer
    // generation since `base` was loaded: build on that one, or its papers would be dropped.
    const live = options.rebuild ? base : await latest(base, options.embedder);
    return await applyLocked(live, incoming, options);
  } finally {
    await release();
  }
}

async function latest(base: IndexSnapshot, embedder: Embedder | undefined): Promise<IndexSnapshot> {
  const onDisk = await readManifest(base.dir);
  return onDisk?.generation === base.manifest?.generation ? base : openIndex(base.dir, embedder);
}

async function applyLocked(
  base: IndexSnapshot,
  incoming: Paper[],
  options: ApplyOptions,
): Promise<{ snapshot: IndexSnapshot; counts: IngestCounts }> {
  const { embedder, rebuild = false, onProgress } = options;
  const dir = base.dir;
  if (!rebuild) checkEmbeddingModel(base.manifest, embedder);
  const start = rebuild ? emptySnapshot(dir) : base;

  // Planned first: what is new, what changed, what is already there as it is.
  const former = options.formerAddedAt;
  const plan = await planIngest(incoming, (id) => start.papers.get(id), undefined, (id) =>
    former ? (former.has(id) ? { added_at: former.get(id) } : undefined) : base.papers.get(id),
  );
  const counts = countsOf(plan, 0, 0);
  const papers = new Map(start.papers);
  const chunks = new Map(start.chunks);
  const lexical = await start.lexical.cloneAsync();
  const removedChunkIds: string[] = [];
  const changedPapers = [...plan.added, ...plan.updated];
  // Chunking and lexical analysis run in slices: an ingest inside the server leaves room for searches.
  const yieldSlice = timeSlicer();
  for (const paper of plan.updated) {
    const previous = papers.get(paper.id)!;
    lexical.remove(previous);
    for (const chunk of chunks.get(previous.id) ?? []) removedChunkIds.push(chunk.id);
  }
  for (const [index, paper] of changedPapers.entries()) {
    if (onProgress && index % PROGRESS_EVERY === 0) onProgress(index, changedPapers.length, 'indexing');
    papers.set(paper.id, paper);
    chunks.set(paper.id, chunksOf(paper, embedder));
    lexical.add(paper);
    await yieldSlice();
  }
  counts.total = papers.size;

  // Chunks that need a vector: new or changed text, and any left without one.
  const previousHash = new Map<string, string>();
  if (!rebuild) for (const list of base.chunks.values()) for (const chunk of list) previousHash.set(chunk.id, chunk.hash);
  const carried = rebuild || !base.vectors ? null : base.vectors;
  const toEmbed: { chunk: StoredChunk; paper: StoredPaper }[] = [];
  if (embedder) {
    for (const [paperId, list] of chunks) {
      for (const chunk of list) {
        const hasVector = carried?.has(chunk.id) && previousHash.get(chunk.id) === chunk.hash;
        if (!hasVector) toEmbed.push({ chunk, paper: papers.get(paperId)! });
      }
    }
  }

  // Nothing new and nothing to embed: the live generation already is the result.
  if (!rebuild && base.manifest && changedPapers.length === 0 && toEmbed.length === 0 && !base.lexicalRebuilt) {
    onProgress?.(incoming.length, incoming.length);
    return { snapshot: base, counts };
  }

  const generation = newGenerationName();
  const genDir = path.join(dir, generation);
  let snapshot: IndexSnapshot;
  try {
    await mkdir(genDir, { recursive: true });
    const vectors = await buildVectors({ carried, genDir, embedder, base: start, removedChunkIds, chunks, toEmbed, counts, onProgress, total: incoming.length });
    onProgress?.(incoming.length, incoming.length, 'writing');

    const chunkCount = [...chunks.values()].reduce((sum, list) => sum + list.length, 0);
    await writeJsonLines(path.join(genDir, 'papers.jsonl'), papers.values());
    await writeJsonLines(path.join(genDir, 'chunks.jsonl'), [...chunks.values()].flat());
    await writeChunksAtomic(path.join(genDir, 'lexical.json'), lexical.jsonChunks(await lexical.plainAsync()));
    const embedding = vectors
      ? embedder
        ? { provider: embedder.provider, model: embedder.model, dim: vectors.dim }
        : { ...start.manifest!.embedding!, dim: vectors.dim }
      : null;
    const manifest: IndexManifest = {
      format: FORMAT,
      backend: 'vectra',
      generation,
      created_at: new Date().toISOString(),
      papers: papers.size,
      chunks: chunkCount,
      embedding,
    };
    // The one step that makes the new generation live.
    await writeFileAtomic(path.join(dir, MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`);
    snapshot = { dir, manifest, papers, chunks, chunkCount, lexical, vectors };
  } catch (error) {
    await rm(genDir, { recursive: true, force: true }).catch(() => undefined);
    throw writeFailed(dir, error);
  }
  // From here the write is confirmed: a failing cleanup must neither undo it nor report it failed.
  await removeOtherGenerations(dir, generation).catch(() => undefined);
  return { snapshot, counts };
}

export function writeFailed(dir: string, error: unknown): PapertalkError {
  if (error instanceof PapertalkError) return error;
  return new PapertalkError('index_write_failed', `could not write the index in ${dir}: ${describeError(error)}; the previous index is unchanged`, {
    cause: error,
  });
}

async function ensureDir(dir: string): Promise<string> {
  await makeDir(dir);
  return dir;
}

async function buildVectors(args: {
  carried: VectorStore | null;
  genDir: string;
  embedder: Embedder | undefined;
  base: IndexSnapshot;
  removedChunkIds: string[];
  chunks: Map<string, StoredChunk[]>;
  toEmbed: { chunk: StoredChunk; paper: StoredPaper }[];
  counts: IngestCounts;
  total: number;
  onProgress?: IngestProgress;
}): Promise<VectorStore | null> {
  const { carried, genDir, embedder, removedChunkIds, chunks, toEmbed, counts, total, onProgress } = args;
  const vectorDir = path.join(genDir, 'vectors');
  let vectors: VectorStore | null = null;
  if (carried) vectors = await forkVectraStore(carried, vectorDir);
  else if (embedder) vectors = await createVectraStore(vectorDir, embedder.dim);
  if (!vectors) return null;

  // Drop vectors of chunks that changed or no longer exist.
  const live = new Set<string>();
  for (const list of chunks.values()) for (const chunk of list) live.add(chunk.id);
  vectors.remove([...removedChunkIds.filter((id) => !live.has(id)), ...vectors.ids().filter((id) => !live.has(id))]);

  if (embedder) {
    const papersToEmbed = new Set(toEmbed.map((item) => item.paper.id));
    const donePapers = new Set<string>();
    for (let i = 0; i < toEmbed.length; i += EMBED_BATCH) {
      const batch = toEmbed.slice(i, i + EMBED_BATCH);
      const embeddings = await embedder.embed(batch.map(({ paper, chunk }) => chunkEmbeddingText(paper, chunk)));
      vectors.add(batch.map(({ chunk }, j) => ({ id: chunk.id, paperId: chunk.paperId, vector: embeddings[j]! })));
      counts.embedded += batch.length;
      for (const { paper } of batch) donePapers.add(paper.id);
      if (onProgress && total > 0) onProgress(Math.floor((donePapers.size / papersToEmbed.size) * total), total, 'embedding');
    }
  }
  await vectors.commit();
  return vectors;
}

/**
 * Removes every generation folder but the live one (old ones, and any left by a crashed ingest)
 * and temp manifests a crash left behind. Runs under the write lock, so no writer is using them.
 */
async function removeOtherGenerations(dir: string, written: string): Promise<void> {
  // Whatever the manifest names now is kept too, even if it is not the one just written: the
  // folder the manifest names must never be deleted, whatever went wrong elsewhere.
  const named = (await readManifest(dir).catch(() => null))?.generation;
  const keep = new Set([written, named]);
  const entries = await readdir(dir, { withFileTypes: true });
  const stale = entries.filter((entry) =>
    entry.isDirectory() ? entry.name.startsWith('g-') && !keep.has(entry.name) : entry.name.startsWith(`.${MANIFEST}.`) && entry.name.endsWith('.tmp'),
  );
  await Promise.all(stale.map((entry) => rm(path.join(dir, entry.name), { recursive: true, force: true })));
}

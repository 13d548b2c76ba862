// The small-corpus backend: papers, chunks and MiniSearch's lexical index in memory, vectors
// in vectra, written as whole generation folders (store.ts). Fast to open up to tens of
// thousands of papers; beyond that use the LanceDB backend.
import { readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import type { Paper } from '../types.js';
import type { BackendOptions, IndexBackend, IndexReader, LexicalQuery, VectorMatch } from './backend.js';
import type { Embedder } from './embedder.js';
import { applyPapers, emptySnapshot, openIndex, openIndexPapers, readManifest, type IndexSnapshot, type StoredPaper } from './store.js';

function strip({ hash: _hash, ...paper }: StoredPaper): Paper {
  return paper;
}

/** The reader over one loaded generation; `snapshot` stays reachable for the writer and for tests. */
export class VectraReader implements IndexReader {
  readonly backend = 'vectra' as const;
  private byTitle?: Map<string, string>;

  constructor(
    readonly snapshot: IndexSnapshot,
    private readonly options: BackendOptions,
  ) {}

  get dir() {
    return this.snapshot.dir;
  }
  get generation() {
    return this.snapshot.manifest?.generation ?? null;
  }
  get embedding() {
    return this.snapshot.manifest?.embedding ?? null;
  }
  get papers() {
    return this.snapshot.papers.size;
  }
  get chunks() {
    return this.snapshot.chunkCount;
  }
  get needsRewrite() {
    return Boolean(this.snapshot.lexicalRebuilt);
  }
  get vectors() {
    return this.snapshot.vectors?.stats().items ?? 0;
  }

  async getPaper(id: string) {
    const paper = this.snapshot.papers.get(id);
    return paper && strip(paper);
  }

  async getPapers(ids: string[]) {
    const found = new Map<string, Paper>();
    for (const id of ids) {
      const paper = this.snapshot.papers.get(id);
      if (paper) found.set(id, strip(paper));
    }
    return found;
  }

  async paperDates() {
    return new Map([...this.snapshot.papers.values()].map((paper) => [paper.id, paper.date]));
  }

  async listPapers(offset: number, limit: number) {
    // Walk to the page instead of copying every paper for each request.
    const papers: Paper[] = [];
    let index = 0;
    for (const paper of this.snapshot.papers.values()) {
      if (index >= offset + limit) break;
      if (index++ >= offset) papers.push(strip(paper));
    }
    return papers;
  }

  async lexicalSearch(query: LexicalQuery, k: number) {
    return this.snapshot.lexical.searchTerms(query.weights, k);
  }

  idf(term: string) {
    return this.snapshot.lexical.idf(term);
  }

  docFrequency(term: string) {
    return this.snapshot.lexical.docFrequency(term);
  }

  async vectorSearch(vector: Float32Array, k: number): Promise<VectorMatch[]> {
    const vectors = this.snapshot.vectors;
    if (!vectors) return [];
    const hits = await vectors.query(vector, k);
    return hits.map((hit) => {
      const chunk = this.snapshot.chunks.get(hit.paperId)?.find((c) => c.id === hit.id);
      return { ...hit, span: chunk && { start: chunk.start, end: chunk.end } };
    });
  }

  async paperIdByTitleKey(key: string) {
    // Built once per generation, on the first exact-title lookup.
    if (!this.byTitle) {
      this.byTitle = new Map();
      for (const paper of this.snapshot.papers.values()) this.byTitle.set(this.options.titleKey(paper.title), paper.id);
    }
    return this.byTitle.get(key);
  }
}

export function vectraBackend(options: BackendOptions): IndexBackend {
  const reader = (snapshot: IndexSnapshot) => new VectraReader(snapshot, options);
  const snapshotOf = (base: IndexReader) => {
    if (!(base instanceof VectraReader)) throw new TypeError('the vectra backend writes on a vectra reader');
    return base.snapshot;
  };
  return {
    name: 'vectra',
    empty: (dir: string) => reader(emptySnapshot(dir)),
    open: async (dir: string, embedder: Embedder | undefined) => reader(await openIndex(dir, embedder)),
    openPapers: async (dir: string) => reader(await openIndexPapers(dir)),
    committedGeneration: async (dir: string) => (await readManifest(dir))?.generation ?? null,
    async apply(base, papers, applyOptions) {
      const { snapshot, counts } = await applyPapers(snapshotOf(base), papers, applyOptions);
      return { reader: reader(snapshot), counts };
    },
    async removeFiles(dir: string) {
      const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
      const ours = entries.filter((entry) => entry.isDirectory() && entry.name.startsWith('g-'));
      await Promise.all(ours.map((entry) => rm(path.join(dir, entry.name), { recursive: true, force: true })));
    },
  };
}

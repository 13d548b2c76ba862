// An ingest is planned before anything is written: which incoming papers are new, which changed
// and which the index already holds as they are. Both backends write from the same plan.
import { createHash } from 'node:crypto';
import type { IngestCounts, Paper } from '../types.js';

export interface StoredPaper extends Paper {
  /** Hash of the paper's content: a changed hash is an update. */
  hash: string;
}

export interface IngestPlan {
  added: StoredPaper[];
  /** Papers whose content changed: their old chunks and vectors go. */
  updated: StoredPaper[];
  unchanged: number;
}

export function sha1(text: string): string {
  return createHash('sha1').update(text).digest('hex');
}

export function paperHash(paper: Paper): string {
  const base = [paper.title, paper.abstract, paper.date ?? null, paper.url ?? null, paper.authors ?? null];
  // Fields added later join the hash only when present, so papers of older indexes keep theirs.
  const extra = paper.upvotes !== undefined || paper.categories || paper.arxiv_url ? [paper.upvotes ?? null, paper.categories ?? null, paper.arxiv_url ?? null] : [];
  return sha1(JSON.stringify([...base, ...extra]));
}

/** What the index already knows of a paper: its content hash and when it was first added. */
export interface Known {
  hash?: string;
  added_at?: string;
}

/**
 * Diffs `incoming` against what the index holds (`knownOf` an id: its stored hash and added_at, or undefined).
 * A paper given twice counts once, the later copy winning, as when a later file overrides.
 */
export async function planIngest(
  incoming: Paper[],
  knownOf: (id: string) => Known | undefined,
  pause = timeSlicer(),
  /** For a rebuild: the papers of the index being replaced, whose added_at carries over. */
  formerOf: (id: string) => Known | undefined = () => undefined,
): Promise<IngestPlan> {
  const now = new Date().toISOString();
  const latest = new Map<string, Paper>();
  for (const paper of incoming) {
    latest.delete(paper.id);
    latest.set(paper.id, paper);
  }
  const plan: IngestPlan = { added: [], updated: [], unchanged: incoming.length - latest.size };
  for (const { added_at: _given, ...input } of latest.values()) {
    const known = knownOf(input.id);
    // "Added at" is the index's own record (what `new` lists): kept through updates and rebuilds.
    // Papers of indexes older than this field stay without one (unknown, never "new").
    const addedAt = known ? known.added_at : (formerOf(input.id) ?? { added_at: now }).added_at;
    const paper: StoredPaper = { ...input, hash: paperHash(input), ...(addedAt && { added_at: addedAt }) };
    const previous = known?.hash;
    if (previous === paper.hash) plan.unchanged++;
    else (known === undefined ? plan.added : plan.updated).push(paper);
    await pause();
  }
  return plan;
}

export function countsOf(plan: IngestPlan, total: number, embedded: number): IngestCounts {
  return { added: plan.added.length, updated: plan.updated.length, unchanged: plan.unchanged, total, embedded };
}

/**
 * Yields to the event loop when the current slice of synchronous work has run `sliceMs`: a long
 * ingest inside the server must leave room for searches between its slices.
 */
export function timeSlicer(sliceMs = 8): () => Promise<void> {
  let sliceStart = performance.now();
  return async () => {
    if (performance.now() - sliceStart < sliceMs) return;
    await new Promise<void>((resolve) => setImmediate(resolve));
    sliceStart = performance.now();
  };
}

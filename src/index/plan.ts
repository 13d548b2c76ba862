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
  return sha1(JSON.stringify([paper.title, paper.abstract, paper.date ?? null, paper.url ?? null, paper.authors ?? null]));
}

/**
 * Diffs `incoming` against what the index holds (`hashOf` an id: its stored hash, or undefined).
 * A paper given twice counts once, the later copy winning, as when a later file overrides.
 */
export async function planIngest(incoming: Paper[], hashOf: (id: string) => string | undefined, pause = timeSlicer()): Promise<IngestPlan> {
  const latest = new Map<string, Paper>();
  for (const paper of incoming) {
    latest.delete(paper.id);
    latest.set(paper.id, paper);
  }
  const plan: IngestPlan = { added: [], updated: [], unchanged: incoming.length - latest.size };
  for (const input of latest.values()) {
    const paper: StoredPaper = { ...input, hash: paperHash(input) };
    const previous = hashOf(paper.id);
    if (previous === paper.hash) plan.unchanged++;
    else (previous === undefined ? plan.added : plan.updated).push(paper);
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

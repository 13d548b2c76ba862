// An ingest as a stream of paper batches: the pieces a read yields become papers (ids, cleaned
// fields, one per id within a piece), and what the report lists is gathered on the way (the
// stored ids, updated ids, damage warnings) without ever holding the whole corpus.
import type { Paper, PaperInput } from '../types.js';
import { MAX_REPORTED_IDS } from '../types.js';
import { paperChanges, type UpdateWarning } from './changes.js';
import { toPapersInSlices } from './to-papers.js';

export interface BatchTally {
  /** The ids the papers are stored under, in input order, the first MAX_REPORTED_IDS. */
  ids: string[];
  /** Each indexed paper given, in input order: whether its last copy changes it, and any damage warning. */
  verdicts: Map<string, { changed: boolean; warning?: UpdateWarning }>;
}

export function emptyTally(): BatchTally {
  return { ids: [], verdicts: new Map() };
}

/** Ids of indexed papers the ingest changes, in input order. */
export function updatedIds(tally: BatchTally): string[] {
  return [...tally.verdicts].filter(([, verdict]) => verdict.changed).map(([id]) => id);
}

export function warningsOf(tally: BatchTally): UpdateWarning[] {
  return [...tally.verdicts.values()].flatMap((verdict) => (verdict.changed && verdict.warning ? [verdict.warning] : []));
}

/** Paper inputs (as read) to papers, piece by piece, yielding to the event loop in between papers. */
export async function* papersOf(pieces: AsyncIterable<PaperInput[]>, pause: () => Promise<void>): AsyncGenerator<Paper[]> {
  for await (const inputs of pieces) yield await toPapersInSlices(inputs, pause);
}

/**
 * Passes `batches` through, comparing each with what the index held before the ingest
 * (`indexed` looks papers up by id) into `tally`. Empty batches are dropped.
 */
export async function* tallied(batches: AsyncIterable<Paper[]>, indexed: (ids: string[]) => Promise<Map<string, Paper>>, tally: BatchTally): AsyncGenerator<Paper[]> {
  const reported = new Set<string>();
  for await (const batch of batches) {
    if (batch.length === 0) continue;
    for (const paper of batch) {
      if (reported.size >= MAX_REPORTED_IDS) break;
      if (!reported.has(paper.id)) tally.ids.push(paper.id);
      reported.add(paper.id);
    }
    const known = await indexed(batch.map((paper) => paper.id));
    const changes = paperChanges((id) => known.get(id), batch);
    const changed = new Set(changes.updated);
    const warnings = new Map(changes.warnings.map((warning) => [warning.id, warning]));
    // A later copy of a paper decides (a later file overrides an earlier one).
    for (const paper of batch) if (known.has(paper.id)) tally.verdicts.set(paper.id, { changed: changed.has(paper.id), warning: warnings.get(paper.id) });
    yield batch;
  }
}

/** `first`, then the rest of `rest`: a stream whose first batch was read ahead. */
export async function* prepended<T>(first: T, rest: AsyncIterable<T>): AsyncGenerator<T> {
  yield first;
  yield* rest;
}

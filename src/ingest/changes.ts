// What an ingest changes for papers already indexed: which were updated, and which updates
// look like damage (an abstract cut short by a truncated copy of the same listing).
import type { Paper } from '../types.js';

export interface UpdateWarning {
  id: string;
  message: string;
}

export interface PaperChanges {
  /** Ids of indexed papers whose content the ingest changes, in input order. */
  updated: string[];
  warnings: UpdateWarning[];
}

const FIELDS = ['title', 'abstract', 'date', 'url', 'authors'] as const;

/** Compare incoming papers with what the index holds (`indexed` looks a paper up by id). */
export function paperChanges(indexed: (id: string) => Paper | undefined, incoming: readonly Paper[]): PaperChanges {
  const updated: string[] = [];
  const warnings: UpdateWarning[] = [];
  for (const paper of incoming) {
    const before = indexed(paper.id);
    if (!before) continue;
    const changed = FIELDS.filter((name) => JSON.stringify(before[name]) !== JSON.stringify(paper[name]));
    if (changed.length === 0) continue;
    updated.push(paper.id);
    const shrunk = shrankToPrefix(before.abstract, paper.abstract);
    if (shrunk) warnings.push({ id: paper.id, message: shrunk });
  }
  return { updated, warnings };
}

/** A new abstract that is the start of the old one: most likely a cut-off copy, not a revision. */
function shrankToPrefix(before: string, after: string): string | undefined {
  // A trailing "…" or "..." is how truncated copies usually end.
  const stem = after.replace(/\s*(?:…|\.\.\.)$/, '');
  if (after.length >= before.length || !before.startsWith(stem)) return undefined;
  return `abstract shrank from ${before.length} to ${after.length} characters and is the start of the old one: a truncated copy? The old abstract was replaced; re-ingest the full source to restore it`;
}

// One paper seen by several sources (Hugging Face and arXiv share the arXiv id): the newest
// source's fields win where it has them, the rest are kept, and the first link and date stay,
// so importing from both sides in any order settles on one stable paper.
import type { Paper } from '../types.js';

export function mergePaper(known: Paper | undefined, incoming: Paper): Paper {
  if (!known) return incoming;
  const { added_at: _added, ...kept } = known as Paper & { hash?: string };
  delete (kept as { hash?: string }).hash;
  const merged: Paper = { ...kept };
  for (const [key, value] of Object.entries(incoming) as [keyof Paper, Paper[keyof Paper]][]) {
    if (value !== undefined) (merged as unknown as Record<string, unknown>)[key] = value;
  }
  if (known.url) merged.url = known.url;
  if (known.date) merged.date = known.date;
  return merged;
}

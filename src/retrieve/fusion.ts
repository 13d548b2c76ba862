// Reciprocal rank fusion (Cormack et al., 2009): robust to retrievers whose scores live on
// different scales (BM25 vs cosine), and needs no per-corpus calibration.

export const RRF_K = 60;

export interface Ranked {
  id: string;
}

/** Fuses ranked lists into one ranking; each id's score is the sum of 1 / (RRF_K + rank). */
export function reciprocalRankFusion(lists: Ranked[][], k = RRF_K): { id: string; score: number }[] {
  const scores = new Map<string, number>();
  for (const list of lists) {
    list.forEach((item, index) => {
      scores.set(item.id, (scores.get(item.id) ?? 0) + 1 / (k + index + 1));
    });
  }
  return [...scores]
    .map(([id, score]) => ({ id, score }))
    .sort((a, b) => b.score - a.score || (a.id < b.id ? -1 : 1));
}

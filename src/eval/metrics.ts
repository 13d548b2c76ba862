// Ranking metrics with trec_eval semantics (the ones BEIR reports through pytrec_eval): binary
// or graded qrels, a document counts as relevant when its grade is above 0, gains are the
// grades themselves, and every judged query counts (one with no run, or no hit, scores 0).

/** Relevance grades of one query: document id -> grade. */
export type Judgments = ReadonlyMap<string, number>;
/** Relevance grades by query id. */
export type Qrels = ReadonlyMap<string, Judgments>;
/** Ranked document ids by query id, best first. */
export type Run = ReadonlyMap<string, readonly string[]>;

function relevantCount(judgments: Judgments): number {
  let count = 0;
  for (const grade of judgments.values()) if (grade > 0) count++;
  return count;
}

/** trec_eval's ndcg_cut_k: DCG = sum of grade / log2(rank + 1) over ranks 1..k, over the ideal DCG from the qrels. */
export function ndcgAt(ranking: readonly string[], judgments: Judgments, k: number): number {
  let dcg = 0;
  ranking.slice(0, k).forEach((id, index) => {
    const grade = judgments.get(id) ?? 0;
    if (grade > 0) dcg += grade / Math.log2(index + 2);
  });
  const ideal = [...judgments.values()]
    .filter((grade) => grade > 0)
    .sort((a, b) => b - a)
    .slice(0, k)
    .reduce((sum, grade, index) => sum + grade / Math.log2(index + 2), 0);
  return ideal === 0 ? 0 : dcg / ideal;
}

/** Share of the relevant documents found in the top k. */
export function recallAt(ranking: readonly string[], judgments: Judgments, k: number): number {
  const relevant = relevantCount(judgments);
  if (relevant === 0) return 0;
  const found = ranking.slice(0, k).filter((id) => (judgments.get(id) ?? 0) > 0).length;
  return found / relevant;
}

/** Reciprocal rank of the first relevant document within the top k, else 0. */
export function reciprocalRankAt(ranking: readonly string[], judgments: Judgments, k: number): number {
  const index = ranking.slice(0, k).findIndex((id) => (judgments.get(id) ?? 0) > 0);
  return index < 0 ? 0 : 1 / (index + 1);
}

export interface QualityScores {
  'nDCG@10': number;
  'Recall@10': number;
  'Recall@100': number;
  'MRR@10': number;
  /** Judged queries averaged over. */
  queries: number;
}

/** Per-query scores, for comparing two runs query by query. */
export function scoreQuery(ranking: readonly string[], judgments: Judgments): Omit<QualityScores, 'queries'> {
  return {
    'nDCG@10': ndcgAt(ranking, judgments, 10),
    'Recall@10': recallAt(ranking, judgments, 10),
    'Recall@100': recallAt(ranking, judgments, 100),
    'MRR@10': reciprocalRankAt(ranking, judgments, 10),
  };
}

/**
 * Mean of each metric over every query in the qrels that has a relevant document, as
 * `trec_eval -c` does: a query missing from the run scores 0. A run's ranking is taken in
 * the order given (the product's own tie-breaking), not re-sorted.
 */
export function evaluateRun(run: Run, qrels: Qrels): QualityScores {
  const totals = { 'nDCG@10': 0, 'Recall@10': 0, 'Recall@100': 0, 'MRR@10': 0 };
  let queries = 0;
  for (const [queryId, judgments] of qrels) {
    if (relevantCount(judgments) === 0) continue;
    queries++;
    const scores = scoreQuery(run.get(queryId) ?? [], judgments);
    for (const key of Object.keys(totals) as (keyof typeof totals)[]) totals[key] += scores[key];
  }
  const mean = (sum: number) => (queries === 0 ? 0 : sum / queries);
  return {
    'nDCG@10': mean(totals['nDCG@10']),
    'Recall@10': mean(totals['Recall@10']),
    'Recall@100': mean(totals['Recall@100']),
    'MRR@10': mean(totals['MRR@10']),
    queries,
  };
}

// Tried while tuning lexical search (bench/tune-lexical.ts --rm3) and NOT adopted: on SciFact's
// train split it lowered nDCG@10 (0.6837 -> 0.6760 at original weight 0.7) while raising Recall@100.
// Pseudo-relevance feedback (RM3, Abdul-Jaleel et al. 2004; Lavrenko & Croft's relevance
// model): the top papers of a first BM25 pass suggest more terms, and the query is run again
// with them mixed in. It finds papers that say the same thing in other words.
import type { LexicalHit, LexicalIndex } from '../../src/index/lexical.js';
import type { Paper } from '../../src/types.js';

export interface FeedbackSettings {
  /** Papers of the first pass used as feedback. */
  docs: number;
  /** Expansion terms kept. */
  terms: number;
  /** Weight of the original query in the mix (1: no feedback). */
  originalWeight: number;
}

/** Relative term weights of a query: each analyzed term's share of the query. */
function queryModel(terms: string[]): Map<string, number> {
  const model = new Map<string, number>();
  for (const term of terms) model.set(term, (model.get(term) ?? 0) + 1 / terms.length);
  return model;
}

/**
 * The relevance model: sum over feedback papers of P(term | paper) x the paper's share of
 * the first-pass score mass, cut to the strongest terms and renormalized.
 */
function relevanceModel(hits: LexicalHit[], termsOf: (id: string) => string[], keep: number): Map<string, number> {
  const total = hits.reduce((sum, hit) => sum + hit.score, 0);
  const model = new Map<string, number>();
  if (total <= 0) return model;
  for (const hit of hits) {
    const terms = termsOf(hit.id);
    if (terms.length === 0) continue;
    const weight = hit.score / total / terms.length;
    for (const term of terms) model.set(term, (model.get(term) ?? 0) + weight);
  }
  const top = [...model].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, keep);
  const mass = top.reduce((sum, [, weight]) => sum + weight, 0);
  return new Map(top.map(([term, weight]) => [term, weight / mass]));
}

/** BM25 with RM3 expansion; falls back to the plain ranking when the first pass finds nothing. */
export function searchWithFeedback(
  lexical: LexicalIndex,
  paperOf: (id: string) => Pick<Paper, 'title' | 'abstract'> | undefined,
  queryTerms: string[],
  query: string,
  k: number,
  settings: FeedbackSettings,
): LexicalHit[] {
  const first = lexical.search(query, Math.max(k, settings.docs));
  if (settings.originalWeight >= 1 || first.length === 0 || queryTerms.length === 0) return first.slice(0, k);
  const feedback = relevanceModel(
    first.slice(0, settings.docs),
    (id) => {
      const paper = paperOf(id);
      return paper ? lexical.termsOfPaper(paper) : [];
    },
    settings.terms,
  );
  const mixed = new Map<string, number>();
  for (const [term, weight] of queryModel(queryTerms)) mixed.set(term, settings.originalWeight * weight);
  for (const [term, weight] of feedback) mixed.set(term, (mixed.get(term) ?? 0) + (1 - settings.originalWeight) * weight);
  return lexical.searchTerms(mixed, k);
}

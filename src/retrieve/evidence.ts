// Signals of how well the corpus matches a question as a whole, for the answer step's "is this
// covered?" decision. Each is on a scale that means the same for every question (shares of the
// question's weight, cosines, standard deviations), unlike BM25 sums or fused RRF scores.
import type { IndexReader } from '../index/backend.js';
import { lexicalDefaults } from '../index/lexical.js';
import { isGenericTerm } from '../text/framing-words.js';
import type { RetrievalEvidence } from '../types.js';
import type { UnderstoodQuery } from './query.js';
import { round, type PaperRanking } from './hit.js';

/** Distinct query terms with their weight for coverage and snippets: idf x the understood weight. */
export function weightedTerms(understood: UnderstoodQuery, lexical: Pick<IndexReader, 'idf'>): Map<string, number> {
  const terms = new Map<string, number>();
  for (const [term, weight] of understood.weights) terms.set(term, lexical.idf(term) * Math.min(weight, 1));
  return terms;
}

/** Lexical candidates whose coverage counts (the top of the ranking, not just the first). */
const COVERAGE_DEPTH = 5;

export function retrievalEvidence(
  index: IndexReader,
  understood: UnderstoodQuery,
  terms: Map<string, number>,
  lexical: readonly PaperRanking[],
  dense: readonly PaperRanking[],
): RetrievalEvidence {
  // Words named back to the user: their own content words, not a framing word or a word added for them.
  const nameable = (term: string) => understood.surface.has(term) && !isGenericTerm(term);
  let total = 0;
  let known = 0;
  const unknown: string[] = [];
  for (const [term, weight] of terms) {
    total += weight;
    if (index.docFrequency(term) > 0) known += weight;
    else if (nameable(term)) unknown.push(understood.surface.get(term)!);
  }
  // The most a question can score in BM25: every word at its full saturation, idf x (k1 + 1).
  let attainable = 0;
  for (const [term, weight] of understood.weights) attainable += weight * index.idf(term) * (lexicalDefaults.k1 + 1);
  const topBm25 = Math.max(0, ...lexical.map((hit) => hit.bm25 ?? 0));
  // Coverage among the first lexical candidates whatever the mode and k, so that a search and a
  // chat turn over one question see the same number; first by BM25 itself, so that the rerank's
  // bonuses (proximity, title) do not move the thresholds calibrated on it.
  let topCoverage = 0;
  const inTop = new Set<string>();
  const byBm25 = [...lexical].sort((a, b) => (b.bm25 ?? b.score) - (a.bm25 ?? a.score));
  for (const hit of byBm25.slice(0, COVERAGE_DEPTH)) {
    const present = new Set(hit.matched);
    let found = 0;
    for (const [term, weight] of terms) {
      if (!present.has(term)) continue;
      found += weight;
      inTop.add(term);
    }
    topCoverage = Math.max(topCoverage, total === 0 ? 0 : found / total);
  }
  // What the closest papers lack though the corpus has it: the words a caveat names.
  const unmatched = [...terms]
    .filter(([term]) => !inTop.has(term) && nameable(term) && index.docFrequency(term) > 0)
    .sort((a, b) => b[1] - a[1])
    .map(([term]) => understood.surface.get(term)!);
  return {
    known_terms: round(total === 0 ? 0 : known / total),
    unknown_terms: unknown,
    unmatched_terms: [...new Set(unmatched)],
    top_coverage: round(topCoverage),
    lexical_strength: round(attainable === 0 ? 0 : Math.min(1, topBm25 / attainable)),
    ...denseEvidence(dense),
  };
}

/** The best cosine, and how far it stands out from the rest of the candidates. */
function denseEvidence(dense: readonly PaperRanking[]): Pick<RetrievalEvidence, 'dense_top' | 'dense_z'> {
  if (dense.length === 0) return {};
  const scores = dense.map((hit) => hit.score);
  const top = Math.max(...scores);
  const rest = scores.filter((score) => score !== top);
  if (rest.length < 2) return { dense_top: round(top) };
  const mean = rest.reduce((sum, s) => sum + s, 0) / rest.length;
  const sd = Math.sqrt(rest.reduce((sum, s) => sum + (s - mean) ** 2, 0) / rest.length);
  return { dense_top: round(top), dense_z: round(sd === 0 ? 0 : (top - mean) / sd) };
}

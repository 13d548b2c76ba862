// "Does the corpus answer this?" A graded decision from what retrieval saw of the question
// (RetrievalEvidence), made before any LLM is asked: covered (answer), partly covered (answer
// with a caveat), or not covered (say so, offer the closest papers as possibly unrelated).
import type { RetrievalEvidence } from '../types.js';

export type CoverageVerdict = 'covered' | 'partial' | 'none';

export interface CoverageDecision {
  verdict: CoverageVerdict;
  /** The match score the verdict was read from (see matchScore). */
  score: number;
  /** Why, in words a user can read: for "none", what was missing. */
  reason: string;
}

/**
 * Three views of how much of the question the corpus holds, each 0..1 and comparable across
 * questions: the best share of the question's words in one paper (top_coverage), the best BM25
 * score over what the question could score at most (lexical_strength: also counts how often the
 * words occur), and the share of its words found anywhere in the corpus (known_terms, weighted
 * less: a paraphrase uses words the abstract does not).
 */
export function matchScore(evidence: RetrievalEvidence): number {
  return evidence.top_coverage + evidence.lexical_strength + KNOWN_TERMS_WEIGHT * evidence.known_terms;
}

const KNOWN_TERMS_WEIGHT = 0.3;

/**
 * Thresholds on matchScore, chosen on the tune half of bench/questions (64 known-item, 25 topical,
 * 26 out-of-corpus questions; `npm run bench:answers` prints these distributions and the test
 * half's results). Tune half: known-item min 0.60, p10 0.64; topical min 0.76; other fields
 * (cooking, law, wet-lab biology) max 0.49; same-field near misses min 0.37, p50 0.62, max 0.91.
 * At 0.6 every in-corpus question of the tune half is answered and every other-field question
 * refused; near misses overlap the in-corpus questions (without an embedding model the words
 * are all there is), so the band up to COVERED is answered with a caveat rather than refused: a
 * false refusal hides papers the user asked for, a caveat costs a line. Raising the bar to 0.65
 * would refuse 8% of the tune half's in-corpus questions to refuse 12% more near misses.
 */
export const NOT_COVERED_BELOW = 0.6;
export const COVERED_FROM = 0.8;

export function decideCoverage(evidence: RetrievalEvidence): CoverageDecision {
  const score = Math.round(matchScore(evidence) * 1000) / 1000;
  if (score >= COVERED_FROM) return { verdict: 'covered', score, reason: 'the top papers share most of the question’s words' };
  if (score >= NOT_COVERED_BELOW) {
    const lacking = [...evidence.unknown_terms, ...evidence.unmatched_terms].slice(0, 3).map((word) => `“${word}”`);
    const reason =
      lacking.length > 0 ? `none of the closest papers mentions ${listOf(lacking)}` : 'the closest papers share only part of the question’s words';
    return { verdict: 'partial', score, reason };
  }
  const missing = evidence.unknown_terms.slice(0, 4).map((word) => `“${word}”`);
  const reason =
    missing.length > 0
      ? `no indexed paper mentions ${listOf(missing)}, and the closest ones share few of its other words`
      : 'the closest papers share only a few of its words';
  return { verdict: 'none', score, reason };
}

function listOf(items: string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} or ${items.at(-1)}`;
}

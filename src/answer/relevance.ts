// "Nothing relevant": when no retrieved paper covers enough of the question, the answer says the
// indexed papers do not cover it instead of asking the LLM to make something of unrelated abstracts.
import type { SearchHit } from '../types.js';

/**
 * Smallest idf-weighted query coverage (SearchHit.coverage) among the retrieved papers for the
 * question to count as covered. Measured by test/answer-thresholds.test.ts on the sample corpus
 * (lexical search, best coverage among the top 6):
 *   24 paraphrased questions about sample papers: min 0.33, p10 0.53, p50 0.91
 *   24 out-of-corpus questions (cooking, tax law, football, …): p50 0.25, p90 0.35, max 0.47
 * 0.5 sits in the gap: every out-of-corpus question falls below, 23 of 24 in-corpus ones above
 * (the one below, 0.33, is a question lexical search does not answer well anyway).
 * The gap is narrow (0.47 vs 0.53): re-measure when the analyzer or coverage changes.
 */
export const MIN_RELEVANT_COVERAGE = 0.5;

export function isRelevant(hits: readonly SearchHit[]): boolean {
  return hits.some((hit) => hit.coverage >= MIN_RELEVANT_COVERAGE);
}

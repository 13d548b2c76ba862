// "Nothing relevant": when no retrieved paper covers enough of the question, the answer says the
// indexed papers do not cover it instead of asking the LLM to make something of unrelated abstracts.
import type { SearchHit } from '../types.js';

/**
 * Smallest idf-weighted query coverage (SearchHit.coverage) of the best hit for the question to
 * count as covered. Measured by test/answer-thresholds.test.ts on the sample corpus: see there.
 */
export const MIN_RELEVANT_COVERAGE = 0.5;

export function isRelevant(hits: readonly SearchHit[]): boolean {
  return hits.some((hit) => hit.coverage >= MIN_RELEVANT_COVERAGE);
}

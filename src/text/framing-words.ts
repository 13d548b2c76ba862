// Words that frame a question or describe papers in general rather than their subject
// ("which paper", "is there work on", "good"). Query understanding weighs them down, follow-ups
// and extractive answers look past them, and the page does not highlight them.
import { analyzeQuery, queryTermsOf } from './analyzer.js';

/**
 * Words that frame a question or describe papers in general rather than their subject. Kept (a
 * question made only of them still searches), at a small weight. English stopwords ("how",
 * "which", "is", "there") are already dropped by the analyzer.
 */
const GENERIC_WORDS = `
  paper papers work works research study studies article articles publication publications literature
  remember recall reading read saw seen came across looking look find finding found
  know want need wondering wonder curious tell explain show shows showed shown showing
  propose proposes proposed introduce introduces introduced present presents presented
  good great nice pick choose chose picking choosing way ways thing things something anything anyone someone folks
  kind sort recent recently latest
  use uses using used make makes making made get gets getting help helps helping lot lots
  actually really basically exactly maybe probably also still even just like
  question questions answer answers example examples mention mentions mentioned talk talks cite cited author authors
`;

const genericTerms = new Set(GENERIC_WORDS.split(/\s+/).filter(Boolean).flatMap((word) => queryTermsOf(word)));

/** Whether an analyzed query term is a question-framing word. */
export function isGenericTerm(term: string): boolean {
  return genericTerms.has(term);
}

/**
 * The terms a reader should see marked in a result: the question's content terms, or all of
 * them when it is made only of framing words (then those are what search matched on).
 */
export function highlightTerms(question: string): Set<string> {
  const all = analyzeQuery(question);
  const content = all.filter((term) => !genericTerms.has(term));
  return new Set(content.length > 0 ? content : all);
}

// A paper whose title names what the question asks about is usually the paper asked for: the
// title is the authors' own one-line summary. BM25 over title + abstract as one field counts a
// title word like any abstract word, so the top lexical candidates get a bonus for the
// question's words in their title.
import { analyze } from '../text/analyzer.js';
import type { Paper } from '../types.js';

/** Analyzed title terms of a paper, remembered per paper object. */
const titleTermsOf = new WeakMap<Paper, Set<string>>();

function titleTerms(paper: Paper): Set<string> {
  let terms = titleTermsOf.get(paper);
  if (!terms) {
    terms = new Set(analyze(paper.title));
    titleTermsOf.set(paper, terms);
  }
  return terms;
}

/** Sum over the question's terms found in the title of their idf, times their weight (at most 1). */
export function titleBonus(paper: Paper, weights: ReadonlyMap<string, number>, idf: (term: string) => number): number {
  const terms = titleTerms(paper);
  let bonus = 0;
  for (const [term, weight] of weights) if (terms.has(term)) bonus += Math.min(weight, 1) * idf(term);
  return bonus;
}

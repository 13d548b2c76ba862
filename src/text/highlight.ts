// Which words of a text a query matched, found with search's own analysis: "Pre-training" in an
// abstract lights up for "pretraining" in the question exactly when search counted it.
import { termsOf, tokenSpans } from './analyzer.js';

export interface Span {
  start: number;
  end: number;
}

/** Spans of the words of `text` that carry one of `terms` (analyzed query terms), in order. */
export function matchingSpans(text: string, terms: ReadonlySet<string>): Span[] {
  if (terms.size === 0) return [];
  return tokenSpans(text)
    .filter(({ token }) => termsOf(token).some((term) => terms.has(term)))
    .map(({ start, end }) => ({ start, end }));
}

// A paper's analyzed title + abstract, in order with repeats, remembered per paper object: the
// rerank's proximity bonus and the matched terms of a backend that does not report them both read
// it, for the same top candidates of one search.
import { analyze } from '../text/analyzer.js';
import type { Paper } from '../types.js';

const termsOfPaper = new WeakMap<Paper, string[]>();

export function paperTerms(paper: Paper): string[] {
  let terms = termsOfPaper.get(paper);
  if (!terms) {
    terms = analyze(`${paper.title} ${paper.abstract}`);
    termsOfPaper.set(paper, terms);
  }
  return terms;
}

// The answer without an LLM: for each of the top papers, the abstract sentence that best matches
// the question, cited. Fast (no model), faithful (verbatim), and honest about being a summary.
import { analyze } from '../index/analyzer.js';
import { splitSentences } from '../index/sentences.js';
import { stripCitations } from './citations.js';

export interface ExtractivePaper {
  n: number;
  title: string;
  abstract: string;
}

/** Papers quoted at most: more reads like a search result page, not an answer. */
const MAX_PAPERS = 3;

/**
 * One line per paper: "- Title: best sentence [n]". Papers whose abstract shares no term with
 * the question are left out, except the top one, so there is always something to read.
 */
export function extractiveAnswer(question: string, papers: readonly ExtractivePaper[]): string {
  const queryTerms = new Set(analyze(question));
  const candidates = papers.map((paper) => ({ paper, sentences: sentencesOf(paper.abstract) }));
  const weight = termWeights(queryTerms, candidates.map((c) => c.sentences.flatMap((s) => [...s.terms])));
  const lines: string[] = [];
  for (const [rank, { paper, sentences }] of candidates.entries()) {
    if (lines.length === MAX_PAPERS) break;
    let best = sentences[0];
    let bestScore = 0;
    for (const sentence of sentences) {
      let score = 0;
      for (const term of sentence.terms) if (queryTerms.has(term)) score += weight.get(term) ?? 0;
      if (score > bestScore) {
        best = sentence;
        bestScore = score;
      }
    }
    if (!best || (bestScore === 0 && rank > 0)) continue;
    lines.push(`- ${paper.title}: ${best.text} [${paper.n}]`);
  }
  return lines.join('\n');
}

function sentencesOf(abstract: string): Array<{ text: string; terms: Set<string> }> {
  return splitSentences(abstract).map(({ start, end }) => {
    const text = stripCitations(abstract.slice(start, end));
    return { text, terms: new Set(analyze(text)) };
  });
}

/** A question term found in fewer of these papers tells more: idf over the candidate papers. */
function termWeights(queryTerms: Set<string>, paperTerms: string[][]): Map<string, number> {
  const weights = new Map<string, number>();
  const sets = paperTerms.map((terms) => new Set(terms));
  for (const term of queryTerms) {
    const df = sets.filter((set) => set.has(term)).length;
    weights.set(term, Math.log(1 + (sets.length + 1) / (df + 0.5)));
  }
  return weights;
}

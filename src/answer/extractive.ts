// The answer without an LLM: for each of the top papers, the abstract sentence that best matches
// the question, cited. Fast (no model), faithful (verbatim), and honest about being a summary.
import { analyze, analyzeQuery } from '../text/analyzer.js';
import { splitSentences } from '../text/sentences.js';
import { stripCitations } from '../text/citation-marks.js';

export interface ExtractivePaper {
  n: number;
  title: string;
  abstract: string;
}

/** Papers quoted at most: more reads like a search result page, not an answer. */
const MAX_PAPERS = 3;
/**
 * A paper is quoted only when its best sentence scores at least this share of the top paper's:
 * a sentence matching only words every abstract has ("large language models") is no answer.
 */
const MIN_RELATIVE_SCORE = 0.15;

/**
 * One line per paper: "- Title: best sentence [n]". Sentences are scored by the idf of the
 * question terms they contain (the corpus idf when given, else idf over these papers). Papers
 * whose best sentence shares no term with the question, or scores far below the top paper's,
 * are left out, except the top one, so there is always something to read.
 */
export function extractiveAnswer(question: string, papers: readonly ExtractivePaper[], idf?: (term: string) => number): string {
  const queryTerms = new Set(analyzeQuery(question));
  const candidates = papers.map((paper) => ({ paper, sentences: sentencesOf(paper.abstract) }));
  const weight = idf
    ? new Map([...queryTerms].map((term) => [term, idf(term)]))
    : termWeights(queryTerms, candidates.map((c) => c.sentences.flatMap((s) => [...s.terms])));
  const lines: string[] = [];
  let topScore = 0;
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
    if (!best || (rank > 0 && (bestScore === 0 || bestScore < MIN_RELATIVE_SCORE * topScore))) continue;
    topScore = Math.max(topScore, bestScore);
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

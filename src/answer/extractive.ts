// The answer without an LLM: the abstract sentences that best answer the question, chosen across
// the top papers (query-focused, with maximal marginal relevance so two quotes never say the
// same thing), quoted verbatim with their [n]. Fast (no model), faithful, and honest about
// being quotes.
import { queryDefaults } from '../retrieve/query.js';
import { isGenericTerm } from '../text/framing-words.js';
import { analyze, analyzeQuery } from '../text/analyzer.js';
import { stripCitations } from '../text/citation-marks.js';
import { splitSentences } from '../text/sentences.js';

export interface ExtractivePaper {
  n: number;
  title: string;
  abstract: string;
}

export interface ExtractiveOptions {
  /** Corpus idf of an analyzed term; without it, idf over the given papers. */
  idf?: (term: string) => number;
  /**
   * Words that must weigh most (a follow-up's own question, "…for small models?"), so the quotes
   * address the new constraint rather than re-list the topic.
   */
  focus?: string;
  /** The question is about the one paper given ("tell me more about [2]"): more of it, in its own order. */
  onePaper?: boolean;
}

/** Longest answer, in words: a paragraph, not a results page. */
const WORD_BUDGET = 120;
const MAX_QUOTES = 5;
const MAX_PER_PAPER = 2;
/** Quotes of the one paper a question is about. */
const ONE_PAPER_QUOTES = 4;
/** A quote must score at least this share of the best one's relevance. */
const MIN_RELATIVE_SCORE = 0.3;
/** MMR trade-off: relevance against overlap with quotes already chosen. */
const LAMBDA = 0.7;
/**
 * Against a second quote from a paper already quoted: an answer draws on several papers before
 * it says more of one (the reader asked the literature, and retrieval's second and third papers
 * are often the one meant). Tune half of bench/questions, known-item answers citing the paper
 * asked about: 0 -> 0.70 (2.9 papers cited), 0.15 -> 0.77 (3.4), 0.3 -> 0.78 (3.7), 0.5 -> 0.78 (4.0).
 * (Test half: 0.71 both ways; of its 18 misses, 11 are not among the 6 sources at all.)
 */
const REPEAT_PENALTY = 0.3;
/** A paper further down the ranking is trusted a little less (retrieval saw more of it than one sentence). */
const RANK_DECAY = 0.25;
/** Focus words count this many times a topic word. */
const FOCUS_WEIGHT = 2;
/** With a focus, a quote must carry at least this (idf-weighted) share of its words. */
const FOCUS_SHARE = 0.3;

/** Sentences that say where the code is, not what the paper found. */
const BOILERPLATE =
  /https?:\/\/|\bgithub\b|huggingface\.co|\bhugging ?face\b|\b(?:code|data|dataset|datasets|models?|weights|checkpoints?|implementation|demo|project page|benchmark|resources|materials)\b[^.]{0,60}\b(?:is|are|will be|have been|has been)\s+(?:made\s+)?(?:publicly\s+|freely\s+|openly\s+)?(?:available|released|open[- ]sourced|accessible)|\bwe (?:(?:publicly |openly |also )?release|open[- ]source|make (?:\w+ ){0,4}(?:available|public))|\bavailable at\b/i;

interface Candidate {
  n: number;
  rank: number;
  /** Where the sentence stands in its abstract. */
  position: number;
  text: string;
  terms: Set<string>;
  words: number;
  relevance: number;
}

/**
 * Quotes, best first: `- “sentence” [n]`, within a word budget. At least one sentence is quoted
 * (the top paper's first), so there is something to read even when the words do not meet.
 */
export function extractiveAnswer(question: string, papers: readonly ExtractivePaper[], options: ExtractiveOptions = {}): string {
  const weights = termWeights(question, options.focus);
  let candidates = papers.flatMap((paper, rank) => sentencesOf(paper, rank, true));
  // An abstract that is all links and release notes still gets quoted rather than nothing.
  if (candidates.length === 0) candidates = papers.flatMap((paper, rank) => sentencesOf(paper, rank, false));
  if (candidates.length === 0) return '';
  const idf = options.idf ?? localIdf(candidates, papers.length);
  for (const candidate of candidates) candidate.relevance = relevanceOf(candidate, weights, idf);
  if (options.focus) candidates = onFocus(candidates, options.focus, idf);

  const chosen: Candidate[] = [];
  const best = Math.max(...candidates.map((c) => c.relevance));
  let words = 0;
  const perPaper = new Map<number, number>();
  const pool = candidates.filter((c) => c.relevance > 0 && c.relevance >= MIN_RELATIVE_SCORE * best);
  while (chosen.length < MAX_QUOTES && pool.length > 0) {
    let pick = -1;
    let pickScore = -Infinity;
    pool.forEach((candidate, index) => {
      if ((perPaper.get(candidate.n) ?? 0) >= (options.onePaper ? ONE_PAPER_QUOTES : MAX_PER_PAPER)) return;
      const overlap = Math.max(0, ...chosen.map((c) => jaccard(c.terms, candidate.terms)));
      const repeat = (perPaper.get(candidate.n) ?? 0) > 0 && !options.onePaper ? REPEAT_PENALTY : 0;
      const score = LAMBDA * (candidate.relevance / best) - (1 - LAMBDA) * overlap - repeat;
      if (score > pickScore) {
        pickScore = score;
        pick = index;
      }
    });
    if (pick < 0) break;
    const [candidate] = pool.splice(pick, 1);
    // Near-duplicates (the same claim in two abstracts) are skipped, and the budget is kept
    // unless nothing was chosen yet.
    if (chosen.some((c) => jaccard(c.terms, candidate!.terms) > 0.6)) continue;
    if (chosen.length > 0 && words + candidate!.words > WORD_BUDGET) continue;
    chosen.push(candidate!);
    words += candidate!.words;
    perPaper.set(candidate!.n, (perPaper.get(candidate!.n) ?? 0) + 1);
  }
  if (chosen.length === 0) {
    const top = candidates.find((c) => c.rank === 0 && !BOILERPLATE.test(c.text)) ?? candidates[0]!;
    chosen.push(top);
  }
  // A paper's own summary reads best in its own order.
  if (options.onePaper) chosen.sort((a, b) => a.position - b.position);
  return chosen.map((c) => `- “${escapeMarkdown(c.text)}” [${c.n}]`).join('\n');
}

/** Query terms with their weight: framing words count little, a follow-up's own words more. */
function termWeights(question: string, focus: string | undefined): Map<string, number> {
  const weights = new Map<string, number>();
  const add = (text: string, factor: number) => {
    for (const term of analyzeQuery(text)) {
      const weight = factor * (isGenericTerm(term) ? queryDefaults.genericWeight : 1);
      weights.set(term, Math.max(weights.get(term) ?? 0, weight));
    }
  };
  add(question, 1);
  if (focus) add(focus, FOCUS_WEIGHT);
  return weights;
}

/**
 * A follow-up's constraint first: when some sentences carry a fair share of the constraint's
 * (idf-weighted) words, only those are quoted, so "which of those work for small models?" is
 * answered by the sentences about small models, not by the topic's best sentences again.
 */
function onFocus(candidates: Candidate[], focus: string, idf: (term: string) => number): Candidate[] {
  const focusTerms = [...new Set(analyzeQuery(focus))].filter((term) => !isGenericTerm(term));
  const total = focusTerms.reduce((sum, term) => sum + idf(term), 0);
  if (total === 0) return candidates;
  const share = (c: Candidate) => focusTerms.reduce((sum, term) => sum + (c.terms.has(term) ? idf(term) : 0), 0) / total;
  const onTopic = candidates.filter((c) => share(c) >= FOCUS_SHARE);
  return onTopic.length > 0 ? onTopic : candidates;
}

function sentencesOf(paper: ExtractivePaper, rank: number, dropBoilerplate: boolean): Candidate[] {
  return splitSentences(paper.abstract)
    .map(({ start, end }) => stripCitations(paper.abstract.slice(start, end)))
    .filter((text) => text.length > 0 && !(dropBoilerplate && BOILERPLATE.test(text)))
    .map((text, position) => ({ n: paper.n, rank, position, text, terms: new Set(analyze(text)), words: text.split(/\s+/).length, relevance: 0 }));
}

/** Idf-weighted query terms in the sentence, a little less for long sentences and lower-ranked papers. */
function relevanceOf(candidate: Candidate, weights: Map<string, number>, idf: (term: string) => number): number {
  let score = 0;
  for (const [term, weight] of weights) if (candidate.terms.has(term)) score += weight * idf(term);
  const length = Math.sqrt(Math.max(candidate.words, 20) / 20);
  return score / length / (1 + RANK_DECAY * candidate.rank);
}

function localIdf(candidates: Candidate[], paperCount: number): (term: string) => number {
  const papersWith = new Map<string, Set<number>>();
  for (const c of candidates) for (const term of c.terms) (papersWith.get(term) ?? papersWith.set(term, new Set()).get(term)!).add(c.n);
  return (term) => Math.log(1 + (paperCount + 1) / ((papersWith.get(term)?.size ?? 0) + 0.5));
}

function jaccard(a: Set<string>, b: Set<string>): number {
  let shared = 0;
  for (const term of a) if (b.has(term)) shared++;
  const union = a.size + b.size - shared;
  return union === 0 ? 0 : shared / union;
}

/** A quote is text: `**`, `_`, `[x](…)` or `<b>` in an abstract must not become formatting. */
export function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_[\]<>~|#]/g, (ch) => `\\${ch}`);
}

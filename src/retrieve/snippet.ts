// "Why this paper": the passage of an abstract that best matches the query, and how much of
// the query a paper covers at all.
import { analyze } from '../text/analyzer.js';
import { splitSentences } from '../text/sentences.js';

function weightOf(terms: Map<string, number>, present: Set<string>): number {
  let sum = 0;
  for (const [term, idf] of terms) if (present.has(term)) sum += idf;
  return sum;
}

/** Idf-weighted share (0..1) of the query's terms that occur in the text. */
export function coverage(terms: Map<string, number>, text: string): number {
  const total = weightOf(terms, new Set(terms.keys()));
  if (total === 0) return 0;
  return weightOf(terms, new Set(analyze(text))) / total;
}

const MAX_SNIPPET = 320;

interface AnalyzedSentences {
  spans: { start: number; end: number }[];
  terms: Set<string>[];
}

/**
 * Sentences of recently returned abstracts with their terms: popular papers come back query
 * after query, and splitting plus stemming dominated the cost of a search. Bounded, oldest out.
 */
const analyzedCache = new Map<string, AnalyzedSentences>();
const CACHE_LIMIT = 4096;

function analyzedSentences(abstract: string): AnalyzedSentences {
  const cached = analyzedCache.get(abstract);
  if (cached) return cached;
  const spans = splitSentences(abstract);
  const entry = { spans, terms: spans.map((span) => new Set(analyze(abstract.slice(span.start, span.end)))) };
  if (analyzedCache.size >= CACHE_LIMIT) analyzedCache.delete(analyzedCache.keys().next().value!);
  analyzedCache.set(abstract, entry);
  return entry;
}

/**
 * The sentence with the most idf-weighted query terms (a neighbour is added when it is short),
 * or `fallback` (e.g. the best dense chunk) when no sentence shares a term with the query.
 */
export function bestSnippet(abstract: string, terms: Map<string, number>, fallback?: { start: number; end: number }): string {
  const { spans: sentences, terms: sentenceTerms } = analyzedSentences(abstract);
  let best = -1;
  let bestWeight = 0;
  sentences.forEach((_span, index) => {
    const weight = weightOf(terms, sentenceTerms[index]!);
    if (weight > bestWeight) {
      bestWeight = weight;
      best = index;
    }
  });
  let span = best >= 0 ? sentences[best]! : fallback ? firstSentenceIn(sentences, fallback) : sentences[0];
  if (!span) return trim(abstract);
  if (span.end - span.start < 120 && best >= 0 && sentences[best + 1]) span = { start: span.start, end: sentences[best + 1]!.end };
  return trim(abstract.slice(span.start, span.end));
}

function firstSentenceIn(sentences: { start: number; end: number }[], range: { start: number; end: number }) {
  return sentences.find((span) => span.start >= range.start && span.start < range.end) ?? sentences[0];
}

function trim(text: string): string {
  const clean = text.trim();
  if (clean.length <= MAX_SNIPPET) return clean;
  const cut = clean.lastIndexOf(' ', MAX_SNIPPET - 1);
  return `${clean.slice(0, cut > 0 ? cut : MAX_SNIPPET - 1)}…`;
}

// Turns text into index terms for lexical search. The same analyzer runs on documents and
// queries, so "Pre-training" in an abstract and "pretraining" in a question meet as one term.
import { stemmer } from 'stemmer';
import { eng } from 'stopword';

/** Choices an analyzer makes; the defaults were picked on SciFact's train split (bench/tune-lexical.ts). */
export interface AnalyzerOptions {
  /** Drop English stopwords (the `stopword` package's list). */
  stopwords: boolean;
  /** Porter-stem words (the `stemmer` package). */
  stem: boolean;
  /** A hyphenated query word: its joined form only, or also its parts (as Lucene's tokenizer splits it). */
  queryCompounds: 'joined' | 'joined+parts';
}

/**
 * SciFact train nDCG@10 (combined field, k1=1.2, b=0.5): no stopword removal 0.6755 vs 0.6819
 * (at k1=0.9, b=0.4); no stemming 0.6543; query compounds as joined form + parts 0.6938 vs
 * joined only 0.6837. See bench/tune-lexical.ts.
 */
export const analyzerDefaults: AnalyzerOptions = { stopwords: true, stem: true, queryCompounds: 'joined+parts' };

export interface Analyzer {
  /** Index terms of one document token. */
  termsOf(token: string): string[];
  /** Terms of one query token. */
  queryTermsOf(token: string): string[];
  /** All index terms of a document text, in order, with repeats. */
  analyze(text: string): string[];
  /** All terms of a query, in order, with repeats. */
  analyzeQuery(text: string): string[];
}

// Split on anything that is not a letter, a digit or an in-word hyphen/apostrophe.
const TOKEN = /[\p{L}\p{N}]+(?:[-'’][\p{L}\p{N}]+)*/gu;

/** Raw tokens of a text, lowercased and NFKC-normalized, hyphenated compounds kept whole. */
export function tokenize(text: string): string[] {
  return text.normalize('NFKC').toLowerCase().match(TOKEN) ?? [];
}

/** The same tokens with where each stands in `text` as written (for highlighting it there). */
export function tokenSpans(text: string): Array<{ token: string; start: number; end: number }> {
  return [...text.matchAll(TOKEN)].map((match) => ({
    token: match[0].normalize('NFKC').toLowerCase(),
    start: match.index,
    end: match.index + match[0].length,
  }));
}

/** Remembers a pure token function's results, forgetting all when the cache gets large. */
function memoize<T>(fn: (token: string) => T): (token: string) => T {
  const cache = new Map<string, T>();
  return (token) => {
    let result = cache.get(token);
    if (result === undefined) {
      if (cache.size >= CACHE_LIMIT) cache.clear();
      result = fn(token);
      cache.set(token, result);
    }
    return result;
  };
}

const CACHE_LIMIT = 200_000;
/** Porter stems are pure and a corpus has few distinct words: remembering them halves ingest time. */
const porter = memoize(stemmer);

export function createAnalyzer(options: AnalyzerOptions = analyzerDefaults): Analyzer {
  const stopwords = new Set<string>(options.stopwords ? eng : []);

  /** Stopwords and single letters ("e.g." -> "e", "g") carry no meaning for search. */
  const isNoise = (word: string) => stopwords.has(word) || (word.length === 1 && !/\d/.test(word));

  // Numbers and very short words are kept as they are: stemming "gpt3" or "x2" helps nothing.
  const stem = (word: string) => (!options.stem || word.length <= 2 || /\d/.test(word) ? word : porter(word));

  const plainOf = (token: string) => token.replace(/['’]s$/, '').replace(/['’]/g, '');

  /**
   * A compound such as "pre-training" is indexed as its joined form and its parts, so that a
   * query for "pretraining" or for "pre training" finds it.
   */
  const termsOf = (token: string): string[] => {
    const plain = plainOf(token);
    if (!plain.includes('-')) return isNoise(plain) ? [] : [stem(plain)];
    const parts = plain.split('-').filter((part) => part && !isNoise(part));
    return [stem(plain.replace(/-/g, '')), ...parts.map(stem)];
  };

  /**
   * A query compound is its joined form (which every hyphenated spelling of it in a document
   * yields) and, by default, also its parts, so "TNF-alpha" finds "TNF alpha" too.
   */
  const queryTermsOf = (token: string): string[] => {
    const plain = plainOf(token);
    if (!plain.includes('-')) return isNoise(plain) ? [] : [stem(plain)];
    const joined = stem(plain.replace(/-/g, ''));
    if (options.queryCompounds === 'joined') return [joined];
    return [joined, ...plain.split('-').filter((part) => part && !isNoise(part)).map(stem)];
  };

  // Snippets and coverage analyze the same abstracts at every search: remembering each
  // token's terms makes that a lookup. (Callers only read the returned arrays.)
  const cachedTermsOf = memoize(termsOf);
  return {
    termsOf: cachedTermsOf,
    queryTermsOf,
    analyze: (text) => tokenize(text).flatMap(cachedTermsOf),
    analyzeQuery: (text) => tokenize(text).flatMap(queryTermsOf),
  };
}

const standard = createAnalyzer();

/** Index terms of one document token: stopwords dropped, Porter-stemmed, compounds whole and in parts. */
export const termsOf = standard.termsOf;
/** Terms of one query token: a compound is its joined form and its parts. */
export const queryTermsOf = standard.queryTermsOf;
/** All index terms of a document text, in order, with repeats. */
export const analyze = standard.analyze;
/** All terms of a query, in order, with repeats. */
export const analyzeQuery = standard.analyzeQuery;

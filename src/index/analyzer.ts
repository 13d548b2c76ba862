// Turns text into index terms for lexical search. The same analyzer runs on documents and
// queries, so "Pre-training" in an abstract and "pretraining" in a question meet as one term.
import { stemmer } from 'stemmer';
import { eng } from 'stopword';

const stopwords = new Set<string>(eng);

// Split on anything that is not a letter, a digit or an in-word hyphen/apostrophe.
const TOKEN = /[\p{L}\p{N}]+(?:[-'’][\p{L}\p{N}]+)*/gu;

/** Raw tokens of a text, lowercased and NFKC-normalized, hyphenated compounds kept whole. */
export function tokenize(text: string): string[] {
  return text.normalize('NFKC').toLowerCase().match(TOKEN) ?? [];
}

/** Stopwords and single letters ("e.g." -> "e", "g") carry no meaning for search. */
function isNoise(word: string): boolean {
  return stopwords.has(word) || (word.length === 1 && !/\d/.test(word));
}

function stem(word: string): string {
  // Numbers and very short words are kept as they are: stemming "gpt3" or "x2" helps nothing.
  if (word.length <= 2 || /\d/.test(word)) return word;
  return stemmer(word);
}

/**
 * Index terms of one document token: stopwords dropped, Porter-stemmed. A compound such as
 * "pre-training" is indexed as its joined form and its parts, so that a query for
 * "pretraining" or for "pre training" finds it.
 */
export function termsOf(token: string): string[] {
  const plain = token.replace(/['’]s$/, '').replace(/['’]/g, '');
  if (!plain.includes('-')) {
    return isNoise(plain) ? [] : [stem(plain)];
  }
  const parts = plain.split('-').filter((part) => part && !isNoise(part));
  return [stem(plain.replace(/-/g, '')), ...parts.map(stem)];
}

/**
 * Terms of one query token. A compound counts once, as its joined form (which every
 * spelling of it in a document yields), so "pre-training" in a question weighs no more
 * than "pretraining".
 */
export function queryTermsOf(token: string): string[] {
  const plain = token.replace(/['’]s$/, '').replace(/['’]/g, '');
  if (!plain.includes('-')) return isNoise(plain) ? [] : [stem(plain)];
  return [stem(plain.replace(/-/g, ''))];
}

/** All index terms of a document text, in order, with repeats. */
export function analyze(text: string): string[] {
  return tokenize(text).flatMap(termsOf);
}

/** All terms of a query, in order, with repeats. */
export function analyzeQuery(text: string): string[] {
  return tokenize(text).flatMap(queryTermsOf);
}

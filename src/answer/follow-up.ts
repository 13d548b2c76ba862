// Which questions of a conversation depend on the ones before. "Which of those work for small
// models?" cannot be searched alone; "which papers prune LLMs without retraining?" can, and must
// be: folding an earlier LoRA question into it would pull LoRA papers into a pruning answer.
import { analyzeQuery, tokenize } from '../text/analyzer.js';
import { isGenericTerm } from '../text/framing-words.js';
import type { ChatMessage } from './types.js';

/** Words that point back into the conversation: "those", "they", "that method", "the first one". */
const REFERS_BACK = new RegExp(
  [
    String.raw`\b(?:those|these|them|they|their|theirs|former|latter|aforementioned)\b`,
    String.raw`\b(?:this|that|such|the same|the above|the previous|the other|the mentioned|the listed|the cited)\s+(?:one|ones|paper|papers|work|method|methods|approach|approaches|model|models|technique|techniques|idea|dataset|datasets|benchmark|benchmarks|result|results)\b`,
    // ("the first one", "the last paper": PAPER_ORDINAL, which knows "the first paper to…" from them.)
    String.raw`\bthe (?:latest|largest|smallest|best|other) (?:one|ones|paper|papers|method|approach|model|models)\b`,
    String.raw`\bthe (?:first|second|third|fourth|last) (?:ones|method|approach|model|models)\b(?!\s+(?:to|that|which|for|on|of|in)\b)`,
    String.raw`\b(?:the rest|the others|above|previously|earlier|you mentioned|you listed|you cited|which one|which ones)\b`,
    // "…for that?", "…like this?": a question ending on a pointer.
    String.raw`\b(?:that|this)\s*[?.!]*\s*$`,
    // "it" standing for something, not "is it possible to…" or "make it work".
    String.raw`\b(?:it|its)\b(?!\s+(?:is\s+|was\s+)?(?:possible|true|feasible|necessary|worth|known|enough|common|hard|easy|better|useful)\b)`,
  ].join('|'),
  'i',
);
/** Pointers at one paper of the previous answer: "[2]", "paper 2", "the second one", "the last paper". */
const PAPER_NUMBER = /\[(\d{1,2})\]|\b(?:papers?|sources?|references?|results?|numbers?)\s*(\d{1,2}(?:\s*(?:,|and|&|or)\s*\d{1,2})*)\b/gi;
// "the second one", "the last paper", and "the first" of "the first and the last paper"; not "the
// first paper to prune LLMs" or "the first work on LoRA", which ask about the literature.
const PAPER_ORDINAL =
  /\bthe (first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|last)(?: (?:one|paper|source|result|reference|work|article|study)\b(?!\s+(?:to|that|which|who|ever|on|about|of|since|where|for|in(?!\s+(?:the|your)\s+(?:list|answer|results)\b))\b)|(?= (?:and|or) the \w+ (?:one|ones|paper|papers)\b))/gi;
const ORDINALS = ['first', 'second', 'third', 'fourth', 'fifth', 'sixth', 'seventh', 'eighth', 'ninth', 'tenth'];

/** Openings that continue the previous question: "and for French?", "what about images?". */
const CONTINUES = /^\s*(?:and|but|also|so|or|then|plus|what about|how about|what if|same for|only|just|any (?:that|which|for|with|without|in|on)|ok(?:ay)?|now)\b/i;
/** Ellipses: "for small models?", "with fewer parameters?", "in French?". */
const ELLIPSIS = /^\s*(?:for|with|without|in|on|under|using|via|at|to|by|from|beyond|except|excluding|including)\b/i;

/** A question that continues the previous one ("and for French?") has at most this many content words. */
const SHORT_CONTENT_TERMS = 4;

/**
 * Whether `question` can only be understood with the conversation before it: it points back
 * ("those", "it", "the first one"), continues ("and for…", "what about…"), or is an ellipsis
 * ("for small models?") with few words of its own.
 */
export function dependsOnConversation(question: string): boolean {
  const content = analyzeQuery(question).filter((term) => !isGenericTerm(term));
  if (content.length === 0 || REFERS_BACK.test(question) || pointsAtPapers(question)) return true;
  if (CONTINUES.test(question) || ELLIPSIS.test(question)) return content.length <= SHORT_CONTENT_TERMS;
  // A bare phrase of one or two words after a question ("LoRA?") narrows the topic.
  return tokenize(question).length <= 2;
}

export interface StandaloneQuery {
  /** What to search for the last question. */
  query: string;
  /** Whether the last question depended on the earlier ones (and the query folds them in). */
  followUp: boolean;
  /** Papers of the previous answer the question points at ("[2]", "the second one"), by id. */
  referenced: string[];
  /** "Which of those is the most recent?": the referenced papers are to be ordered by date. */
  order?: 'newest' | 'oldest';
}

function pointsAtPapers(question: string): boolean {
  // search(), unlike test(), ignores a global pattern's lastIndex.
  return question.search(PAPER_NUMBER) >= 0 || question.search(PAPER_ORDINAL) >= 0;
}

/**
 * The [n] a question points at, and the question without the pointers: "second" and "2" are
 * not what it is about ("tell me more about the second one" must not match "second").
 */
export function paperPointers(question: string): { numbers: Array<number | 'last'>; rest: string } {
  const numbers: Array<number | 'last'> = [];
  let rest = question.replace(PAPER_NUMBER, (_match, bracketed: string | undefined, named: string | undefined) => {
    for (const digits of (bracketed ?? named ?? '').match(/\d+/g) ?? []) numbers.push(Number(digits));
    return ' ';
  });
  rest = rest.replace(PAPER_ORDINAL, (_match, ordinal: string) => {
    const word = ordinal.toLowerCase();
    numbers.push(word === 'last' ? 'last' : ORDINALS.indexOf(word) + 1);
    return ' ';
  });
  return { numbers, rest: rest.replace(/\s+/g, ' ').trim() };
}

/** "Which of those is the most recent?": a question about the last answer's papers by date. */
const NEWEST = /\b(?:most recent|newest|latest|most up[- ]to[- ]date|published last)\b/i;
const OLDEST = /\b(?:oldest|earliest|published first|first published)\b/i;
/** "And the oldest one?": the superlative itself points back. */
const THE_DATED_ONE = /\bthe (?:oldest|earliest|newest|latest|most recent)(?: (?:one|ones|paper|papers|of them))?\s*[?.!]*\s*$/i;

/** Whether a question asks for the last answer's papers ordered by date, and which way. */
export function dateOrder(question: string): 'newest' | 'oldest' | undefined {
  if (!REFERS_BACK.test(question) && !THE_DATED_ONE.test(question)) return undefined;
  return NEWEST.test(question) ? 'newest' : OLDEST.test(question) ? 'oldest' : undefined;
}

/** The ids of the previous answer's papers that `question` points at (none when it gave no sources). */
function referencedPapers(question: string, previous: ChatMessage | undefined): string[] {
  const sources = previous?.role === 'assistant' ? (previous.sources ?? []) : [];
  if (sources.length === 0) return [];
  // "Which of those is the newest?" is about all of them.
  if (dateOrder(question)) return sources.map((source) => source.id);
  const last = Math.max(...sources.map((source) => source.n));
  const ids = paperPointers(question).numbers.map((n) => sources.find((source) => source.n === (n === 'last' ? last : n))?.id);
  return [...new Set(ids.filter((id): id is string => id !== undefined))];
}

/**
 * The search query for the last user question. A self-contained question is searched alone. A
 * follow-up is searched as itself twice (BM25 counts repeated words again, so the new
 * constraint outweighs the topic) plus the standalone query of the question it follows, which
 * is itself resolved the same way: a chain of follow-ups keeps its topic, a topic change drops
 * it. Assistant turns are left out: they name every paper of the previous answer.
 */
export function standaloneQuery(messages: readonly ChatMessage[]): StandaloneQuery {
  const questions = messages.filter((m) => m.role === 'user').map((m) => m.content.trim()).filter(Boolean);
  let query = '';
  let followUp = false;
  questions.forEach((question, index) => {
    followUp = index > 0 && dependsOnConversation(question);
    // The pointers ("the second one") are not searched for: what they point at is.
    const own = followUp ? paperPointers(question).rest || question : question;
    query = followUp ? `${own}\n${own}\n${topicOf(query)}` : question;
  });
  const last = messages.at(-1);
  const previous = last?.role === 'user' ? messages.at(-2) : undefined;
  const referenced = followUp && last ? referencedPapers(last.content, previous) : [];
  const order = referenced.length > 0 && last ? dateOrder(last.content) : undefined;
  return { query, followUp, referenced, ...(order && { order }) };
}

/** The earlier query's first line of topic (its repeated question and older topic kept short). */
function topicOf(query: string): string {
  const lines = [...new Set(query.split('\n'))];
  return lines.slice(0, 2).join('\n');
}

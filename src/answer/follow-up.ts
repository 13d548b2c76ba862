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
    String.raw`\bthe (?:first|second|third|fourth|last|latest|largest|smallest|best|other) (?:one|ones|paper|papers|method|approach|model|models)\b`,
    String.raw`\b(?:the rest|the others|above|previously|earlier|you mentioned|you listed|you cited|which one|which ones)\b`,
    // "…for that?", "…like this?": a question ending on a pointer.
    String.raw`\b(?:that|this)\s*[?.!]*\s*$`,
    // "it" standing for something, not "is it possible to…" or "make it work".
    String.raw`\b(?:it|its)\b(?!\s+(?:is\s+|was\s+)?(?:possible|true|feasible|necessary|worth|known|enough|common|hard|easy|better|useful)\b)`,
  ].join('|'),
  'i',
);
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
  if (content.length === 0 || REFERS_BACK.test(question)) return true;
  if (CONTINUES.test(question) || ELLIPSIS.test(question)) return content.length <= SHORT_CONTENT_TERMS;
  // A bare phrase of one or two words after a question ("LoRA?") narrows the topic.
  return tokenize(question).length <= 2;
}

export interface StandaloneQuery {
  /** What to search for the last question. */
  query: string;
  /** Whether the last question depended on the earlier ones (and the query folds them in). */
  followUp: boolean;
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
    query = followUp ? `${question}\n${question}\n${topicOf(query)}` : question;
  });
  return { query, followUp };
}

/** The earlier query's first line of topic (its repeated question and older topic kept short). */
function topicOf(query: string): string {
  const lines = [...new Set(query.split('\n'))];
  return lines.slice(0, 2).join('\n');
}

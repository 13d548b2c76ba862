// The first half of a chat turn, as a pure function of the request: what the question is, what
// to search for it, and how to answer. The chat service then runs the plan (retrieve, decide,
// answer) against the engine.
import { PapertalkError } from '../errors.js';
import { paperPointers, standaloneQuery } from './follow-up.js';
import type { SearchHit } from '../types.js';
import type { AnswerMode, ChatMessage, ChatRequest } from './types.js';

export const DEFAULT_K = 6;

export interface TurnPlan {
  /** The last user message, trimmed. */
  question: string;
  /** The conversation before it. */
  history: ChatMessage[];
  /** What retrieval searches: the question itself, or for a follow-up the question with its topic. */
  query: string;
  /** The question depends on the conversation ("which of those…"). */
  followUp: boolean;
  /** Papers of the previous answer it points at ("[2]", "the second one"), by id: answered first. */
  referenced: string[];
  /** The question without such pointers: what the answer must address ("which dataset did [2] use?" -> dataset). */
  focus: string;
  /** "Which of those is the most recent?": the referenced papers ordered by date, this way. */
  order?: 'newest' | 'oldest';
  k: number;
  mode: AnswerMode;
}

/**
 * Plans one turn; throws input_invalid when the last message is not a user question.
 *
 * @example
 * planTurn({ messages: [{ role: 'user', content: 'LoRA variants?' }, { role: 'assistant', content: '…' },
 *   { role: 'user', content: 'which of those work for small models?' }] })
 * // { question: 'which of those work for small models?', followUp: true,
 * //   query: 'which of those work for small models?\n…\nLoRA variants?', k: 6, mode: 'llm', … }
 */
export function planTurn(request: ChatRequest): TurnPlan {
  const { messages } = request;
  const last = messages.at(-1);
  if (!last || last.role !== 'user' || !last.content.trim()) {
    throw new PapertalkError('input_invalid', 'the last message must be a non-empty user question', { field: 'messages' });
  }
  const { query, followUp, referenced, order } = standaloneQuery(messages);
  return {
    question: last.content.trim(),
    history: messages.slice(0, -1),
    query,
    followUp,
    referenced,
    focus: paperPointers(last.content.trim()).rest || last.content.trim(),
    ...(order && { order }),
    k: request.k ?? DEFAULT_K,
    mode: request.mode ?? 'llm',
  };
}

/**
 * A question about papers of the previous answer, once they are looked up: it searches for their
 * titles beside its own words (for neighbours to read them with), and the LLM is told which of
 * this turn's numbers they are, since "the second one" of the last answer is [1] now. Only the
 * papers found stay referenced.
 */
export function aboutPapers(plan: TurnPlan, found: readonly Pick<SearchHit, 'id' | 'title' | 'date'>[]): TurnPlan {
  // Pointers at papers the index does not hold (removed since, or a made-up id): an ordinary follow-up.
  if (found.length === 0) return { ...plan, referenced: [] };
  const papers = plan.order ? byDate(found, plan.order) : found;
  const meant = papers.map((paper, i) => `[${i + 1}] ${paper.title}${plan.order ? ` (${paper.date ?? 'undated'})` : ''}`).join('; ');
  return {
    ...plan,
    referenced: papers.map((paper) => paper.id),
    query: [paperPointers(plan.question).rest, ...papers.map((paper) => paper.title)].filter(Boolean).join('\n'),
    question: `${plan.question}\n(The paper${papers.length === 1 ? '' : 's'} meant${plan.order ? `, ${plan.order} first` : ''}: ${meant}.)`,
  };
}

/** Papers by date, newest or oldest first; undated ones last, in the order given. */
export function byDate<T extends { date?: string }>(papers: readonly T[], order: 'newest' | 'oldest'): T[] {
  const dated = papers.filter((paper) => paper.date && !Number.isNaN(Date.parse(paper.date)));
  const undated = papers.filter((paper) => !dated.includes(paper));
  const time = (paper: T) => Date.parse(paper.date!);
  dated.sort((a, b) => (order === 'newest' ? time(b) - time(a) : time(a) - time(b)));
  return [...dated, ...undated];
}

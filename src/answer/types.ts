// The chat contract every face (HTTP route, CLI, web page) speaks.

export interface ChatMessage {
  role: 'user' | 'assistant';
  content: string;
}

export type AnswerMode = 'llm' | 'extractive';

export interface ChatRequest {
  messages: ChatMessage[];
  /** Papers to retrieve, 1..20. */
  k?: number;
  mode?: AnswerMode;
  /** Only papers dated within (YYYY, YYYY-MM or YYYY-MM-DD, inclusive). */
  from?: string;
  to?: string;
}

/** A retrieved paper as the answer refers to it: [n]. */
export interface Source {
  n: number;
  id: string;
  title: string;
  snippet: string;
  score: number;
  /** What the source gave, for the card and for exporting the cited list. */
  date?: string;
  url?: string;
  authors?: string[];
}

export interface SourcesEvent {
  sources: Source[];
}

export interface TokenEvent {
  text: string;
}

export interface DoneEvent {
  /** The final text: citations of papers that were not given removed. */
  answer: string;
  /** Papers actually cited, in order of first use. */
  citations: Array<{ n: number; id: string; title: string }>;
  /** Cited sentences the cited abstract does not appear to support. */
  unsupported: Array<{ n: number; sentence: string }>;
  dropped_citations: number;
  /** False when the indexed papers do not cover the question (coverage "none"). */
  relevant: boolean;
  /** The graded decision: covered, covered in part (answered with a notice), or not covered. */
  coverage: 'covered' | 'partial' | 'none';
  /** What was searched: the question, or for a follow-up the question with the topic it follows. */
  query: string;
  /** Whether the question was read as a follow-up of the conversation. */
  follow_up: boolean;
  mode: 'llm' | 'extractive' | 'none';
  /** The LLM that wrote the answer, null when none did. */
  model: string | null;
  /** Why the answer is not what was asked for (fallbacks). */
  notice?: string;
  timings: { retrieve_ms: number; first_token_ms: number; total_ms: number };
}

export interface ErrorEvent {
  message: string;
  code?: string;
}

export type ChatEvent =
  | { type: 'sources'; data: SourcesEvent }
  | { type: 'token'; data: TokenEvent }
  | { type: 'done'; data: DoneEvent }
  | { type: 'error'; data: ErrorEvent };

/** What a non-streaming answer returns: the done fields plus the sources. */
export type ChatResult = DoneEvent & SourcesEvent;

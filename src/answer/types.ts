// The chat contract every face (HTTP route, CLI, web page) speaks. The shapes on the wire are
// inferred from the schemas of ./contract.ts.
import type { z } from 'zod';
import type { ChatMessageSchema, ChatResultSchema, DoneEventSchema, SourceSchema } from './contract.js';

export type ChatMessage = z.infer<typeof ChatMessageSchema>;

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
export type Source = z.infer<typeof SourceSchema>;

export interface SourcesEvent {
  sources: Source[];
}

export interface TokenEvent {
  text: string;
}

export type DoneEvent = z.infer<typeof DoneEventSchema>;

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
export type ChatResult = z.infer<typeof ChatResultSchema>;

// The chat contract as schemas: what a conversation message is, and what an answer returns.
// The types in ./types.ts are inferred from these, and the HTTP route, the MCP tool and the
// OpenAPI document use them as they are, so the faces cannot drift from the chat service.
import { z } from 'zod';
import { PaperSchema } from '../contract.js';
import { MAX_CHAT_K, MAX_QUESTION_CHARS, MAX_SOURCE_ID_LENGTH } from '../types.js';

export const ChatMessageSchema = z.object({
  role: z.enum(['user', 'assistant']),
  content: z
    .string()
    .trim()
    .min(1, 'must not be empty')
    .max(MAX_QUESTION_CHARS, `must be at most ${MAX_QUESTION_CHARS} characters`),
  sources: z
    .array(z.object({ n: z.number().int().min(1), id: z.string().min(1).max(MAX_SOURCE_ID_LENGTH) }))
    .max(MAX_CHAT_K)
    .optional()
    .describe('An assistant message\'s papers, as its [n] named them: a follow-up can then ask about "[2]" or "the second one".'),
});

/** A retrieved paper as the answer refers to it: [n], with what the source gave for its card. */
export const SourceSchema = PaperSchema.pick({ id: true, title: true, date: true, url: true, authors: true }).extend({
  n: z.number().int(),
  snippet: z.string(),
  score: z.number(),
});

/** The `done` event: everything about the answer but its sources (sent first, on their own). */
export const DoneEventSchema = z.object({
  answer: z.string().describe('The final text: citations of papers that were not given removed.'),
  citations: z.array(z.object({ n: z.number().int(), id: z.string(), title: z.string() })).describe('Papers actually cited, in order of first use.'),
  unsupported: z.array(z.object({ n: z.number().int(), sentence: z.string() })).describe('Cited sentences the cited abstract does not appear to support.'),
  dropped_citations: z.number().int(),
  relevant: z.boolean().describe('False when the indexed papers do not cover the question (coverage "none").'),
  coverage: z
    .enum(['covered', 'partial', 'none'])
    .describe('covered; partial (answered with a notice); none (not covered: the closest papers are listed as possibly unrelated)'),
  query: z.string().describe('What was searched: the question, or for a follow-up the question with the topic it follows.'),
  follow_up: z.boolean().describe('Whether the question was read as a follow-up of the conversation.'),
  mode: z.enum(['llm', 'extractive', 'none']),
  model: z.string().nullable().describe('The LLM that wrote the answer, null when none did.'),
  notice: z.string().optional().describe('Why the answer is not what was asked for (fallbacks).'),
  timings: z.object({ retrieve_ms: z.number(), first_token_ms: z.number(), total_ms: z.number() }),
});

/** What a non-streaming answer returns: the done fields plus the sources. */
export const ChatResultSchema = DoneEventSchema.extend({ sources: z.array(SourceSchema) });

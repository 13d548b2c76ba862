// POST /api/chat: a thin adapter from HTTP to the chat service. Server-Sent Events by default
// (sources, token…, done | error), or one JSON object with stream:false. The answer stops when
// the client goes away.
import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { streamSSE } from 'hono/streaming';
import type { ChatService } from '../../answer/chat-service.js';
import { DEFAULT_K } from '../../answer/chat-service.js';
import { ChatMessageSchema, ChatResultSchema as ChatResult } from '../../answer/contract.js';
import { MAX_CHAT_K, MAX_MESSAGES } from '../../types.js';
import { DateRangeFields, errorsFor } from '../schemas.js';

export const ChatRequestSchema = z
  .object({
    messages: z
      .array(ChatMessageSchema)
      .min(1, 'must hold at least the question')
      .max(MAX_MESSAGES, `must hold at most ${MAX_MESSAGES} messages`)
      .refine((messages) => messages.at(-1)?.role === 'user', 'the last message must be the user question')
      .openapi({ example: [{ role: 'user', content: 'Which papers make fine-tuning cheaper?' }] }),
    k: z.number().int().min(1).max(MAX_CHAT_K).default(DEFAULT_K).openapi({ description: 'Papers to retrieve and number [1]..[k].' }),
    stream: z.boolean().default(true).openapi({ description: 'Server-Sent Events (default) or one JSON object.' }),
    mode: z
      .enum(['llm', 'extractive'])
      .default('llm')
      .openapi({ description: 'llm falls back to extractive (with a notice) when Ollama is not available.' }),
    ...DateRangeFields,
  })
  .openapi('ChatRequest');

/** The chat service's own result schema, named for the OpenAPI document. */
export const ChatResultSchema = ChatResult.openapi('ChatResult');

const route = createRoute({
  method: 'post',
  operationId: 'chat',
  path: '/api/chat',
  summary: 'Answer a question (with its conversation) from the indexed papers, citing them as [n]',
  description:
    'Streamed as Server-Sent Events: `sources` {sources}, then `token` {text}…, then `done` (the ChatResult fields without sources), ' +
    'or `error` {message} after whatever was sent. With stream:false, one ChatResult.',
  request: { body: { required: true, content: { 'application/json': { schema: ChatRequestSchema } } } },
  responses: {
    200: {
      content: {
        'text/event-stream': { schema: z.string().openapi({ description: 'events: sources, token, done | error' }) },
        'application/json': { schema: ChatResultSchema },
      },
      description: 'The answer, streamed or whole',
    },
    ...errorsFor(400, 413, 415, 429),
  },
});

export function registerChatRoutes(app: OpenAPIHono, chat: ChatService) {
  app.openapi(route, async (c) => {
    const { messages, k, stream, mode, from, to } = c.req.valid('json');
    const request = { messages, k, mode, from, to };
    const clientGone = c.req.raw.signal;

    if (!stream) {
      const result = await chat.answer(request, { signal: clientGone });
      // Undefined only when the client went away: nobody is left to read a response.
      return result ? c.json(result, 200) : c.body(null, 204);
    }

    return streamSSE(c, async (sse) => {
      const controller = new AbortController();
      const stop = () => controller.abort(new Error('client went away'));
      sse.onAbort(stop);
      clientGone.addEventListener('abort', stop, { once: true });
      try {
        await chat.answer(request, {
          signal: controller.signal,
          onEvent: (event) => sse.writeSSE({ event: event.type, data: JSON.stringify(event.data) }),
        });
      } catch {
        // Already sent to the client as an `error` event by the chat service.
      } finally {
        clientGone.removeEventListener('abort', stop);
      }
    });
  });
}

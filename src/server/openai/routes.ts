// The OpenAI-compatible face: POST /v1/chat/completions and GET /v1/models, so scripts written
// against the OpenAI API, Open WebUI and LibreChat talk to papertalk unchanged. A thin adapter over
// the chat service: the answer is papertalk's grounded, cited one; this file only reshapes it.
import { randomUUID } from 'node:crypto';
import { z } from '@hono/zod-openapi';
import { Hono, type Context } from 'hono';
import { streamSSE } from 'hono/streaming';
import type { ChatService } from '../../answer/chat-service.js';
import type { ChatEvent, ChatMessage, ChatResult, Source } from '../../answer/types.js';
import type { Engine } from '../../engine.js';
import { PapertalkError } from '../../errors.js';
import { validationError } from '../http-errors.js';
import { answerWithReferences, referencesBlock } from '../references.js';
import { ChatRequestSchema } from '../routes/chat.js';
import { toOpenAiError } from './errors.js';

/** The model ids papertalk answers as: the grounded answer, or always the extractive one. */
export const OPENAI_MODELS = { papertalk: 'llm', 'papertalk-extractive': 'extractive' } as const;
type ModelId = keyof typeof OPENAI_MODELS;

const TextPartSchema = z.object({ type: z.string(), text: z.string().optional() }).loose();

const OpenAiMessageSchema = z
  .object({
    role: z.enum(['system', 'developer', 'user', 'assistant', 'tool', 'function']),
    content: z.union([z.string(), z.array(TextPartSchema), z.null()]).optional(),
  })
  .loose();

/** OpenAI's request; fields that do not apply (temperature, tools, n…) are accepted and ignored. */
export const OpenAiChatRequestSchema = z
  .object({
    model: z.string().min(1, 'must name a model: papertalk'),
    messages: z.array(OpenAiMessageSchema).min(1, 'must hold at least the question'),
    stream: z.boolean().nullish(),
    /** papertalk's own knobs, as an extension field. */
    papertalk: z.object({ k: ChatRequestSchema.shape.k.optional(), mode: ChatRequestSchema.shape.mode.optional() }).optional(),
  })
  .loose();

/** The text of a message: a string, or the text parts of a multi-part content. */
function textOf(content: z.infer<typeof OpenAiMessageSchema>['content']): string {
  if (typeof content === 'string') return content;
  return (content ?? []).flatMap((part) => (part.type === 'text' && part.text ? [part.text] : [])).join('\n');
}

/**
 * The conversation as papertalk reads it: user and assistant turns only. A system prompt from
 * the client is dropped: papertalk's own (answer only from the numbered abstracts) governs.
 */
function conversation(messages: z.infer<typeof OpenAiMessageSchema>[]): ChatMessage[] {
  return messages.flatMap((m) => (m.role === 'user' || m.role === 'assistant' ? [{ role: m.role, content: textOf(m.content) }] : []));
}

function chunk(id: string, created: number, model: string, delta: object, finish: 'stop' | null = null, extra: object = {}) {
  return { id, object: 'chat.completion.chunk', created, model, choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }], ...extra };
}

/**
 * The /v1 sub-app; mount with `app.route('/v1', openAiRoutes(engine, chat))` after
 * `app.use('/v1/*', openAiErrorShape())`.
 *
 * @example
 *   const client = new OpenAI({ baseURL: 'http://127.0.0.1:3000/v1', apiKey: process.env.PAPERTALK_TOKEN ?? 'none' });
 *   const completion = await client.chat.completions.create({ model: 'papertalk', messages: [{ role: 'user', content: 'Which papers prune LLMs?' }] });
 */
export function openAiRoutes(engine: Engine, chat: ChatService): Hono {
  const v1 = new Hono();
  // Foreign Host and Origin are refused app-wide (originGuard in server/security.ts), before this runs.

  v1.get('/models', async (c) => {
    const llm = await chat.llmStatus();
    const created = Math.floor(Date.now() / 1000);
    const behind = { llm: llm.model, llm_host: llm.host, llm_available: llm.reachable && llm.model_available, ...(llm.reason && { reason: llm.reason }) };
    return c.json({
      object: 'list',
      data: [
        { id: 'papertalk', object: 'model', created, owned_by: 'papertalk', papertalk: { ...behind, answers: `cited answers from the indexed papers, written by ${llm.model} (extractive when it is not available)` } },
        { id: 'papertalk-extractive', object: 'model', created, owned_by: 'papertalk', papertalk: { answers: 'quoted sentences of the most relevant abstracts, no LLM' } },
      ],
    });
  });

  v1.get('/models/:id', (c) => {
    const id = c.req.param('id');
    if (!(id in OPENAI_MODELS)) throw modelNotFound(id);
    return c.json({ id, object: 'model', created: Math.floor(Date.now() / 1000), owned_by: 'papertalk' });
  });

  v1.post('/chat/completions', async (c) => {
    const raw = await c.req.json().catch(() => {
      throw new PapertalkError('input_invalid', 'body: not valid JSON', { field: 'body' });
    });
    const parsed = OpenAiChatRequestSchema.safeParse(raw);
    if (!parsed.success) return validationError(c, parsed.error, 'json');
    const body = parsed.data;
    if (!(body.model in OPENAI_MODELS)) throw modelNotFound(body.model, 'model');
    const model = body.model as ModelId;
    // The same schema /api/chat validates with: one set of limits for every face.
    const checked = ChatRequestSchema.safeParse({
      messages: conversation(body.messages),
      k: body.papertalk?.k,
      mode: body.papertalk?.mode ?? OPENAI_MODELS[model],
      stream: false,
    });
    if (!checked.success) return validationError(c, checked.error, 'json');
    const { messages, k, mode } = checked.data;
    const request = { messages, k, mode };
    const id = `chatcmpl-${randomUUID()}`;
    const created = Math.floor(Date.now() / 1000);

    if (!body.stream) {
      const result = await chat.answer(request, { signal: c.req.raw.signal });
      if (!result) return c.body(null, 204);
      return c.json(await completion(id, created, model, result, engine));
    }
    return streamCompletion(c, { id, created, model, engine, run: (onEvent, signal) => chat.answer(request, { signal, onEvent }) });
  });

  v1.all('*', (c) => {
    throw new PapertalkError('not_found', `no route ${c.req.method} ${c.req.path}; papertalk serves POST /v1/chat/completions and GET /v1/models`);
  });
  return v1;
}

function modelNotFound(model: string, field?: string): PapertalkError {
  return new PapertalkError('not_found', `model "${model}" does not exist: use ${Object.keys(OPENAI_MODELS).join(' or ')} (GET /v1/models)`, { field });
}

/** papertalk's result beside OpenAI's fields: sources, citations, support check, timings. */
function extension(result: ChatResult) {
  return { papertalk: result };
}

async function completion(id: string, created: number, model: string, result: ChatResult, engine: Engine) {
  return {
    id,
    object: 'chat.completion',
    created,
    model,
    choices: [
      {
        index: 0,
        message: { role: 'assistant', content: await answerWithReferences(result, engine), refusal: null },
        logprobs: null,
        finish_reason: 'stop',
      },
    ],
    ...extension(result),
  };
}

interface StreamArgs {
  id: string;
  created: number;
  model: string;
  engine: Engine;
  run(onEvent: (event: ChatEvent) => Promise<void>, signal: AbortSignal): Promise<ChatResult | undefined>;
}

/**
 * OpenAI's stream: a role chunk (with papertalk's sources), content chunks as tokens arrive, the
 * references as a last content chunk, a chunk with finish_reason "stop" (with the whole result),
 * then `data: [DONE]`. A failure after the start is sent as an `{error}` chunk, which OpenAI
 * clients raise.
 */
function streamCompletion(c: Context, { id, created, model, engine, run }: StreamArgs) {
  const clientGone = c.req.raw.signal;
  return streamSSE(c, async (sse) => {
    const controller = new AbortController();
    const stop = () => controller.abort(new Error('client went away'));
    sse.onAbort(stop);
    clientGone.addEventListener('abort', stop, { once: true });
    const send = (data: object) => sse.writeSSE({ data: JSON.stringify(data) });
    let sources: Source[] = [];
    try {
      await run(async (event) => {
        if (event.type === 'sources') {
          sources = event.data.sources;
          await send(chunk(id, created, model, { role: 'assistant', content: '' }, null, { papertalk: { sources } }));
        } else if (event.type === 'token') {
          await send(chunk(id, created, model, { content: event.data.text }));
        } else if (event.type === 'done') {
          const references = await referencesBlock(event.data.citations, engine);
          if (references) await send(chunk(id, created, model, { content: references }));
          await send(chunk(id, created, model, {}, 'stop', extension({ ...event.data, sources })));
        } else {
          await send(toOpenAiError(502, { message: event.data.message, code: event.data.code }));
        }
      }, controller.signal);
    } catch {
      // Already sent as an error chunk.
    } finally {
      clientGone.removeEventListener('abort', stop);
    }
    if (!controller.signal.aborted) await sse.writeSSE({ data: '[DONE]' });
  });
}

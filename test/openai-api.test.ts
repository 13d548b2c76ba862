// /v1 with the official `openai` npm client against the real server (and the real ollama client
// talking to the Ollama stand-in): the client is one nobody here wrote.
import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import { answer } from './support/fake-ollama.js';
import { withFakeOllamaServer } from './support/with-fake-ollama.js';

const setup = withFakeOllamaServer();
const start = setup.start;

const client = (apiKey = 'unused') => new OpenAI({ baseURL: `${setup.server.url}/v1`, apiKey, maxRetries: 0 });
const PEFT = 'Which methods make fine-tuning of large language models parameter-efficient?';
const TOKEN = 'a-test-token-of-enough-length';

describe('POST /v1/chat/completions through the openai client', () => {
  it('answers whole: the cited answer with a references block, papertalk fields in an extension', async () => {
    await start();
    setup.fake.onChat(answer('Low-rank updates train few weights', ' [1]. ', 'Others prune [2][9].'));
    const completion = await client().chat.completions.create({
      model: 'papertalk',
      messages: [
        { role: 'system', content: 'You are a helpful assistant.' },
        { role: 'user', content: PEFT },
      ],
      temperature: 0.2,
      papertalk: { k: 4 },
    } as OpenAI.ChatCompletionCreateParamsNonStreaming);

    expect(completion.object).toBe('chat.completion');
    expect(completion.model).toBe('papertalk');
    expect(completion.choices[0]!.finish_reason).toBe('stop');
    const ext = (completion as any).papertalk;
    expect(ext.sources.map((s: any) => s.n)).toEqual([1, 2, 3, 4]);
    expect(ext.citations.map((c: any) => c.n)).toEqual([1, 2]);
    expect(ext).toMatchObject({ mode: 'llm', model: 'llama3.2', dropped_citations: 1, relevant: true });
    const content = completion.choices[0]!.message.content!;
    expect(content).toBe(
      `Low-rank updates train few weights [1]. Others prune [2].\n\nReferences\n[1] ${ext.sources[0].title} (${ext.sources[0].id})\n[2] ${ext.sources[1].title} (${ext.sources[1].id})`,
    );
    // The client's system prompt does not replace papertalk's.
    const prompt = setup.fake.chatRequests().at(-1)!.body.messages;
    expect(prompt[0].content).not.toContain('You are a helpful assistant');
  });

  it('streams OpenAI chunks: role and sources first, content deltas with [n], references, finish_reason, [DONE]', async () => {
    await start();
    setup.fake.onChat(answer('Adapters help', ' [1]', '.'));
    const stream = await client().chat.completions.create({ model: 'papertalk', messages: [{ role: 'user', content: PEFT }], stream: true });
    const chunks: OpenAI.ChatCompletionChunk[] = [];
    for await (const part of stream) chunks.push(part);

    expect(chunks[0]!.choices[0]!.delta.role).toBe('assistant');
    const sources = (chunks[0] as any).papertalk.sources;
    expect(sources).toHaveLength(6);
    const text = chunks.map((c) => c.choices[0]!.delta.content ?? '').join('');
    expect(text).toBe(`Adapters help [1].\n\nReferences\n[1] ${sources[0].title} (${sources[0].id})`);
    const last = chunks.at(-1)!;
    expect(last.choices[0]!.finish_reason).toBe('stop');
    expect(chunks.slice(0, -1).every((c) => c.choices[0]!.finish_reason === null)).toBe(true);
    expect((last as any).papertalk).toMatchObject({ answer: 'Adapters help [1].', citations: [{ n: 1, id: sources[0].id }], sources });
    expect(new Set(chunks.map((c) => c.id)).size).toBe(1);
    expect(chunks[0]!.object).toBe('chat.completion.chunk');
  });

  it('ends the raw stream with data: [DONE]', async () => {
    await start();
    const response = await fetch(`${setup.server.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'papertalk', messages: [{ role: 'user', content: PEFT }], stream: true }),
    });
    const body = await response.text();
    expect(body.trimEnd().endsWith('data: [DONE]')).toBe(true);
    expect(body).not.toMatch(/^event:/m);
  });

  it('answers extractively as papertalk-extractive, and with a notice when Ollama has no model', async () => {
    await start();
    const extractive = await client().chat.completions.create({ model: 'papertalk-extractive', messages: [{ role: 'user', content: PEFT }] });
    expect((extractive as any).papertalk.mode).toBe('extractive');
    expect(extractive.choices[0]!.message.content).toMatch(/\[1\][\s\S]*\n\nReferences\n\[1\] /);
    expect(setup.fake.chatRequests()).toHaveLength(0);

    setup.fake.models = [];
    const fallback = await client().chat.completions.create({ model: 'papertalk', messages: [{ role: 'user', content: PEFT }] });
    expect((fallback as any).papertalk).toMatchObject({ mode: 'extractive', notice: expect.stringContaining('ollama pull llama3.2') });
  });

  it('reads multi-part content and follow-ups', async () => {
    await start();
    setup.fake.onChat((body) => (body.messages[0].role === 'system' ? answer('LoRA [1].') : answer('LoRA fine-tuning')));
    const completion = await client().chat.completions.create({
      model: 'papertalk',
      messages: [
        { role: 'user', content: [{ type: 'text', text: PEFT }] },
        { role: 'assistant', content: 'Adapters and LoRA [1].' },
        { role: 'user', content: 'which of those use low-rank matrices?' },
      ],
    });
    expect(completion.choices[0]!.message.content).toMatch(/^LoRA \[1\]\./);
    const calls = setup.fake.chatRequests();
    expect(calls.length).toBe(2); // condense, then answer
  });
});

describe('/v1 errors in OpenAI shape', () => {
  it('400 names the field, as an openai BadRequestError', async () => {
    await start();
    const error = await client()
      .chat.completions.create({ model: 'papertalk', messages: [{ role: 'assistant', content: 'hi' }] })
      .catch((e) => e);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect(error.status).toBe(400);
    expect(error.type).toBe('invalid_request_error');
    expect(error.param).toBe('messages');
    expect(error.message).toContain('the last message must be the user question');
  });

  it('404 for an unknown model', async () => {
    await start();
    const error = await client()
      .chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: PEFT }] })
      .catch((e) => e);
    expect(error).toBeInstanceOf(OpenAI.NotFoundError);
    expect(error.param).toBe('model');
    expect(error.message).toContain('papertalk');
  });

  it('with a token, it is the API key: missing or wrong is a 401 AuthenticationError, right answers', async () => {
    await start({ PAPERTALK_TOKEN: TOKEN });
    const wrong = await client('not-the-token').models.list().catch((e) => e);
    expect(wrong).toBeInstanceOf(OpenAI.AuthenticationError);
    expect(wrong.code).toBe('invalid_api_key');
    const raw = await fetch(`${setup.server.url}/v1/models`);
    expect(raw.status).toBe(401);
    expect((await raw.json()).error).toMatchObject({ type: 'authentication_error', param: 'authorization', code: 'invalid_api_key' });

    const page = await client(TOKEN).models.list();
    expect(page.data.map((m) => m.id)).toEqual(['papertalk', 'papertalk-extractive']);
  });

  it('429 as a RateLimitError, sharing the limit of /api/chat', async () => {
    await start({ PAPERTALK_RATE_LIMIT_PER_MINUTE: '1' });
    const first = await fetch(`${setup.server.url}/api/chat`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ messages: [{ role: 'user', content: PEFT }], stream: false, mode: 'extractive' }),
    });
    expect(first.status).toBe(200);
    const limited = await client()
      .chat.completions.create({ model: 'papertalk-extractive', messages: [{ role: 'user', content: PEFT }] })
      .catch((e) => e);
    expect(limited).toBeInstanceOf(OpenAI.RateLimitError);
    expect(limited.type).toBe('rate_limit_error');
  });

  it('a foreign web page (Origin) is refused with 403; a loopback page is not', async () => {
    await start();
    const post = (origin: string) =>
      fetch(`${setup.server.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'text/plain', origin },
        body: JSON.stringify({ model: 'papertalk-extractive', messages: [{ role: 'user', content: PEFT }] }),
      });
    const foreign = await post('https://evil.example');
    expect(foreign.status).toBe(403);
    expect((await foreign.json()).error).toMatchObject({ type: 'permission_error', param: 'origin', code: 'forbidden' });
    expect((await post('http://localhost:8080')).status).toBe(200);
  });

  it('unknown /v1 routes are 404 in OpenAI shape', async () => {
    await start();
    const response = await fetch(`${setup.server.url}/v1/embeddings`, { method: 'POST' });
    expect(response.status).toBe(404);
    expect((await response.json()).error).toMatchObject({ type: 'invalid_request_error', code: 'not_found', param: null });
  });
});

describe('GET /v1/models', () => {
  it('lists papertalk and says which LLM is behind it', async () => {
    await start();
    const models = await client().models.list();
    const papertalk = models.data.find((m) => m.id === 'papertalk') as any;
    expect(papertalk).toMatchObject({ object: 'model', owned_by: 'papertalk', papertalk: { llm: 'llama3.2', llm_available: true } });
    const one = await client().models.retrieve('papertalk-extractive');
    expect(one.id).toBe('papertalk-extractive');
  });
});

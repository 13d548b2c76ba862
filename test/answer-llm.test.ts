import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLlmClient, type LlmConfig } from '../src/answer/llm.js';
import { answer, refusedUrl, startFakeOllama, type FakeOllama } from './support/fake-ollama.js';
import { rejectionOf } from './support/errors.js';

let fake: FakeOllama;
beforeEach(async () => {
  fake = await startFakeOllama();
});
afterEach(async () => {
  await fake.close();
});

function config(overrides: Partial<LlmConfig> = {}): LlmConfig {
  return { ollamaHost: fake.url, llmModel: 'llama3.2', llmNumCtx: 4096, llmFirstTokenTimeoutMs: 2_000, ...overrides };
}

async function collect(iterable: AsyncIterable<string>): Promise<string> {
  let text = '';
  for await (const piece of iterable) text += piece;
  return text;
}

describe('LLM client', () => {
  it('streams the tokens and sends the same num_ctx with every request', async () => {
    fake.onChat(answer('Hello', ' world'));
    const llm = createLlmClient(config());
    expect(await collect(llm.stream([{ role: 'user', content: 'hi' }]))).toBe('Hello world');
    expect(await collect(llm.stream([{ role: 'user', content: 'again, with a much longer question' }]))).toBe('Hello world');
    const sent = fake.chatRequests().map((r) => r.body.options.num_ctx);
    expect(sent).toEqual([4096, 4096]);
    expect(fake.chatRequests()[0]!.body).toMatchObject({ model: 'llama3.2', stream: true });
  });

  it('reports a model that is not pulled with the pull command', async () => {
    fake.onChat({ kind: 'model-missing' });
    const error = await rejectionOf(collect(createLlmClient(config({ llmModel: 'qwen9' })).stream([{ role: 'user', content: 'hi' }])));
    expect(error.code).toBe('llm_model_missing');
    expect(error.message).toContain('ollama pull qwen9');
  });

  it('reports a refused connection as unreachable, naming the host', async () => {
    const host = await refusedUrl();
    const error = await rejectionOf(collect(createLlmClient(config({ ollamaHost: host })).stream([{ role: 'user', content: 'hi' }])));
    expect(error.code).toBe('llm_unreachable');
    expect(error.message).toContain(host);
  });

  it('gives up when the first token does not come in time, and closes the request', async () => {
    fake.onChat({ kind: 'stall' });
    const llm = createLlmClient(config({ llmFirstTokenTimeoutMs: 150 }));
    const started = Date.now();
    const error = await rejectionOf(collect(llm.stream([{ role: 'user', content: 'hi' }])));
    expect(error.code).toBe('llm_timeout');
    expect(Date.now() - started).toBeLessThan(1_500);
    const index = fake.requests.findIndex((r) => r.path === '/api/chat');
    expect((await fake.ended(index)).closedEarly).toBe(true);
  });

  it('turns a connection that dies mid-stream into llm_failed after the tokens already sent', async () => {
    fake.onChat({ kind: 'die', tokens: ['partial', ' answer'] });
    const pieces: string[] = [];
    const error = await rejectionOf(
      (async () => {
        for await (const piece of createLlmClient(config()).stream([{ role: 'user', content: 'hi' }])) pieces.push(piece);
      })(),
    );
    expect(error.code).toBe('llm_failed');
    expect(pieces.join('')).toBe('partial answer');
  });

  it('aborts only its own request when the caller aborts', async () => {
    fake.onChat({ kind: 'answer', tokens: Array.from({ length: 40 }, (_, i) => `t${i} `), delayMs: 10 });
    const llm = createLlmClient(config());
    const controller = new AbortController();
    const first = llm.stream([{ role: 'user', content: 'one' }], { signal: controller.signal });
    const second = collect(llm.stream([{ role: 'user', content: 'two' }]));
    const firstText: Promise<unknown> = (async () => {
      for await (const piece of first) if (piece.startsWith('t2')) controller.abort(new Error('stopped by user'));
    })().catch((e: unknown) => e);
    expect(String(await firstText)).toContain('stopped by user');
    const chats = fake.requests.map((r, i) => ({ r, i })).filter(({ r }) => r.path === '/api/chat');
    const ended = await Promise.all(chats.map(({ i }) => fake.ended(i)));
    const byBody = (content: string) => ended.find((r) => r.body.messages[0].content === content)!;
    expect(byBody('one').closedEarly).toBe(true);
    expect(await second).toContain('t39');
    expect(byBody('two').completed).toBe(true);
  });

  it('probes availability once and caches it briefly', async () => {
    const llm = createLlmClient(config(), { statusTtlMs: 60_000 });
    expect(await llm.status()).toEqual({ reachable: true, model: 'llama3.2', model_available: true, host: fake.url });
    await llm.status();
    expect(fake.requests.filter((r) => r.path === '/api/tags')).toHaveLength(1);
  });

  it('says which model is missing when the server is up but the model is not pulled', async () => {
    fake.models = ['mistral:latest'];
    const status = await createLlmClient(config()).status();
    expect(status).toMatchObject({ reachable: true, model_available: false });
    expect(status.reason).toContain('ollama pull llama3.2');
  });

  it('answers the probe quickly for an unreachable host', async () => {
    const host = await refusedUrl();
    const started = Date.now();
    const status = await createLlmClient(config({ ollamaHost: host })).status();
    expect(status).toMatchObject({ reachable: false, model_available: false, host });
    expect(status.reason).toContain(`LLM not reachable at ${host}`);
    expect(Date.now() - started).toBeLessThan(1_000);
  });
});

// POST /api/chat over real HTTP, with the real ollama client talking to a fake Ollama server.
import { NOT_COVERED_SENTENCE } from '../src/answer/chat-service.js';
import { describe, expect, it } from 'vitest';
import { answer, refusedUrl } from './support/fake-ollama.js';
import { readSse } from './support/sse.js';
import { withFakeOllamaServer } from './support/with-fake-ollama.js';

const setup = withFakeOllamaServer();
const start = setup.start;

function post(body: unknown, init: RequestInit = {}): Promise<Response> {
  return fetch(`${setup.server.url}/api/chat`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
    ...init,
  });
}

const ask = (content: string, extra: object = {}) => ({ messages: [{ role: 'user', content }], ...extra });
const PEFT = 'Which methods make fine-tuning of large language models parameter-efficient?';
const isAnswerCall = (body: any) => body.messages[0].role === 'system';

describe('POST /api/chat (streamed)', () => {
  it('sends sources, then tokens, then done, with invented citation numbers removed', async () => {
    await start();
    setup.fake.onChat(answer('Several methods reduce trainable parameters', ' [1]. ', 'One trains only a few weights [2][9].'));
    const response = await post(ask(PEFT, { k: 4 }));
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    const events = await readSse(response);

    expect(events.map((e) => e.event)).toEqual(['sources', 'token', 'token', 'token', 'done']);
    const { sources } = events[0]!.data;
    expect(sources.map((s: any) => s.n)).toEqual([1, 2, 3, 4]);
    expect(sources[0]).toEqual({ n: 1, id: expect.any(String), title: expect.any(String), snippet: expect.any(String), score: expect.any(Number) });
    expect(events.filter((e) => e.event === 'token').map((e) => e.data.text).join('')).toContain('[2][9]');

    const done = events.at(-1)!.data;
    expect(done.answer).toBe('Several methods reduce trainable parameters [1]. One trains only a few weights [2].');
    expect(done.citations).toEqual([
      { n: 1, id: sources[0].id, title: sources[0].title },
      { n: 2, id: sources[1].id, title: sources[1].title },
    ]);
    expect(done).toMatchObject({ dropped_citations: 1, relevant: true, mode: 'llm', model: 'llama3.2' });
    expect(done.notice).toBeUndefined();
    expect(done.timings.first_token_ms).toBeGreaterThanOrEqual(done.timings.retrieve_ms);
    expect(done.timings.total_ms).toBeGreaterThanOrEqual(done.timings.first_token_ms);
  });

  it('puts the numbered abstracts, fenced as data, into the prompt with the fixed num_ctx', async () => {
    // Room for three whole abstracts (the estimate overcounts), so none is dropped to fit.
    await start({ PAPERTALK_LLM_NUM_CTX: '4096' });
    await readSse(await post(ask(PEFT, { k: 3 })));
    await readSse(await post(ask('How does prepacking speed up prefilling for prompts of different lengths?', { k: 8 })));
    const calls = setup.fake.chatRequests();
    expect(calls.map((r) => r.body.options.num_ctx)).toEqual([4096, 4096]);
    const prompt: string = calls[0]!.body.messages[1].content;
    expect(prompt).toContain('<<<PAPER [1]');
    expect(prompt).toContain('END PAPER [3]>>>');
    expect(prompt).not.toContain('PAPER [4]');
    expect(calls[0]!.body.messages[0].content).toMatch(/ignore them/i);
  });

  it('flags a cited sentence its abstract does not support', async () => {
    await start();
    setup.fake.onChat(answer('The first paper shows that penguins migrate across Antarctica every winter [1].'));
    const done = (await readSse(await post(ask(PEFT)))).at(-1)!.data;
    expect(done.unsupported).toEqual([{ n: 1, sentence: 'The first paper shows that penguins migrate across Antarctica every winter.' }]);
  });

  it('condenses a follow-up with the LLM before retrieval, and retrieves for the condensed query', async () => {
    await start();
    setup.fake.onChat((body) => (isAnswerCall(body) ? answer('They were compared on benchmarks [1].') : answer('Portuguese large language models evaluation')));
    const events = await readSse(
      await post({
        messages: [
          { role: 'user', content: 'Which language models exist for Portuguese?' },
          { role: 'assistant', content: 'Sabiá and PTT5 [1][2].' },
          { role: 'user', content: 'How were they evaluated?' },
        ],
      }),
    );
    const [condense, reply] = setup.fake.chatRequests();
    expect(isAnswerCall(condense!.body)).toBe(false);
    expect(condense!.body.messages[0].content).toContain('User: Which language models exist for Portuguese?');
    expect(condense!.body.messages[0].content).toContain('Last question: How were they evaluated?');
    expect(condense!.body.options.num_ctx).toBe(reply!.body.options.num_ctx);
    expect(reply!.body.messages[1].content).toContain('Question: How were they evaluated?');
    expect(events[0]!.data.sources.slice(0, 3).some((s: any) => /Portuguese|Sabiá/.test(s.title))).toBe(true);
  });

  describe('a follow-up about one paper of the last answer ("the second one", "[2]")', () => {
    const FIRST = 'which papers prune large language models?';
    const previous = async () => {
      const first = await (await post(ask(FIRST, { stream: false, mode: 'extractive' }))).json();
      const sources = first.sources.map(({ n, id }: { n: number; id: string }) => ({ n, id }));
      return { first, history: [{ role: 'user', content: FIRST }, { role: 'assistant', content: first.answer, sources }] };
    };

    it('answers from that paper: it comes first, and the quotes are its own', async () => {
      await start();
      const { first, history } = await previous();
      const second = first.sources[1];
      const response = await post({ messages: [...history, { role: 'user', content: 'tell me more about the second one' }], stream: false, mode: 'extractive' });
      const body = await response.json();
      expect(body).toMatchObject({ follow_up: true, relevant: true, coverage: 'covered' });
      expect(body.sources[0].id).toBe(second.id);
      expect(body.citations.map((c: any) => c.id)).toEqual([second.id]);
      // "second" is how the user pointed, not what they asked about: the paper's title is searched instead.
      expect(body.query.split('\n')).toEqual(['tell me more about', second.title]);
    });

    it('tells the LLM which of its numbers the paper now has, without a condense call', async () => {
      await start();
      const { first, history } = await previous();
      setup.fake.onChat(answer('It evaluates on GLUE [1].'));
      await readSse(await post({ messages: [...history, { role: 'user', content: 'which benchmarks does [3] use?' }] }));
      const calls = setup.fake.chatRequests();
      expect(calls).toHaveLength(1);
      expect(calls[0]!.body.messages[1].content).toContain(`Question: which benchmarks does [3] use?\n(The paper meant: [1] ${first.sources[2].title}.)`);
    });

    it('answers "who wrote it?" from the index\'s record, without the LLM, saying what the record lacks', async () => {
      await start();
      const { first, history } = await previous();
      setup.fake.onChat(answer('An invented author list [1].'));
      const body = await (await post({ messages: [...history, { role: 'user', content: 'who wrote the second one?' }], stream: false })).json();
      // The sample listings carry no authors: it says so rather than guessing.
      expect(body.answer).toBe(`- ${first.sources[1].title} [1]: no authors in the index`);
      expect(body.citations.map((c: any) => c.id)).toEqual([first.sources[1].id]);
      expect(setup.fake.chatRequests()).toHaveLength(0);
    });

    it('answers a follow-up whose pointer names a paper the index does not hold as an ordinary follow-up', async () => {
      await start();
      const { history } = await previous();
      const gone = [history[0]!, { ...history[1]!, sources: [{ n: 1, id: 'not-in-the-index' }] }];
      const response = await post({ messages: [...gone, { role: 'user', content: 'tell me more about [1]' }], stream: false, mode: 'extractive' });
      expect(response.status).toBe(200);
      const body = await response.json();
      expect(body).toMatchObject({ follow_up: true, relevant: true });
      expect(body.citations.length).toBeGreaterThan(0);
    });

    it('searches as before when the last answer came without its sources', async () => {
      await start();
      const { history } = await previous();
      const bare = history.map(({ role, content }) => ({ role, content }));
      const body = await (await post({ messages: [...bare, { role: 'user', content: 'tell me more about the second one' }], stream: false, mode: 'extractive' })).json();
      expect(body).toMatchObject({ follow_up: true });
      expect(body.query).not.toMatch(/second/i);
    });
  });

  it('refuses sources that are not numbered papers with a 400 naming the field', async () => {
    await start();
    const response = await post({ messages: [{ role: 'user', content: 'q' }, { role: 'assistant', content: 'a', sources: [{ n: 0, id: 'x' }] }, { role: 'user', content: 'more?' }] });
    expect(response.status).toBe(400);
    expect((await response.json()).error.field).toMatch(/^messages\.1\.sources/);
  });

  it('falls back to the deterministic rewrite and an extractive answer when the condense call times out', async () => {
    await start({ PAPERTALK_LLM_FIRST_TOKEN_TIMEOUT_MS: '200' });
    setup.fake.onChat({ kind: 'stall' });
    const done = (
      await readSse(
        await post({
          messages: [
            { role: 'user', content: 'Are there BERT models for Dutch?' },
            { role: 'assistant', content: 'Yes, RobBERT [1].' },
            { role: 'user', content: 'Were they updated for newer language use?' },
          ],
        }),
      )
    ).at(-1)!.data;
    expect(done.mode).toBe('extractive');
    // One reason, the real one (not also a vague "LLM not available" after it).
    expect(done.notice).toMatch(/sent nothing/);
    expect(done.notice!.match(/showing an extractive summary/g)).toHaveLength(1);
    expect(setup.fake.chatRequests()).toHaveLength(1);
    expect(done.citations.some((c: any) => c.title.startsWith('RobBERT-2022'))).toBe(true);
    // done says what was searched: the follow-up, weighted twice, with the question it follows.
    expect(done).toMatchObject({ follow_up: true });
    expect(done.query.split('\n')).toEqual([
      'Were they updated for newer language use?',
      'Were they updated for newer language use?',
      'Are there BERT models for Dutch?',
    ]);
  });

  it('searches a self-contained question alone after another topic, without asking the LLM to rewrite it', async () => {
    await start();
    setup.fake.onChat(answer('SparseGPT prunes without retraining [1].'));
    const question = 'which papers prune large language models without retraining?';
    const done = (
      await readSse(
        await post({
          messages: [
            { role: 'user', content: 'parameter-efficient fine-tuning with LoRA' },
            { role: 'assistant', content: 'LoRA, DyLoRA and IncreLoRA [1, 2, 3].' },
            { role: 'user', content: question },
          ],
        }),
      )
    ).at(-1)!.data;
    expect(done).toMatchObject({ follow_up: false, query: question });
    // One LLM call: the answer. No condense call for a question that stands alone.
    expect(setup.fake.chatRequests()).toHaveLength(1);
  });

  it('does not let an LLM rewrite that drifts off the conversation replace the deterministic query', async () => {
    await start();
    // The first call is the condense prompt, the second the answer.
    setup.fake.onChat((_body, index) => (index === 0 ? answer('bread baking temperatures') : answer('Low-rank adapters [1].')));
    const done = (
      await readSse(
        await post({
          messages: [
            { role: 'user', content: 'parameter-efficient fine-tuning with LoRA' },
            { role: 'assistant', content: 'LoRA [1].' },
            { role: 'user', content: 'which of those work for small models?' },
          ],
        }),
      )
    ).at(-1)!.data;
    expect(done.query).not.toContain('bread');
    expect(done.query).toContain('parameter-efficient fine-tuning with LoRA');
  });

  it('counts an LLM reply that the abstracts do not answer as "not covered"', async () => {
    await start();
    setup.fake.onChat(answer(NOT_COVERED_SENTENCE));
    const done = (await readSse(await post(ask(PEFT)))).at(-1)!.data;
    expect(done).toMatchObject({ mode: 'llm', relevant: false, coverage: 'none', citations: [] });
  });

  it('does not condense a first question', async () => {
    await start();
    await readSse(await post(ask(PEFT)));
    expect(setup.fake.chatRequests()).toHaveLength(1);
  });

  it('stops generating when the client goes away', async () => {
    await start();
    setup.fake.onChat({ kind: 'answer', tokens: Array.from({ length: 200 }, (_, i) => `word${i} `), delayMs: 20 });
    const client = new AbortController();
    const response = await post(ask(PEFT), { signal: client.signal });
    await readSse(response, (e) => e.event === 'token');
    client.abort();
    const index = setup.fake.requests.findIndex((r) => r.path === '/api/chat');
    const request = await setup.fake.ended(index);
    expect(request.closedEarly).toBe(true);
  });

  it('answers extractively with a notice when Ollama is not reachable', async () => {
    const host = await refusedUrl();
    await start({ OLLAMA_HOST: host });
    const events = await readSse(await post(ask(PEFT)));
    expect(events[0]!.event).toBe('sources');
    expect(events.filter((e) => e.event === 'token').length).toBeGreaterThan(1);
    const done = events.at(-1)!.data;
    expect(done).toMatchObject({ mode: 'extractive', model: null, relevant: true, notice: `LLM not reachable at ${host}: showing an extractive summary` });
    expect(done.citations.length).toBeGreaterThan(0);
    expect(done.answer).toMatch(/\[1\]/);
  });

  it('tells how to pull a missing model, and answers extractively', async () => {
    await start();
    setup.fake.onChat({ kind: 'model-missing' });
    const done = (await readSse(await post(ask(PEFT)))).at(-1)!.data;
    expect(done.mode).toBe('extractive');
    expect(done.notice).toContain('ollama pull llama3.2');
  });

  it('does not call the LLM when the model is not listed by Ollama', async () => {
    setup.fake.models = ['mistral:latest'];
    await start();
    const done = (await readSse(await post(ask(PEFT)))).at(-1)!.data;
    expect(done.notice).toContain('ollama pull llama3.2');
    expect(setup.fake.chatRequests()).toHaveLength(0);
  });

  it('falls back when the first token does not come in time', async () => {
    await start({ PAPERTALK_LLM_FIRST_TOKEN_TIMEOUT_MS: '200' });
    setup.fake.onChat({ kind: 'stall' });
    const started = Date.now();
    const done = (await readSse(await post(ask(PEFT)))).at(-1)!.data;
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(done.mode).toBe('extractive');
    expect(done.notice).toMatch(/sent nothing for .* extractive summary/);
  });

  it('sends an error event after the tokens when the LLM dies mid-answer', async () => {
    await start();
    setup.fake.onChat({ kind: 'die', tokens: ['Half an ', 'answer'] });
    const events = await readSse(await post(ask(PEFT)));
    expect(events.map((e) => e.event)).toEqual(['sources', 'token', 'token', 'error']);
    expect(events.at(-1)!.data.message).toMatch(/LLM at .* failed/);
  });

  it('says the papers do not cover an unrelated question, without asking the LLM', async () => {
    await start();
    const events = await readSse(await post(ask('What temperature should I bake sourdough bread at?')));
    const done = events.at(-1)!.data;
    expect(done).toMatchObject({ relevant: false, coverage: 'none', mode: 'none', model: null });
    // It says what happened (how many papers were searched, which words none of them has)…
    expect(done.answer).toMatch(/^None of the 632 indexed papers seems to cover this question: no indexed paper mentions “bake”, “sourdough”/);
    // …and still offers the closest papers, labelled as such.
    expect(done.answer).toMatch(/closest papers, possibly unrelated:\n- .+ \[1\]/);
    expect(setup.fake.chatRequests()).toHaveLength(0);
  });

  it('answers a question the papers cover only in part, with a caveat naming what the closest papers lack', async () => {
    await start();
    const done = (await readSse(await post(ask('speech recognition from lip movements', { mode: 'extractive' })))).at(-1)!.data;
    expect(done).toMatchObject({ relevant: true, coverage: 'partial', mode: 'extractive' });
    expect(done.citations.length).toBeGreaterThan(0);
    // The corpus has speech recognition papers, none about lips: the caveat says which words.
    expect(done.notice).toMatch(/^The indexed papers cover this question only in part \(none of the closest papers mentions “lip”/);
  });

  it('answers extractively when asked to, without calling the LLM', async () => {
    await start();
    const done = (await readSse(await post(ask(PEFT, { mode: 'extractive' })))).at(-1)!.data;
    expect(done.mode).toBe('extractive');
    expect(done.notice).toBeUndefined();
    expect(setup.fake.requests).toHaveLength(0);
  });
});

describe('POST /api/chat (stream: false)', () => {
  it('returns one JSON object with the done fields and the sources', async () => {
    await start();
    setup.fake.onChat(answer('Low-rank adapters help [2].'));
    const response = await post(ask(PEFT, { stream: false, k: 3 }));
    expect(response.status).toBe(200);
    const body = await response.json();
    expect(Object.keys(body).sort()).toEqual(
      ['answer', 'citations', 'coverage', 'dropped_citations', 'follow_up', 'mode', 'model', 'query', 'relevant', 'sources', 'timings', 'unsupported'].sort(),
    );
    expect(body.sources).toHaveLength(3);
    expect(body.citations).toEqual([{ n: 2, id: body.sources[1].id, title: body.sources[1].title }]);
  });

  it('answers a mid-answer LLM failure with an error status and message', async () => {
    await start();
    setup.fake.onChat({ kind: 'die', tokens: ['Half'] });
    const response = await post(ask(PEFT, { stream: false }));
    expect(response.status).toBe(502);
    expect((await response.json()).error.code).toBe('llm_failed');
  });
});

describe('POST /api/chat input checks', () => {
  const cases: Array<[string, unknown, string]> = [
    ['k is 0', ask('q', { k: 0 }), 'k'],
    ['k is 21', ask('q', { k: 21 }), 'k'],
    ['there are no messages', { messages: [] }, 'messages'],
    ['the last message is not from the user', { messages: [{ role: 'user', content: 'a' }, { role: 'assistant', content: 'b' }] }, 'messages'],
    ['a message is empty', ask('   '), 'messages.0.content'],
    ['a message is too long', ask('x'.repeat(4001)), 'messages.0.content'],
    ['a role is unknown', { messages: [{ role: 'system', content: 'obey' }] }, 'messages.0.role'],
    ['there are too many messages', { messages: Array.from({ length: 51 }, () => ({ role: 'user', content: 'q' })) }, 'messages'],
    ['mode is unknown', ask('q', { mode: 'magic' }), 'mode'],
  ];
  for (const [what, body, field] of cases) {
    it(`answers with a 400 naming ${field} when ${what}`, async () => {
      await start();
      const response = await post(body);
      expect(response.status).toBe(400);
      expect(response.headers.get('content-type')).toContain('application/json');
      const { error } = await response.json();
      expect(error).toMatchObject({ code: 'input_invalid', field });
    });
  }

  it('documents the route in /api/openapi.json', async () => {
    await start();
    const spec = await (await fetch(`${setup.server.url}/api/openapi.json`)).json();
    expect(spec.paths['/api/chat'].post.requestBody.content['application/json'].schema).toBeDefined();
  });

  it('reports the LLM status in /api/health', async () => {
    await start();
    const health = await (await fetch(`${setup.server.url}/api/health`)).json();
    expect(health.llm).toEqual({ reachable: true, model: 'llama3.2', model_available: true, host: setup.fake.url });
  });
});

// How long papertalk itself takes before the first answer token: retrieval, relevance check,
// context fitting and prompt building, with an LLM that answers at once (so model time is 0).
// Target: p50 under 50 ms on the sample corpus. Baseline in the same run: a bare search call.
// Then the same answers over real HTTP through the server: POST /api/chat against the
// OpenAI-compatible POST /v1/chat/completions, so the /v1 face's own overhead shows side by side.
//
//   npm run bench:first-token
import { createParser } from 'eventsource-parser';
import { createChatService } from '../src/answer/chat-service.js';
import { createLlmClient, type LlmClient } from '../src/answer/llm.js';
import { loadPrompts } from '../src/answer/prompts.js';
import { createServerApp } from '../src/server/index.js';
import { listen } from '../src/server/serve.js';
import { makeTestEngine } from '../test/support/engine.js';
import { answer, startFakeOllama } from '../test/support/fake-ollama.js';

const questions = [
  'Which methods make fine-tuning of large language models parameter-efficient?',
  'How can prompts of different lengths be packed together to speed up prefilling?',
  'What is the effect of the age of pretraining data on model performance?',
  'small BERT models for the Turkish language',
  'text-to-audio generation with a diffusion transformer',
  'How large is the biggest Llama 3 model?',
  'distilling self-attention relations to compress transformers',
  'Do larger language models need larger vocabularies?',
  'selecting diverse data for instruction tuning',
  'how does quantization after training affect LLM quality',
];
const ROUNDS = 10;
const K = 6;

/** An LLM that is there and answers instantly: what remains is papertalk's own time. */
const instantLlm: LlmClient = {
  host: 'in-process',
  model: 'instant',
  status: async () => ({ reachable: true, model: 'instant', model_available: true, host: 'in-process' }),
  invalidate() {},
  async *stream() {
    yield 'Answer [1].';
  },
};

function stats(values: number[]) {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
  return { p50: at(0.5), p95: at(0.95), n: values.length };
}

const engine = await makeTestEngine();
const fake = await startFakeOllama();
fake.onChat(answer('Answer [1].'));
const prompts = loadPrompts();
const inProcess = createChatService(engine, prompts, { llm: instantLlm });
const overHttp = createChatService(engine, prompts, { llm: createLlmClient({ ...engine.config, ollamaHost: fake.url }) });

const search: number[] = [];
const firstToken: number[] = [];
const firstTokenHttp: number[] = [];
const extractiveAfterRetrieval: number[] = [];

// Warm-up: JIT, the index's first reads, the LLM status probe.
for (const q of questions) {
  await engine.search(q, { k: K });
  await inProcess.answer({ messages: [{ role: 'user', content: q }], k: K });
  await overHttp.answer({ messages: [{ role: 'user', content: q }], k: K });
}

for (let round = 0; round < ROUNDS; round++) {
  for (const q of questions) {
    const messages = [{ role: 'user' as const, content: q }];
    const started = performance.now();
    await engine.search(q, { k: K });
    search.push(performance.now() - started);

    const local = await inProcess.answer({ messages, k: K });
    firstToken.push(local!.timings.first_token_ms);

    const http = await overHttp.answer({ messages, k: K });
    firstTokenHttp.push(http!.timings.first_token_ms);

    const extractive = await inProcess.answer({ messages, k: K, mode: 'extractive' });
    extractiveAfterRetrieval.push(extractive!.timings.total_ms - extractive!.timings.retrieve_ms);
  }
}

const base = stats(search);
const rows: Array<[string, ReturnType<typeof stats>]> = [
  ['bare search (baseline)', base],
  ['first token, in-process LLM', stats(firstToken)],
  ['first token, fake Ollama over HTTP', stats(firstTokenHttp)],
  ['extractive answer, after retrieval', stats(extractiveAfterRetrieval)],
];
console.log(`first-token benchmark: ${engine.health().papers} papers, ${questions.length} questions x ${ROUNDS} rounds, k=${K}, lexical search\n`);
console.log(`${'measure'.padEnd(38)} ${'p50 ms'.padStart(8)} ${'p95 ms'.padStart(8)} ${'p50/base'.padStart(9)}`);
for (const [name, s] of rows) {
  console.log(`${name.padEnd(38)} ${s.p50.toFixed(1).padStart(8)} ${s.p95.toFixed(1).padStart(8)} ${(s.p50 / base.p50).toFixed(2).padStart(9)}`);
}
const target = stats(firstToken).p50;
console.log(`\ntarget: first-token p50 < 50 ms (in-process LLM): ${target < 50 ? 'met' : 'NOT met'} (${target.toFixed(1)} ms)`);
const extractiveP95 = stats(extractiveAfterRetrieval).p95;
console.log(`target: extractive answer < 100 ms after retrieval: ${extractiveP95 < 100 ? 'met' : 'NOT met'} (p95 ${extractiveP95.toFixed(1)} ms)`);

// The faces over HTTP, both answered by the fake Ollama at once: client-side time to the first
// answer text (streamed), and to the whole response (stream: false).
const server = await listen(createServerApp(engine, { llm: createLlmClient({ ...engine.config, ollamaHost: fake.url }) }), { host: '127.0.0.1', port: 0 });

/** Milliseconds from sending the request to the first SSE event `isText` accepts. */
async function timeToText(url: string, body: object, isText: (event: { event?: string; data: string }) => boolean): Promise<number> {
  const started = performance.now();
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  let at: number | undefined;
  const parser = createParser({ onEvent: (event) => void (at ??= isText(event) ? performance.now() : undefined) });
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    parser.feed(decoder.decode(value, { stream: true }));
  }
  if (at === undefined) throw new Error(`no answer text from ${url}`);
  return at - started;
}

async function timeWhole(url: string, body: object): Promise<number> {
  const started = performance.now();
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  await response.json();
  return performance.now() - started;
}

const apiChat = `${server.url}/api/chat`;
const openAi = `${server.url}/v1/chat/completions`;
const faces = { apiFirst: [] as number[], v1First: [] as number[], apiWhole: [] as number[], v1Whole: [] as number[] };
const apiIsText = (e: { event?: string }) => e.event === 'token';
const v1IsText = (e: { data: string }) => e.data !== '[DONE]' && Boolean(JSON.parse(e.data).choices?.[0]?.delta?.content);
for (let round = -1; round < ROUNDS; round++) {
  for (const q of questions) {
    const messages = [{ role: 'user', content: q }];
    // Alternate which face goes first, so neither always meets a warmer cache.
    const pair = [
      async () => {
        const first = await timeToText(apiChat, { messages, k: K }, apiIsText);
        const whole = await timeWhole(apiChat, { messages, k: K, stream: false });
        if (round >= 0) faces.apiFirst.push(first), faces.apiWhole.push(whole);
      },
      async () => {
        const first = await timeToText(openAi, { model: 'papertalk', messages, stream: true, papertalk: { k: K } }, v1IsText);
        const whole = await timeWhole(openAi, { model: 'papertalk', messages, papertalk: { k: K } });
        if (round >= 0) faces.v1First.push(first), faces.v1Whole.push(whole);
      },
    ];
    for (const run of round % 2 === 0 ? pair : pair.reverse()) await run();
  }
}
await server.close();

const faceRows: Array<[string, ReturnType<typeof stats>, ReturnType<typeof stats>]> = [
  ['first answer text, streamed', stats(faces.apiFirst), stats(faces.v1First)],
  ['whole answer, stream: false', stats(faces.apiWhole), stats(faces.v1Whole)],
];
console.log(`
over HTTP, fake Ollama answering at once (client-side times, ${questions.length} questions x ${ROUNDS} rounds)
`);
console.log(`${'measure'.padEnd(30)} ${'/api/chat p50'.padStart(14)} ${'/v1 p50'.padStart(9)} ${'/v1 p95'.padStart(9)} ${'/v1 − /api'.padStart(11)} ${'ratio'.padStart(6)}`);
for (const [name, api, v1] of faceRows) {
  console.log(
    `${name.padEnd(30)} ${api.p50.toFixed(1).padStart(14)} ${v1.p50.toFixed(1).padStart(9)} ${v1.p95.toFixed(1).padStart(9)} ${(v1.p50 - api.p50).toFixed(1).padStart(11)} ${(v1.p50 / api.p50).toFixed(2).padStart(6)}`,
  );
}

await fake.close();
await engine.close();

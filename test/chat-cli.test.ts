// `papertalk ask` and `papertalk chat` through runAsk/runChat, on a real engine and a fake Ollama.
import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createChatService, type ChatService } from '../src/answer/chat-service.js';
import { createLlmClient } from '../src/answer/llm.js';
import { loadPrompts } from '../src/answer/prompts.js';
import { runAsk, runChat } from '../src/cli/chat.js';
import type { Io } from '../src/cli/output.js';
import type { Engine } from '../src/engine.js';
import { makeTestEngine } from './support/engine.js';
import { answer, startFakeOllama, type FakeOllama } from './support/fake-ollama.js';

let engine: Engine;
let fake: FakeOllama;
let chat: ChatService;
beforeEach(async () => {
  fake = await startFakeOllama();
  engine = await makeTestEngine({ env: { OLLAMA_HOST: fake.url } });
  chat = createChatService(engine, loadPrompts(), { llm: createLlmClient(engine.config) });
});
afterEach(async () => {
  await engine.close();
  await fake.close();
});

function captureIo(): Io & { stdout: () => string; stderr: () => string } {
  let out = '';
  let err = '';
  return { out: (t) => void (out += t), err: (t) => void (err += t), isTTY: false, stdout: () => out, stderr: () => err };
}

async function until(check: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const started = Date.now();
  while (!check()) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const PEFT = 'Which methods make fine-tuning of large language models parameter-efficient?';

describe('papertalk ask', () => {
  it('streams the answer and lists the cited papers', async () => {
    fake.onChat(answer('Low-rank adapters ', 'grow their rank [1].'));
    const io = captureIo();
    expect(await runAsk(chat, PEFT, {}, io)).toBe(0);
    // The sentence is scripted, so the support check may flag it: that line is allowed, nothing else.
    expect(io.stdout()).toMatch(/^Low-rank adapters grow their rank \[1\]\.\n\nCited papers:\n {2}\[1\] .+ \(.+\)\n( {2}check: .+\n)?$/);
  });

  it('prints the done fields and the sources as JSON with --json', async () => {
    const io = captureIo();
    expect(await runAsk(chat, PEFT, { json: true, mode: 'extractive', k: 2 }, io)).toBe(0);
    const printed = JSON.parse(io.stdout());
    expect(printed).toMatchObject({ mode: 'extractive', relevant: true, dropped_citations: 0 });
    expect(printed.sources).toHaveLength(2);
    expect(printed.citations[0]).toEqual({ n: 1, id: printed.sources[0].id, title: printed.sources[0].title });
  });

  it('says so when the indexed papers do not cover the question', async () => {
    const io = captureIo();
    await runAsk(chat, 'How do I file for divorce in California?', {}, io);
    expect(io.stdout()).toContain('seems to cover this question');
    expect(io.stdout()).toContain('Closest papers (possibly unrelated):');
  });

  it('prints the fallback notice when the LLM is not there', async () => {
    fake.models = [];
    const io = captureIo();
    await runAsk(chat, PEFT, {}, io);
    expect(io.stdout()).toContain('note: model "llama3.2" is not pulled (run `ollama pull llama3.2`): showing an extractive summary');
  });

  it('exits 1 with one readable line when the answer fails', async () => {
    fake.onChat({ kind: 'die', tokens: ['Half'] });
    const io = captureIo();
    expect(await runAsk(chat, PEFT, {}, io)).toBe(1);
    expect(io.stderr()).toMatch(/^papertalk: LLM at .* failed: .*\n$/);
  });
});

describe('papertalk chat', () => {
  it('answers piped questions in turn, each seeing the conversation so far', async () => {
    fake.onChat((body) => (body.messages[0].role === 'system' ? answer('An answer [1].') : answer('Portuguese language models evaluation')));
    const input = new PassThrough();
    const io = captureIo();
    const session = runChat(chat, { input, output: new PassThrough(), terminal: false }, io);
    input.end('Which language models exist for Portuguese?\nHow were they evaluated?\n');
    expect(await session).toBe(0);
    expect(io.stdout().match(/An answer \[1\]\./g)).toHaveLength(2);
    const [first, condense, second] = fake.chatRequests();
    expect(first!.body.messages[1].content).toContain('Question: Which language models exist for Portuguese?');
    expect(condense!.body.messages[0].content).toContain('Assistant: An answer [1].');
    expect(second!.body.messages[1].content).toContain('Question: How were they evaluated?');
  });

  it('keeps each answer\'s papers, so "the second one" is the second paper it listed', async () => {
    fake.onChat((body) => answer(body.messages[1].content.includes('The paper meant: [1] ') ? 'More about it [1].' : 'Pruning papers [1][2].'));
    const input = new PassThrough();
    const io = captureIo();
    const session = runChat(chat, { input, output: new PassThrough(), terminal: false }, io);
    input.end('which papers prune large language models?\ntell me more about the second one\n');
    expect(await session).toBe(0);
    const listed = [...io.stdout().matchAll(/^ {2}\[(\d+)\] (.+) {2}\(/gm)].map((m) => ({ n: Number(m[1]), title: m[2] }));
    const second = listed.find((paper) => paper.n === 2)!.title;
    // The follow-up's one cited paper is that one, now [1].
    expect(listed.at(-1)).toEqual({ n: 1, title: second });
    expect(fake.chatRequests().at(-1)!.body.messages[1].content).toContain(`(The paper meant: [1] ${second}.)`);
  });

  it('stops the current answer on Ctrl-C and keeps the session; Ctrl-C twice at an empty prompt exits', async () => {
    fake.onChat({ kind: 'answer', tokens: Array.from({ length: 300 }, (_, i) => `w${i} `), delayMs: 20 });
    const input = new PassThrough();
    const io = captureIo();
    const session = runChat(chat, { input, output: new PassThrough(), terminal: true }, io);
    input.write(`${PEFT}\r`);
    await until(() => io.stdout().includes('w3 '), 'the first tokens');
    input.write('\x03');
    await until(() => io.stdout().includes('(stopped)'), 'the answer to stop');
    expect((await fake.ended(fake.requests.findIndex((r) => r.path === '/api/chat'))).closedEarly).toBe(true);

    input.write('\x03');
    await until(() => io.stdout().includes('(press Ctrl-C again or Ctrl-D to exit)'), 'the exit hint');
    input.write('\x03');
    expect(await session).toBe(0);
  });

  it('ends the session on Ctrl-D', async () => {
    const input = new PassThrough();
    const session = runChat(chat, { input, output: new PassThrough(), terminal: true }, captureIo());
    input.write('\x04');
    expect(await session).toBe(0);
  });
});

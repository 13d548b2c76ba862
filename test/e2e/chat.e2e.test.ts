// The chat page in a real Chromium against the real server (sample corpus, lexical search) and a
// fake Ollama: streaming answers, citations, stop, persistence, safety against hostile titles.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { DESKTOP, launchBrowser, openPage, PHONE, screenshot, type OpenedPage } from '../support/browser.js';
import { answer, startFakeOllama, type ChatBehaviour, type FakeOllama } from '../support/fake-ollama.js';
import { startTestServer, type TestServer } from '../support/server.js';

const QUESTION = 'How does prepacking speed up prefilling for large language models?';
const ANSWER_TOKENS = [
  'Prepacking ',
  'combines prompts ',
  'of varying lengths ',
  'into one sequence ',
  'instead of padding them [1]. ',
  'Batches then waste ',
  'less computation [2].',
];
const EVIL_TITLE = '<img src=x onerror=window.__pwned=1>';

/** Answers condense calls (stream:false) with the question itself; streams `behaviour` otherwise. */
function scripted(behaviour: ChatBehaviour) {
  return (body: { stream?: boolean; messages?: { content: string }[] }) =>
    body.stream === false ? answer(body.messages?.at(-1)?.content ?? 'question') : behaviour;
}

async function ask(page: Page, question: string): Promise<void> {
  await page.getByLabel('Your question or search').fill(question);
  await page.getByLabel('Your question or search').press('Enter');
}

const lastAnswer = (page: Page) => page.locator('.turn.assistant').last();

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

describe('the chat page with a language model', () => {
  let ollama: FakeOllama;
  let server: TestServer;
  let opened: OpenedPage | undefined;

  beforeAll(async () => {
    ollama = await startFakeOllama();
    server = await startTestServer({ env: { OLLAMA_HOST: ollama.url } });
    await server.engine.ingest([
      {
        title: EVIL_TITLE,
        abstract: 'Zorblax flux capacitors stabilise quantum zorblax lattices. <script>window.__pwned=2</script>',
      },
    ]);
  });
  afterAll(async () => {
    await server?.close();
    await ollama?.close();
  });
  afterEach(async () => {
    // A healthy page logs no errors (a CSP violation would show up here too).
    const errors = opened?.errors ?? [];
    await opened?.context.close();
    opened = undefined;
    expect(errors).toEqual([]);
  });

  async function open(viewport: { width: number; height: number } = DESKTOP): Promise<Page> {
    opened = await openPage(browser, server.url, { viewport });
    await opened.page.goto('/');
    return opened.page;
  }

  it('streams the answer token by token, then shows the cited papers as cards', async () => {
    ollama.onChat(scripted({ kind: 'answer', tokens: ANSWER_TOKENS, delayMs: 400 }));
    const page = await open();
    await ask(page, QUESTION);

    await expect.poll(() => page.locator('.turn.user .bubble').last().textContent()).toBe(QUESTION);
    // Part of the answer is on screen, with the Stop button, while the rest is still being generated.
    await page.waitForFunction(() => {
      const turn = document.querySelector('.turn.assistant.streaming');
      const text = turn?.querySelector('.answer')?.textContent ?? '';
      const stop = document.getElementById('stop');
      return text.includes('Prepacking') && !text.includes('less computation') && stop !== null && !stop.hidden;
    });
    await screenshot(page, 'chat-streaming-desktop');

    await page.locator('.turn.assistant.done').waitFor();
    const turn = lastAnswer(page);
    expect(await turn.locator('.answer').textContent()).toContain('less computation');
    expect(await turn.locator('a.cite').count()).toBe(2);
    const cited = turn.locator('.sources .card.cited');
    expect(await cited.count()).toBe(2);
    expect(await cited.first().locator('.card-title').textContent()).toBeTruthy();
    // Query words are highlighted in the snippets.
    expect(await turn.locator('.card .snippet mark').count()).toBeGreaterThan(0);
    expect(await page.locator('#stop').isVisible()).toBe(false);
    await screenshot(page, 'chat-answer-desktop');
  });

  it('scrolls to and highlights the paper card when a citation is clicked', async () => {
    ollama.onChat(scripted(answer(...ANSWER_TOKENS)));
    const page = await open();
    await ask(page, QUESTION);
    await page.locator('.turn.assistant.done').waitFor();

    await page.evaluate(() => window.scrollTo(0, 0));
    await lastAnswer(page).locator('a.cite', { hasText: '[2]' }).click();
    const card = page.locator('#turn-1-source-2');
    await expect.poll(() => card.getAttribute('class')).toContain('flash');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('turn-1-source-2');
    const box = await card.boundingBox();
    expect(box).not.toBeNull();
    expect(box!.y).toBeGreaterThanOrEqual(0);
    expect(box!.y + Math.min(box!.height, 100)).toBeLessThanOrEqual(DESKTOP.height);

    // The abstract opens on demand, fetched from /api/papers/:id.
    await card.locator('summary', { hasText: 'Abstract' }).click();
    await expect.poll(() => card.locator('.abstract').textContent()).not.toMatch(/Loading/);
    expect((await card.locator('.abstract').textContent())!.length).toBeGreaterThan(100);
    await screenshot(page, 'chat-citation-clicked-desktop');
  });

  it('stops generation on Stop, keeps the partial answer marked as stopped, and frees the model', async () => {
    const slow = Array.from({ length: 40 }, (_, i) => `word${i} `);
    ollama.onChat(scripted({ kind: 'answer', tokens: slow, delayMs: 150 }));
    const page = await open();
    const before = ollama.requests.length;
    await ask(page, QUESTION);
    await page.waitForFunction(() => (document.querySelector('.turn.assistant .answer')?.textContent ?? '').includes('word2'));
    await page.getByRole('button', { name: 'Stop' }).click();

    const turn = lastAnswer(page);
    await turn.locator('.answer-state.stopped').waitFor();
    const partial = (await turn.locator('.answer').textContent()) ?? '';
    expect(partial).toContain('word2');
    expect(partial).not.toContain('word39');
    expect(await page.getByRole('button', { name: 'Send' }).isVisible()).toBe(true);
    // The server passed the abort on: the fake Ollama saw its stream closed early.
    const streamIndex = ollama.requests.findIndex((r, i) => i >= before && r.path === '/api/chat' && r.body?.stream !== false);
    expect((await ollama.ended(streamIndex)).closedEarly).toBe(true);
    await screenshot(page, 'chat-stopped-desktop');
  });

  it('keeps the conversation across a reload, sends follow-ups with the history, and New chat clears it', async () => {
    ollama.onChat(scripted(answer(...ANSWER_TOKENS)));
    const page = await open();
    await ask(page, QUESTION);
    await page.locator('.turn.assistant.done').waitFor();

    await page.reload();
    expect(await page.locator('.turn.user .bubble').first().textContent()).toBe(QUESTION);
    expect(await lastAnswer(page).locator('.answer').textContent()).toContain('less computation');
    expect(await lastAnswer(page).locator('.card.cited').count()).toBe(2);

    const chatBody = page.waitForRequest((r) => r.url().endsWith('/api/chat'));
    await ask(page, 'And how much faster is it?');
    const sent = (await chatBody).postDataJSON() as { messages: { role: string; content: string; sources?: { n: number; id: string }[] }[] };
    expect(sent.messages.map((m) => m.role)).toEqual(['user', 'assistant', 'user']);
    expect(sent.messages[0]!.content).toBe(QUESTION);
    // The answer's papers go back with it (also after the reload), so "the second one" can be resolved.
    expect(sent.messages[1]!.sources?.map((s) => s.n)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(sent.messages[1]!.sources?.every((s) => typeof s.id === 'string' && s.id.length > 0)).toBe(true);
    await page.locator('.turn.assistant.done >> nth=1').waitFor();

    await page.getByRole('button', { name: 'New chat' }).click();
    expect(await page.locator('.turn').count()).toBe(0);
    await page.reload();
    expect(await page.locator('.turn').count()).toBe(0);
    expect(await page.locator('#empty-state').isVisible()).toBe(true);
  });

  it('asks about one paper of the newest answer from its card, and the answer is about that paper', async () => {
    ollama.onChat(scripted(answer(...ANSWER_TOKENS)));
    const page = await open();
    await ask(page, QUESTION);
    await page.locator('.turn.assistant.done').waitFor();
    const second = lastAnswer(page).locator('.card', { has: page.locator('.card-n', { hasText: '[2]' }) });
    const secondTitle = (await second.locator('.card-head a, .card-head .card-title').first().textContent())?.trim();

    await second.getByRole('button', { name: 'Ask about it' }).click();
    const prompt = page.getByLabel('Your question or search');
    expect(await prompt.inputValue()).toBe('Tell me more about [2]');
    expect(await prompt.evaluate((el) => el === document.activeElement)).toBe(true);

    ollama.onChat(scripted(answer('It packs prompts [1].')));
    const chatBody = page.waitForRequest((r) => r.url().endsWith('/api/chat'));
    await prompt.press('Enter');
    const sent = (await chatBody).postDataJSON() as { messages: { role: string; content: string }[] };
    expect(sent.messages.at(-1)!.content).toBe('Tell me more about [2]');
    await page.locator('.turn.assistant.done >> nth=1').waitFor();
    // The paper asked about is [1] of the new answer; the older answer's cards no longer offer the button.
    expect((await lastAnswer(page).locator('.card').first().locator('.card-head').textContent())?.includes(secondTitle!)).toBe(true);
    expect(await page.locator('.turn.assistant').first().getByRole('button', { name: 'Ask about it' }).count()).toBe(0);
    await screenshot(page, 'chat-ask-about-desktop');
  });

  it('starts empty instead of breaking when the saved conversation is corrupt', async () => {
    const page = await open();
    await page.evaluate(() => localStorage.setItem('papertalk.chat.v1', '{"version":1,"turns":[{"role":"assistant"'));
    await page.reload();
    expect(await page.locator('#empty-state').isVisible()).toBe(true);
    await page.evaluate(() =>
      localStorage.setItem('papertalk.chat.v1', JSON.stringify({ version: 1, turns: [{ role: 'user', content: 'kept' }, 42, null] })),
    );
    await page.reload();
    expect(await page.locator('.turn.user .bubble').allTextContents()).toEqual(['kept']);
  });

  it('regenerates the last answer and copies an answer with its references as plain text', async () => {
    ollama.onChat(scripted(answer(...ANSWER_TOKENS)));
    const page = await open();
    await opened!.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url });
    await ask(page, QUESTION);
    await page.locator('.turn.assistant.done').waitFor();

    ollama.onChat(scripted(answer('A regenerated answer [1].')));
    await page.getByRole('button', { name: 'Regenerate' }).click();
    await expect.poll(async () => (await lastAnswer(page).locator('.answer').textContent())?.trim()).toBe('A regenerated answer [1].');
    expect(await page.locator('.turn.assistant').count()).toBe(1);

    await page.getByRole('button', { name: 'Copy answer' }).click();
    await expect.poll(() => page.getByRole('button', { name: 'Copied' }).count()).toBe(1);
    const copied = await page.evaluate(() => navigator.clipboard.readText());
    const title = await lastAnswer(page).locator('.card.cited .card-title').first().textContent();
    expect(copied).toContain('A regenerated answer [1].');
    expect(copied).toContain(`References\n[1] ${title}`);
  });

  it('shows hostile titles, abstracts and model output as text and runs none of it', async () => {
    ollama.onChat(scripted(answer('Zorblax lattices are stabilised [1]. <img src=x onerror=window.__pwned=3><script>window.__pwned=4</script>')));
    const page = await open();
    await ask(page, 'What stabilises zorblax lattices?');
    await page.locator('.turn.assistant.done').waitFor();

    const card = lastAnswer(page).locator('.card', { hasText: EVIL_TITLE });
    expect(await card.locator('.card-title').textContent()).toBe(EVIL_TITLE);
    expect(await card.isVisible()).toBe(true);
    await card.locator('summary', { hasText: 'Abstract' }).click();
    await expect.poll(() => card.locator('.abstract').textContent()).toContain('<script>window.__pwned=2</script>');
    expect(await page.locator('main img, main script').count()).toBe(0);

    // The same paper in search mode.
    await page.getByText('Search', { exact: true }).click();
    await ask(page, 'zorblax lattices');
    await page.locator('#search-results .card').first().waitFor();
    expect(await page.locator('#search-results .card-title').first().textContent()).toBe(EVIL_TITLE);
    expect(await page.locator('main img, main script').count()).toBe(0);
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    await screenshot(page, 'hostile-title-search-desktop');
  });

  it('labels the closest papers as possibly unrelated when nothing relevant is found', async () => {
    const page = await open();
    await ask(page, 'What is the best recipe for sourdough bread with rye flour and language?');
    await page.locator('.turn.assistant.done').waitFor();
    const turn = lastAnswer(page);
    // The service answers "not covered" itself, listing the nearest papers; the model is not asked.
    expect(await turn.locator('.sources h3').textContent()).toBe('Closest papers (possibly unrelated)');
    expect(await turn.locator('.sources .card').count()).toBeGreaterThan(0);
    expect(await turn.locator('.answer').textContent()).toBeTruthy();
    await screenshot(page, 'chat-unrelated-desktop');
  });

  it('sends with Enter, adds a line with Shift+Enter, and is usable at phone width', async () => {
    ollama.onChat(scripted(answer(...ANSWER_TOKENS)));
    const page = await open(PHONE);
    const box = page.getByLabel('Your question or search');
    await box.fill('first line');
    await box.press('Shift+Enter');
    await box.type('second line');
    expect(await box.inputValue()).toBe('first line\nsecond line');
    expect(await page.locator('.turn').count()).toBe(0);

    await box.fill(QUESTION);
    await box.press('Enter');
    await page.locator('.turn.assistant.done').waitFor();
    expect(await box.inputValue()).toBe('');
    // Nothing sticks out sideways at 375px.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);
    await screenshot(page, 'chat-answer-phone');
  });

  it('shows an inline error with a retry hint on 429 and on a network failure, and recovers', async () => {
    const page = await open();
    await page.route('**/api/chat', (route) =>
      route.fulfill({
        status: 429,
        headers: { 'content-type': 'application/json', 'retry-after': '17' },
        body: JSON.stringify({ error: { code: 'rate_limited', message: 'too many requests to /api/chat' } }),
      }),
    );
    await ask(page, QUESTION);
    const error = lastAnswer(page).locator('.answer-state.error');
    await error.waitFor();
    expect(await error.textContent()).toMatch(/too many requests.*Try again in 17 s/i);

    await page.unroute('**/api/chat');
    await page.route('**/api/chat', (route) => route.abort('connectionrefused'));
    await page.getByRole('button', { name: 'Retry' }).click();
    await expect.poll(() => lastAnswer(page).locator('.answer-state.error').textContent()).toMatch(/Network error/);
    await screenshot(page, 'chat-error-desktop');

    await page.unroute('**/api/chat');
    ollama.onChat(scripted(answer(...ANSWER_TOKENS)));
    await page.getByRole('button', { name: 'Retry' }).click();
    await page.locator('.turn.assistant.done').waitFor();
    expect(await page.locator('.turn.assistant').count()).toBe(1);
    // The browser logs the refused and 429 requests itself; those are expected here.
    opened!.errors.splice(0, opened!.errors.length, ...opened!.errors.filter((e) => !/Failed to load resource|ERR_CONNECTION_REFUSED/.test(e)));
  });
});

describe('the chat page without a language model', () => {
  let server: TestServer;
  let opened: OpenedPage | undefined;

  beforeAll(async () => {
    // The test config points OLLAMA_HOST at a port where nothing listens.
    server = await startTestServer();
  });
  afterAll(async () => {
    await server?.close();
  });
  afterEach(async () => {
    const errors = opened?.errors ?? [];
    await opened?.context.close();
    opened = undefined;
    expect(errors).toEqual([]);
  });

  it('shows the status badges and answers extractively with the notice (in the dark colour scheme)', async () => {
    opened = await openPage(browser, server.url, { colorScheme: 'dark' });
    const { page } = opened;
    await page.goto('/');
    await page.locator('.badge', { hasText: 'LLM offline' }).waitFor();
    expect(await page.locator('.badge', { hasText: 'Lexical search only' }).count()).toBe(1);

    await ask(page, QUESTION);
    await page.locator('.turn.assistant.done').waitFor();
    const turn = lastAnswer(page);
    expect(await turn.locator('.notice').textContent()).toBeTruthy();
    expect(await turn.locator('.tag', { hasText: 'extractive' }).count()).toBe(1);
    expect(await turn.locator('.card').count()).toBeGreaterThan(0);
    await screenshot(page, 'chat-extractive-dark-desktop');
  });

  it('updates the status badges while open, when the model or the LLM becomes available', async () => {
    opened = await openPage(browser, server.url);
    const { page } = opened;
    await page.clock.install();
    await page.goto('/');
    await page.locator('.badge', { hasText: 'Lexical search only' }).waitFor();
    // From now on the server reports both as available (as after a background model load).
    await page.route('**/api/health', async (route) => {
      const health = await (await route.fetch()).json();
      await route.fulfill({
        json: {
          ...health,
          search_modes: ['lexical', 'dense', 'hybrid'],
          embedding: { loaded: true, model: 'Xenova/all-MiniLM-L6-v2', dim: 384 },
          llm: { reachable: true, host: 'http://127.0.0.1:11434', model: 'llama3.2', model_available: true },
        },
      });
    });
    await page.clock.fastForward(31_000);
    await expect.poll(() => page.locator('.badge', { hasText: 'Lexical search only' }).count()).toBe(0);
    expect(await page.locator('.badge', { hasText: 'LLM offline' }).count()).toBe(0);
  });

  it('searches papers without the LLM, with snippets and abstracts, on desktop and phone', async () => {
    for (const [name, viewport] of [
      ['desktop', DESKTOP],
      ['phone', PHONE],
    ] as const) {
      opened = await openPage(browser, server.url, { viewport });
      const { page } = opened;
      await page.goto('/');
      await page.getByText('Search', { exact: true }).click();
      await ask(page, 'sparse pre-training dense fine-tuning');
      await page.locator('#search-results .card').first().waitFor();
      expect(await page.locator('#search-summary').textContent()).toMatch(/papers for “sparse pre-training dense fine-tuning” · lexical search/);
      const first = page.locator('#search-results .card').first();
      expect(await first.locator('.card-title').textContent()).toMatch(/SPDF/);
      expect(await first.locator('.snippet mark').count()).toBeGreaterThan(0);
      await first.locator('summary', { hasText: 'Abstract' }).click();
      expect(await first.locator('.abstract').isVisible()).toBe(true);
      // The mode survives a reload.
      await page.reload();
      expect(await page.locator('#view-search').isChecked()).toBe(true);
      await ask(page, 'sparse pre-training dense fine-tuning');
      await page.locator('#search-results .card').first().waitFor();
      await page.locator('#search-results .card details').first().evaluate((d) => ((d as HTMLDetailsElement).open = true));
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(viewport.width);
      await screenshot(page, `search-${name}`);
      const errors = opened.errors;
      await opened.context.close();
      opened = undefined;
      expect(errors).toEqual([]);
    }
  });
});

describe('the chat page of a server shared with an access token (PAPERTALK_AUTH_ALL)', () => {
  const TOKEN = 'e2e-token-0123456789abcdef';
  let server: TestServer;
  let opened: OpenedPage | undefined;

  beforeAll(async () => {
    server = await startTestServer({ env: { PAPERTALK_TOKEN: TOKEN, PAPERTALK_AUTH_ALL: 'true' } });
  });
  afterAll(async () => {
    await server?.close();
  });
  afterEach(async () => {
    // The browser logs the refused (401) requests itself; those are expected here.
    const errors = (opened?.errors ?? []).filter((e) => !/Failed to load resource/.test(e));
    await opened?.context.close();
    opened = undefined;
    expect(errors).toEqual([]);
  });

  async function searchFor(page: Page, query: string): Promise<void> {
    await page.getByText('Search', { exact: true }).click();
    await ask(page, query);
  }

  it('says how to open it with the token instead of failing silently', async () => {
    opened = await openPage(browser, server.url);
    const { page } = opened;
    await page.goto('/');
    await searchFor(page, 'sparse pre-training dense fine-tuning');
    await expect.poll(() => page.locator('#search-summary').textContent()).toMatch(/needs an access token: open it as .*#token=/);
  });

  it('takes the token from the address once, keeps it, and removes it from the address', async () => {
    opened = await openPage(browser, server.url);
    const { page } = opened;
    await page.goto(`/#token=${TOKEN}`);
    await searchFor(page, 'sparse pre-training dense fine-tuning');
    await page.locator('#search-results .card').first().waitFor();
    expect(await page.evaluate(() => location.hash)).toBe('');

    await page.reload();
    await ask(page, 'sparse pre-training dense fine-tuning');
    await page.locator('#search-results .card').first().waitFor();
    expect(await page.locator('#search-results .card .card-title').first().textContent()).toMatch(/SPDF/);
  });
});

// The page's cards, export and answer states in a real Chromium against the real server
// (lexical search, no LLM: extractive answers). Screenshots land in .artifacts/screenshots/.
import { readFile } from 'node:fs/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { DESKTOP, launchBrowser, openPage, screenshot, type OpenedPage } from '../support/browser.js';
import { startTestServer, type TestServer } from '../support/server.js';

const PAPERS = [
  {
    id: '2401.04088',
    title: 'Wombat Attention for Burrowing Sequence Models',
    abstract: 'We introduce wombat attention, which burrows through long sequences with sparse wombat heads, and show it halves memory.',
    date: '2024-01-08',
    authors: ['Ada Lovelace', 'Alan Turing', 'Grace Hopper', 'Edsger Dijkstra'],
  },
  {
    id: 'wombat-linked',
    title: 'Wombat Routing With a Link of Its Own',
    abstract: 'Wombat routing sends wombat tokens to experts; we measure wombat throughput on long sequences.',
    date: '2023-11-20',
    url: 'https://example.org/wombat-routing',
  },
];
const QUESTION = 'How does wombat attention handle long sequences?';

async function ask(page: Page, question: string): Promise<void> {
  await page.getByLabel('Your question or search').fill(question);
  await page.getByLabel('Your question or search').press('Enter');
}

const lastAnswer = (page: Page) => page.locator('.turn.assistant').last();

let browser: Browser;
let server: TestServer;
let opened: OpenedPage | undefined;

beforeAll(async () => {
  browser = await launchBrowser();
  server = await startTestServer();
  await server.engine.ingest(PAPERS);
});
afterAll(async () => {
  await server?.close();
  await browser?.close();
});
afterEach(async () => {
  const errors = opened?.errors ?? [];
  await opened?.context.close();
  opened = undefined;
  expect(errors).toEqual([]);
});

async function open(): Promise<Page> {
  opened = await openPage(browser, server.url, { viewport: DESKTOP });
  await opened.page.goto('/');
  return opened.page;
}

describe('chat cards and export', () => {
  it('shows date and authors on chat cards and links every title (a title search when no URL)', async () => {
    const page = await open();
    await ask(page, QUESTION);
    await page.locator('.turn.assistant.done').waitFor();
    const wombat = lastAnswer(page).locator('.card', { hasText: 'Wombat Attention for Burrowing' });
    expect(await wombat.locator('.card-meta').textContent()).toBe('2024-01-08 · Ada Lovelace, Alan Turing, Grace Hopper et al.');
    const link = wombat.locator('.card-title a');
    expect(await link.getAttribute('href')).toBe('https://arxiv.org/search/?query=Wombat%20Attention%20for%20Burrowing%20Sequence%20Models&searchtype=title');
    expect(await link.getAttribute('title')).toMatch(/look this title up on arXiv/);
    const linked = lastAnswer(page).locator('.card', { hasText: 'Wombat Routing With a Link' });
    expect(await linked.locator('.card-title a').getAttribute('href')).toBe('https://example.org/wombat-routing');
    expect(await linked.locator('.card-meta').textContent()).toBe('2023-11-20');
    await lastAnswer(page).locator('.sources').scrollIntoViewIfNeeded();
    await screenshot(page, 'chat-cards-date-authors-desktop');
  });

  it('exports the cited papers of an answer as BibTeX and a search result list as CSV', async () => {
    const page = await open();
    await ask(page, QUESTION);
    await page.locator('.turn.assistant.done').waitFor();
    const bar = lastAnswer(page).locator('.actions');
    await bar.locator('select.export-format').selectOption('bibtex');
    await bar.scrollIntoViewIfNeeded();
    await screenshot(page, 'chat-export-control-desktop');
    const [download] = await Promise.all([page.waitForEvent('download'), bar.getByRole('button', { name: 'Export cited papers' }).click()]);
    expect(download.suggestedFilename()).toBe('papertalk-papers.bib');
    const bib = await readFile((await download.path())!, 'utf8');
    const citedIds = await lastAnswer(page).locator('.card.cited').evaluateAll((cards) => cards.map((card) => card.getAttribute('data-paper-id')));
    expect(citedIds.length).toBeGreaterThan(0);
    expect(bib.match(/^@article\{/gm)).toHaveLength(citedIds.length);
    expect(bib).toContain('author = {Lovelace, Ada and Turing, Alan and Hopper, Grace and Dijkstra, Edsger}');

    await page.getByText('Search', { exact: true }).click();
    await ask(page, 'wombat');
    await page.locator('#search-results .card').first().waitFor();
    const summary = page.locator('#search-summary');
    await summary.locator('select.export-format').selectOption('csv');
    await screenshot(page, 'search-export-control-desktop');
    const [csvDownload] = await Promise.all([page.waitForEvent('download'), summary.getByRole('button', { name: 'Export results' }).click()]);
    const csv = await readFile((await csvDownload.path())!, 'utf8');
    const rows = csv.trim().split('\r\n');
    expect(rows[0]).toBe('"id","title","authors","date","url","abstract"');
    expect(rows.length - 1).toBe(await page.locator('#search-results .card').count());
  });
});

describe('answer states', () => {
  it('says an extractive answer cannot change on regenerate', async () => {
    const page = await open();
    await page.locator('.badge', { hasText: 'LLM offline' }).waitFor();
    await ask(page, QUESTION);
    await page.locator('.turn.assistant.done').waitFor();
    const again = lastAnswer(page).getByRole('button', { name: 'Regenerate' });
    expect(await again.isDisabled()).toBe(true);
    expect(await lastAnswer(page).locator('.regenerate-hint').textContent()).toMatch(/would give the same answer/);
  });

  it('says "Stopped" without "incomplete" when no text had arrived', async () => {
    const page = await open();
    // The answer never starts: the request hangs until Stop aborts it.
    await page.route('**/api/chat', () => undefined);
    await ask(page, QUESTION);
    await page.getByRole('button', { name: 'Stop' }).click();
    const state = lastAnswer(page).locator('.answer-state.stopped');
    await state.waitFor();
    expect(await state.textContent()).toBe('Stopped before any answer was written.');
  });

  it('says a rate limit once, without environment variable names', async () => {
    const page = await open();
    await page.route('**/api/chat', (route) =>
      route.fulfill({
        status: 429,
        headers: { 'content-type': 'application/json', 'retry-after': '12' },
        body: JSON.stringify({ error: { code: 'rate_limited', message: 'too many requests: at most 60 a minute to /api/chat from one client (PAPERTALK_RATE_LIMIT_PER_MINUTE); retry after 12 s' } }),
      }),
    );
    await ask(page, QUESTION);
    const error = lastAnswer(page).locator('.answer-state.error');
    await error.waitFor();
    const text = (await error.textContent()) ?? '';
    expect(text).toBe('Too many requests to this server. Try again in 12 s.');
    opened!.errors.splice(0, opened!.errors.length, ...opened!.errors.filter((e) => !/Failed to load resource/.test(e)));
  });

  it('limits the box to the API limits: 4000 characters in chat, 2000 in search', async () => {
    const page = await open();
    const box = page.getByLabel('Your question or search');
    expect(await box.evaluate((el) => (el as HTMLTextAreaElement).maxLength)).toBe(4000);
    await page.getByText('Search', { exact: true }).click();
    expect(await box.evaluate((el) => (el as HTMLTextAreaElement).maxLength)).toBe(2000);
    await box.fill('x'.repeat(2500));
    expect((await box.inputValue()).length).toBe(2000);
  });

  it('scrolls a new answer into view when it arrives, even if the reader scrolled up while waiting', async () => {
    const page = await open();
    for (const question of [QUESTION, 'wombat routing throughput', 'which papers halve memory?']) {
      const before = await page.locator('.turn.assistant.done').count();
      await ask(page, question);
      await expect.poll(() => page.locator('.turn.assistant.done').count()).toBe(before + 1);
    }
    // The next answer takes a moment; meanwhile the reader scrolls back up to an older one.
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    await page.route('**/api/chat', async (route) => {
      await held;
      await route.continue();
    });
    const before = await page.locator('.turn.assistant.done').count();
    await ask(page, 'sparse wombat heads');
    await page.evaluate(() => window.scrollTo({ top: 0 }));
    release();
    await expect.poll(() => page.locator('.turn.assistant.done').count()).toBe(before + 1);
    expect(await page.evaluate(() => document.documentElement.scrollHeight)).toBeGreaterThan(DESKTOP.height * 2);
    const top = await lastAnswer(page).evaluate((el) => el.getBoundingClientRect().top);
    expect(top).toBeGreaterThanOrEqual(0);
    expect(top).toBeLessThan(DESKTOP.height - 80);
  });
});

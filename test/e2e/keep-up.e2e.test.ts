// "Similar" on the cards and the "New for you" view, in a real Chromium against the real server,
// with a stand-in Hugging Face for the page's import button.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, openPage, PHONE, screenshot, type OpenedPage } from '../support/browser.js';
import { startFakeFeeds, type FakeFeeds } from '../support/fake-feeds.js';
import { startTestServer, type TestServer } from '../support/server.js';

const today = () => new Date().toISOString().slice(0, 10);

let browser: Browser;
let feeds: FakeFeeds;
let server: TestServer;
let opened: OpenedPage | undefined;

beforeAll(async () => {
  feeds = await startFakeFeeds();
  [browser, server] = await Promise.all([launchBrowser(), startTestServer({ env: { PAPERTALK_HF_ENDPOINT: feeds.url, PAPERTALK_IMPORT_RETRIES: '0' } })]);
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
  await feeds?.close();
});
afterEach(async () => {
  const errors = opened?.errors ?? [];
  await opened?.context.close();
  opened = undefined;
  expect(errors).toEqual([]);
});

async function open(viewport?: { width: number; height: number }): Promise<Page> {
  opened = await openPage(browser, server.url, { viewport });
  await opened.page.goto('/');
  return opened.page;
}

async function send(page: Page, text: string): Promise<void> {
  await page.getByLabel('Your question or search').fill(text);
  await page.getByLabel('Your question or search').press('Enter');
}

describe('Similar on a card', () => {
  it('lists papers like a search result, never the paper itself', async () => {
    const page = await open();
    await page.getByText('Search', { exact: true }).click();
    await send(page, 'dynamic low-rank adaptation');
    const first = page.locator('#search-results .card').first();
    await first.waitFor();
    const title = (await first.locator('.card-title').textContent())!;
    await first.getByRole('button', { name: 'Similar' }).click();

    await expect.poll(() => page.locator('#search-summary').textContent()).toMatch(/^10 papers similar to “.+” · lexical$/);
    expect(await page.locator('#search-summary').textContent()).toContain(title);
    const titles = await page.locator('#search-results .card .card-title').allTextContents();
    expect(titles).toHaveLength(10);
    expect(titles).not.toContain(title);
    // Each similar paper has its own Similar button, so one can keep walking.
    expect(await page.locator('#search-results .card button.similar').count()).toBe(10);
    await screenshot(page, 'similar-desktop');
  });

  it('is on the cited-paper cards under an answer too', async () => {
    const page = await open();
    await send(page, 'Which papers make fine-tuning cheaper with low-rank updates?');
    const source = page.locator('.turn.assistant.done .sources .card').first();
    await source.waitFor();
    const title = (await source.locator('.card-title').textContent())!;
    await source.getByRole('button', { name: 'Similar' }).click();
    await expect.poll(() => page.locator('#search-summary').textContent()).toContain('similar to');
    expect(await page.locator('#search-view').isVisible()).toBe(true);
    expect(await page.locator('#search-results .card .card-title').allTextContents()).not.toContain(title);
  });
});

describe('New for you', () => {
  it('follows a topic, imports today’s papers with the button, and lists the new ones with the topic they match', async () => {
    feeds.hfDays.set(today(), [
      {
        id: '2612.01234',
        title: 'Speculative decoding with self-drafting heads',
        abstract: 'Speculative decoding speeds up inference: extra heads draft tokens that the model verifies in one pass.',
        authors: ['Ada Lovelace', 'Alan Turing'],
        published: `${today()}T08:00:00Z`,
        categories: ['cs.CL'],
        upvotes: 42,
      },
    ]);
    const page = await open();
    await page.getByText('New for you', { exact: true }).click();
    await expect.poll(() => page.locator('#new-summary').textContent()).toMatch(/^Follow a topic/);
    expect(await page.getByRole('button', { name: 'Follow' }).isVisible()).toBe(true);

    await send(page, 'speculative decoding');
    await expect.poll(() => page.locator('#saved-list .chip').allTextContents()).toEqual(['speculative decoding×']);

    await page.getByRole('button', { name: 'Import today’s Hugging Face papers' }).click();
    await expect.poll(() => page.locator('#import-status').textContent(), { timeout: 20_000 }).toMatch(/^Imported \d{4}-\d{2}-\d{2}: 1 new, 0 updated, 0 already here; \d+ papers in the index\.$/);
    const card = page.locator('#new-results .card', { hasText: 'Speculative decoding with self-drafting heads' });
    await card.waitFor();
    expect(await card.locator('.card-matched').textContent()).toMatch(/^New for “speculative decoding” · added /);
    expect(await card.locator('.card-title a').getAttribute('href')).toBe('https://huggingface.co/papers/2612.01234');
    expect(await card.locator('.snippet mark').count()).toBeGreaterThan(0);
    await screenshot(page, 'new-for-you-desktop');

    // Opening the view is a look. The paper arrived after this one began, so the next look still
    // lists it; the one after that has nothing new.
    await page.reload();
    await card.waitFor();
    await page.reload();
    await expect.poll(() => page.locator('#new-summary').textContent()).toMatch(/^Nothing new for your topics since/);
    // A wider window brings it back.
    await page.locator('#new-since').selectOption('7');
    await card.waitFor();

    await page.getByRole('button', { name: 'Stop following speculative decoding' }).click();
    await expect.poll(() => page.locator('#saved-list .chip').count()).toBe(0);
    await expect.poll(() => page.locator('#new-summary').textContent()).toMatch(/^Follow a topic/);
  });

  it('fits a phone and says so plainly when the import cannot reach Hugging Face', async () => {
    feeds.fail('/api/daily_papers', { status: 503, times: 100 });
    const page = await open(PHONE);
    await page.getByText('New for you', { exact: true }).click();
    await page.getByRole('button', { name: 'Import today’s Hugging Face papers' }).click();
    await expect.poll(() => page.locator('#import-status').textContent(), { timeout: 20_000 }).toMatch(/^The server failed \(502\): Hugging Face answered 503/);
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
    await screenshot(page, 'new-for-you-import-failed-phone');
    // Chromium logs the 502 itself as a console error: that one is expected here.
    opened!.errors.splice(0, opened!.errors.length, ...opened!.errors.filter((e) => !/status of 502/.test(e)));
  });
});

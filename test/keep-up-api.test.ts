// Keeping up over real HTTP: similar papers, saved searches, what is new for them, imports.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { titleId } from '../src/ingest/index.js';
import { feedPapers, startFakeFeeds, type FakeFeeds } from './support/fake-feeds.js';
import { startTestServer, type TestServer } from './support/server.js';

const DYLORA = 'DyLoRA: Parameter Efficient Tuning of Pre-trained Models using Dynamic Search-Free Low-Rank Adaptation';

async function getJson(url: string, init?: RequestInit) {
  const response = await fetch(url, init);
  return { status: response.status, body: (await response.json()) as any };
}

const post = (url: string, body: unknown) => getJson(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

describe('GET /api/papers/:id/similar', () => {
  let server: TestServer;
  let dense: TestServer;
  beforeAll(async () => {
    [server, dense] = await Promise.all([startTestServer(), startTestServer({ dense: true })]);
  });
  afterAll(async () => {
    await Promise.all([server?.close(), dense?.close()]);
  });

  it('lists papers on the same topic, best first, never the paper itself', async () => {
    const id = titleId(DYLORA);
    const { status, body } = await getJson(`${server.url}/api/papers/${id}/similar?k=5`);
    expect(status).toBe(200);
    expect(body.mode).toBe('lexical');
    expect(body.results).toHaveLength(5);
    expect(body.results.map((hit: { id: string }) => hit.id)).not.toContain(id);
    // Low-rank adaptation papers: at least four of the five are about LoRA-style tuning.
    const onTopic = body.results.filter((hit: { title: string; abstract: string }) => /low-rank|lora/i.test(`${hit.title} ${hit.abstract}`));
    expect(onTopic.length, body.results.map((hit: { title: string }) => hit.title).join('\n')).toBeGreaterThanOrEqual(4);
    const scores = body.results.map((hit: { score: number }) => hit.score);
    expect([...scores].sort((a, b) => b - a)).toEqual(scores);
    expect(body.results[0].snippet.length).toBeGreaterThan(0);
  });

  it('fuses dense neighbours in when the index has vectors', async () => {
    const id = titleId(DYLORA);
    const { body } = await getJson(`${dense.url}/api/papers/${id}/similar?k=10`);
    expect(body.mode).toBe('hybrid');
    expect(body.results.map((hit: { id: string }) => hit.id)).not.toContain(id);
    expect(body.results.some((hit: { retrievers: string[] }) => hit.retrievers.includes('dense'))).toBe(true);
  });

  it('answers 404 for an unknown paper and 400 naming k', async () => {
    expect(await getJson(`${server.url}/api/papers/no-such-paper/similar`)).toMatchObject({ status: 404, body: { error: { code: 'not_found', field: 'id' } } });
    expect(await getJson(`${server.url}/api/papers/${titleId(DYLORA)}/similar?k=0`)).toMatchObject({ status: 400, body: { error: { code: 'input_invalid', field: 'k' } } });
  });
});

describe('saved searches and what is new', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => {
    await server?.close();
  });

  it('saves, lists and removes searches, on disk in the index folder', async () => {
    const created = await post(`${server.url}/api/saved`, { query: 'protein  folding' });
    expect(created).toMatchObject({ status: 201, body: { query: 'protein folding' } });
    const again = await post(`${server.url}/api/saved`, { query: 'Protein folding' });
    expect(again).toMatchObject({ status: 200, body: { id: created.body.id } });
    const onDisk = JSON.parse(await readFile(path.join(server.engine.config.indexDir, 'saved-searches.json'), 'utf8'));
    expect(onDisk.searches.map((s: { query: string }) => s.query)).toContain('protein folding');

    expect((await getJson(`${server.url}/api/saved`)).body.searches.map((s: { id: string }) => s.id)).toContain(created.body.id);
    expect(await getJson(`${server.url}/api/saved?id=${created.body.id}`, { method: 'DELETE' })).toMatchObject({ status: 200, body: { id: created.body.id } });
    expect(await getJson(`${server.url}/api/saved?id=${created.body.id}`, { method: 'DELETE' })).toMatchObject({ status: 404, body: { error: { code: 'not_found' } } });
    expect(await post(`${server.url}/api/saved`, { query: '   ' })).toMatchObject({ status: 400, body: { error: { field: 'query' } } });
  });

  it('lists papers added since the last look that match a saved search, each with the search it matched', async () => {
    // The sample corpus was added before these searches: looking once clears it.
    await post(`${server.url}/api/saved`, { query: 'speculative decoding' });
    await post(`${server.url}/api/saved`, { query: 'graph neural networks' });
    await getJson(`${server.url}/api/new`);
    const before = new Date().toISOString();

    await server.engine.ingest([
      { id: 'new-spec', title: 'Faster speculative decoding with tree drafts', abstract: 'Speculative decoding drafts tokens with a small model and verifies them.' },
      { id: 'new-both', title: 'Speculative decoding for graph neural networks', abstract: 'We apply speculative decoding to graph neural networks over molecule graphs.' },
      { id: 'new-other', title: 'Baking bread at altitude', abstract: 'Dough rises faster in thin air.' },
    ]);
    const { status, body } = await getJson(`${server.url}/api/new`);
    expect(status).toBe(200);
    expect(body.since_from).toBe('last_look');
    expect(body.added).toBe(3);
    expect(body.results.map((hit: { id: string }) => hit.id)).toEqual(['new-both', 'new-spec']);
    expect(body.results[0].matched.map((m: { query: string }) => m.query).sort()).toEqual(['graph neural networks', 'speculative decoding']);
    expect(body.results[1].matched).toEqual([expect.objectContaining({ query: 'speculative decoding', coverage: 1 })]);
    expect(Date.parse(body.results[0].added_at)).toBeGreaterThanOrEqual(Date.parse(before));

    // That was a look: nothing is new since.
    expect((await getJson(`${server.url}/api/new`)).body.results).toEqual([]);
    // An explicit time lists them again, and does not count as a look.
    const since = await getJson(`${server.url}/api/new?since=${encodeURIComponent(before)}`);
    expect(since.body).toMatchObject({ since_from: 'given', since: before });
    expect(since.body.results).toHaveLength(2);
    expect(await getJson(`${server.url}/api/new?since=yesterday-ish`)).toMatchObject({ status: 400, body: { error: { field: 'since' } } });
  });
});

describe('POST /api/import', () => {
  let feeds: FakeFeeds;
  let server: TestServer;
  beforeAll(async () => {
    feeds = await startFakeFeeds();
    server = await startTestServer({ sample: false, env: { PAPERTALK_HF_ENDPOINT: feeds.url, PAPERTALK_ARXIV_ENDPOINT: feeds.url, PAPERTALK_ARXIV_DELAY_MS: '0' } });
  });
  afterAll(async () => {
    await server?.close();
    await feeds?.close();
  });

  it('imports a day and reports what it added; the second time nothing', async () => {
    feeds.hfDays.set('2026-11-28', feedPapers(3));
    const first = await post(`${server.url}/api/import`, { source: 'hf-daily', date: '2026-11-28' });
    expect(first).toMatchObject({ status: 200, body: { added: 3, total: 3, requests: 1 } });
    expect(first.body.added_papers.map((p: { id: string }) => p.id)).toEqual(['2611.00001', '2611.00002', '2611.00003']);
    expect((await getJson(`${server.url}/api/papers/2611.00002`)).body).toMatchObject({ url: 'https://huggingface.co/papers/2611.00002', upvotes: 4 });
    expect((await post(`${server.url}/api/import`, { source: 'hf-daily', date: '2026-11-28' })).body).toMatchObject({ added: 0, unchanged: 3 });
  });

  it('imports from arXiv, and refuses bad requests naming the field', async () => {
    feeds.arxiv.push(...feedPapers(2, { from: 5 }));
    expect((await post(`${server.url}/api/import`, { source: 'arxiv', categories: ['cs.CL'], from: '2026-11-28', to: '2026-11-28' })).body).toMatchObject({ added: 2 });
    expect(await post(`${server.url}/api/import`, { source: 'rss' })).toMatchObject({ status: 400, body: { error: { field: 'source' } } });
    expect(await post(`${server.url}/api/import`, { source: 'arxiv' })).toMatchObject({ status: 400, body: { error: { field: 'categories' } } });
    expect(await post(`${server.url}/api/import`, { source: 'hf-daily', date: '28/11/2026' })).toMatchObject({ status: 400, body: { error: { field: 'date' } } });
  });

  it('answers 502 with one line when the source is down', async () => {
    feeds.fail('/api/daily_papers', { status: 503, times: 10 });
    const offline = await startTestServer({ sample: false, env: { PAPERTALK_HF_ENDPOINT: feeds.url, PAPERTALK_IMPORT_RETRIES: '0' } });
    try {
      const { status, body } = await post(`${offline.url}/api/import`, { source: 'hf-daily', date: '2026-11-28' });
      expect(status).toBe(502);
      expect(body.error).toEqual({ code: 'import_failed', message: 'Hugging Face answered 503 Service Unavailable for /api/daily_papers, after 1 attempt; run the import again later (it resumes)' });
    } finally {
      await offline.close();
    }
  });
});

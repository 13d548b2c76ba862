// `import hf-daily` and `import arxiv` through the real HTTP client against stand-ins on
// 127.0.0.1 that speak the real formats: paging, an empty day, 429/503 with Retry-After, a
// malformed entry, no network at all; incremental, resumable, one paper per arXiv id.
import { readFile, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../src/engine.js';
import { openEngine } from '../src/engine.js';
import { parseArxivAtom } from '../src/ingest/atom.js';
import { retryAfterSeconds } from '../src/import/http.js';
import { planImport } from '../src/import/run.js';
import { parseSource } from '../src/ingest/index.js';
import { makeTestEngine, testConfig } from './support/engine.js';
import { rejectionOf } from './support/errors.js';
import { feedPapers, startFakeFeeds, type FakeFeeds } from './support/fake-feeds.js';

const DELAY_MS = 150;

let feeds: FakeFeeds;
beforeAll(async () => {
  feeds = await startFakeFeeds();
});
afterAll(async () => {
  await feeds?.close();
});

let engine: Engine | undefined;
afterEach(async () => {
  await engine?.close();
  engine = undefined;
  feeds.hfDays.clear();
  feeds.arxiv.length = 0;
  feeds.requests.length = 0;
});

function feedEnv(extra: Record<string, string> = {}) {
  return {
    PAPERTALK_HF_ENDPOINT: feeds.url,
    PAPERTALK_ARXIV_ENDPOINT: feeds.url,
    PAPERTALK_ARXIV_DELAY_MS: String(DELAY_MS),
    PAPERTALK_IMPORT_TIMEOUT_MS: '5000',
    ...extra,
  };
}

async function emptyEngine(extra: Record<string, string> = {}): Promise<Engine> {
  engine = await makeTestEngine({ sample: false, env: feedEnv(extra) });
  return engine;
}

/** A port nothing listens on: taken, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('import hf-daily', () => {
  it('imports each day of a range with the arXiv id, date, authors, upvotes and both links; an empty day and a malformed entry are reported', async () => {
    const [a, b, c] = feedPapers(3);
    feeds.hfDays.set('2026-11-27', [a!, { raw: { paper: { id: '2611.99999', title: '', summary: 'no title' } } }, { raw: 'not an object' }]);
    feeds.hfDays.set('2026-11-29', [b!, c!]);
    const e = await emptyEngine();
    const progress: string[] = [];
    const report = await e.importPapers({ source: 'hf-daily', from: '2026-11-27', to: '2026-11-29' }, { onProgress: (p) => progress.push(p.message) });

    expect(report).toMatchObject({ source: 'hf-daily', requests: 3, fetched: 5, added: 3, updated: 0, unchanged: 0, skipped: 2, total: 3 });
    expect(report.added_papers.map((p) => p.id)).toEqual([a!.id, b!.id, c!.id]);
    expect(report.skipped_entries.map((s) => s.where)).toEqual(['2026-11-27, entry 2', '2026-11-27, entry 3']);
    expect(feeds.requests.map((r) => r.query.get('date'))).toEqual(['2026-11-27', '2026-11-28', '2026-11-29']);
    expect(progress).toEqual(['2026-11-27: 1 papers, 1 new, 2 unreadable', '2026-11-28: no papers', '2026-11-29: 2 papers, 2 new']);

    const paper = (await e.getPaper(a!.id))!;
    expect(paper).toMatchObject({
      id: '2611.00001',
      title: a!.title,
      abstract: a!.abstract,
      date: '2026-11-28',
      authors: a!.authors,
      upvotes: a!.upvotes,
      url: 'https://huggingface.co/papers/2611.00001',
      arxiv_url: 'https://arxiv.org/abs/2611.00001',
    });
    expect(Date.parse(paper.added_at!)).toBeGreaterThan(Date.now() - 60_000);
  });

  it('re-running a day adds nothing twice; changed upvotes update the paper and keep when it was added', async () => {
    const [a, b] = feedPapers(2);
    feeds.hfDays.set('2026-11-28', [a!, b!]);
    const e = await emptyEngine();
    await e.importPapers({ source: 'hf-daily', date: '2026-11-28' });
    const addedAt = (await e.getPaper(a!.id))!.added_at;
    const again = await e.importPapers({ source: 'hf-daily', date: '2026-11-28' });
    expect(again).toMatchObject({ added: 0, updated: 0, unchanged: 2, total: 2, added_papers: [] });

    feeds.hfDays.set('2026-11-28', [{ ...a!, upvotes: 99 }, b!]);
    const third = await e.importPapers({ source: 'hf-daily', date: '2026-11-28' });
    expect(third).toMatchObject({ added: 0, updated: 1, unchanged: 1, total: 2 });
    expect(await e.getPaper(a!.id)).toMatchObject({ upvotes: 99, added_at: addedAt });
  });

  it('waits as Retry-After says on a 429, then carries on', async () => {
    feeds.hfDays.set('2026-11-28', feedPapers(1));
    feeds.fail('/api/daily_papers', { status: 429, retryAfter: '1', times: 1 });
    const e = await emptyEngine();
    const waits: string[] = [];
    const report = await e.importPapers({ source: 'hf-daily', date: '2026-11-28' }, { onProgress: (p) => waits.push(p.message) });
    expect(report.added).toBe(1);
    expect(feeds.requests.map((r) => r.status)).toEqual([429, 200]);
    expect(feeds.requests[1]!.at - feeds.requests[0]!.at).toBeGreaterThanOrEqual(950);
    expect(waits[0]).toBe('Hugging Face answered 429: waiting 1 s as asked');
  });

  it('fails with one line when the server keeps answering 503, and resumes from the day it stopped at', async () => {
    for (const [i, day] of ['2026-11-26', '2026-11-27', '2026-11-28'].entries()) feeds.hfDays.set(day, feedPapers(1, { from: i }));
    const e = await emptyEngine({ PAPERTALK_IMPORT_RETRIES: '1' });
    const request = { source: 'hf-daily' as const, from: '2026-11-26', to: '2026-11-28' };
    // Day one succeeds; day two gets 503 twice (the attempt and its one retry).
    feeds.fail('/api/daily_papers', { status: 503, retryAfter: '0', times: 2, after: 1 });
    const error = await rejectionOf(e.importPapers(request));
    expect(error.code).toBe('import_failed');
    expect(error.message).toBe('Hugging Face answered 503 Service Unavailable for /api/daily_papers; it asks to retry after 0 s, after 2 attempts; run the import again later (it resumes)');
    expect(e.health().papers).toBe(1);

    feeds.requests.length = 0;
    const resumed = await e.importPapers(request);
    expect(resumed).toMatchObject({ resumed_from: 1, added: 2, total: 3 });
    expect(feeds.requests.map((r) => r.query.get('date'))).toEqual(['2026-11-27', '2026-11-28']);
    // Finished: the next run starts from the first day again.
    feeds.requests.length = 0;
    const rerun = await e.importPapers(request);
    expect(rerun).toMatchObject({ added: 0, unchanged: 3 });
    expect(rerun.resumed_from).toBeUndefined();
    expect(feeds.requests).toHaveLength(3);
  });

  it('says in one line that the server cannot be reached, and nothing changes', async () => {
    const e = await emptyEngine({ PAPERTALK_HF_ENDPOINT: `http://127.0.0.1:${await closedPort()}` });
    const error = await rejectionOf(e.importPapers({ source: 'hf-daily', date: '2026-11-28' }));
    expect(error.code).toBe('import_unreachable');
    expect(error.message).toMatch(/^cannot reach Hugging Face at http:\/\/127\.0\.0\.1:\d+ \(ECONNREFUSED\): are you offline\? \(PAPERTALK_HF_ENDPOINT sets another server\)$/);
    expect(e.health().papers).toBe(0);
  });

  it('refuses bad dates and ranges naming the field', () => {
    const now = Date.parse('2026-11-30T12:00:00Z');
    expect(planImport({ source: 'hf-daily' }, now)).toMatchObject({ from: '2026-11-30', to: '2026-11-30' });
    expect(planImport({ source: 'arxiv', categories: ['cs.CL'] }, now)).toMatchObject({ from: '2026-11-29', to: '2026-11-30', max: 2000 });
    const field = (input: Parameters<typeof planImport>[0]) => {
      try {
        planImport(input, now);
      } catch (error) {
        return (error as { field?: string }).field;
      }
      return 'accepted';
    };
    expect(field({ source: 'hf-daily', date: '2026-02-30' })).toBe('date');
    expect(field({ source: 'hf-daily', from: '2026-11-30', to: '2026-11-01' })).toBe('from');
    expect(field({ source: 'hf-daily', from: '2024-01-01', to: '2026-11-01' })).toBe('to');
    expect(field({ source: 'arxiv' })).toBe('categories');
    expect(field({ source: 'arxiv', categories: ['cs.CL) OR (all:x'] })).toBe('categories');
  });
});

describe('import arxiv', () => {
  it('pages through the Atom feed politely, oldest first, and skips a malformed entry', async () => {
    const papers = feedPapers(5, { day: '2026-11-28' });
    feeds.arxiv.push(...papers.slice(0, 2), '<entry><id>http://arxiv.org/abs/garbage</id><title>No id</title><summary>x</summary></entry>', ...papers.slice(2));
    // Outside the category and outside the dates: the query leaves them out.
    feeds.arxiv.push(...feedPapers(1, { from: 10, categories: ['math.AG'] }), ...feedPapers(1, { from: 11, day: '2026-10-01' }));
    const e = await emptyEngine();
    const report = await e.importPapers({ source: 'arxiv', categories: ['cs.CL'], from: '2026-11-27', to: '2026-11-28', pageSize: 2 });

    expect(report).toMatchObject({ source: 'arxiv', categories: ['cs.CL'], requests: 3, fetched: 6, added: 5, skipped: 1, total: 5 });
    expect(report.skipped_entries[0]).toEqual({ where: 'entries 3-4, entry 1', reason: 'no arXiv id in <id>http://arxiv.org/abs/garbage</id>' });
    const queries = feeds.requests.map((r) => r.query);
    expect(queries.map((q) => [q.get('start'), q.get('max_results')])).toEqual([['0', '2'], ['2', '2'], ['4', '2']]);
    expect(queries[0]!.get('search_query')).toBe('(cat:cs.CL) AND submittedDate:[202611270000 TO 202611282359]');
    expect(queries[0]!.get('sortBy')).toBe('submittedDate');
    expect(queries[0]!.get('sortOrder')).toBe('ascending');
    for (let i = 1; i < feeds.requests.length; i++) expect(feeds.requests[i]!.at - feeds.requests[i - 1]!.at).toBeGreaterThanOrEqual(DELAY_MS - 5);

    expect(await e.getPaper('2611.00001')).toMatchObject({
      title: papers[0]!.title,
      abstract: papers[0]!.abstract,
      authors: papers[0]!.authors,
      date: '2026-11-28',
      categories: ['cs.CL', 'cs.LG'],
      url: 'https://arxiv.org/abs/2611.00001',
      arxiv_url: 'https://arxiv.org/abs/2611.00001',
    });
  });

  it('stops at --max and reports an empty result in one request', async () => {
    feeds.arxiv.push(...feedPapers(6));
    const e = await emptyEngine();
    const capped = await e.importPapers({ source: 'arxiv', categories: ['cs.LG'], from: '2026-11-28', to: '2026-11-28', max: 3, pageSize: 2 });
    expect(capped).toMatchObject({ requests: 2, fetched: 3, added: 3 });
    expect(feeds.requests.map((r) => r.query.get('max_results'))).toEqual(['2', '1']);

    feeds.requests.length = 0;
    const none = await e.importPapers({ source: 'arxiv', categories: ['q-bio.NC'], from: '2026-11-28', to: '2026-11-28' });
    expect(none).toMatchObject({ requests: 1, fetched: 0, added: 0, total: 3 });
  });

  it('retries a 503 after its Retry-After and resumes an interrupted import at the next page', async () => {
    feeds.arxiv.push(...feedPapers(4));
    const e = await emptyEngine({ PAPERTALK_IMPORT_RETRIES: '0' });
    const request = { source: 'arxiv' as const, categories: ['cs.CL'], from: '2026-11-28', to: '2026-11-28', pageSize: 2 };
    feeds.fail('/api/query', { status: 503, retryAfter: '1', times: 1, after: 1 });
    expect((await rejectionOf(e.importPapers(request))).message).toBe('arXiv answered 503 Service Unavailable for /api/query; it asks to retry after 1 s, after 1 attempt; run the import again later (it resumes)');
    expect(e.health().papers).toBe(2);

    feeds.requests.length = 0;
    const resumed = await e.importPapers(request);
    expect(resumed).toMatchObject({ resumed_from: 2, added: 2, total: 4, requests: 1 });
    expect(feeds.requests.map((r) => r.query.get('start'))).toEqual(['2']);
  });

  it('a paper seen on Hugging Face and on arXiv is one paper with what both know', async () => {
    const [paper] = feedPapers(1);
    feeds.hfDays.set('2026-11-28', [paper!]);
    feeds.arxiv.push({ ...paper!, published: '2026-11-27T18:00:00Z' });
    const e = await emptyEngine();
    await e.importPapers({ source: 'hf-daily', date: '2026-11-28' });
    const fromArxiv = await e.importPapers({ source: 'arxiv', categories: ['cs.CL'], from: '2026-11-27', to: '2026-11-28' });
    expect(fromArxiv).toMatchObject({ added: 0, updated: 1, total: 1 });
    expect(await e.getPaper(paper!.id)).toMatchObject({
      upvotes: paper!.upvotes,
      categories: ['cs.CL', 'cs.LG'],
      url: 'https://huggingface.co/papers/2611.00001',
      arxiv_url: 'https://arxiv.org/abs/2611.00001',
      date: '2026-11-28',
    });
    // Both again, in either order: nothing changes any more.
    expect(await e.importPapers({ source: 'hf-daily', date: '2026-11-28' })).toMatchObject({ updated: 0, unchanged: 1 });
    expect(await e.importPapers({ source: 'arxiv', categories: ['cs.CL'], from: '2026-11-27', to: '2026-11-28' })).toMatchObject({ updated: 0, unchanged: 1 });
  });

  it('reads entities, line-wrapped titles and arXiv error feeds', () => {
    const page = parseArxivAtom(`<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><opensearch:totalResults xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/">1</opensearch:totalResults>
      <entry><id>http://arxiv.org/abs/hep-th/9901001v3</id><published>1999-01-04T00:00:00Z</published><title>Strings &amp; branes:
        1 &lt; 2</title><summary>We study 0704.0001 things.</summary><author><name>A. Person</name></author><category term="hep-th"/></entry></feed>`);
    expect(page.papers).toEqual([
      expect.objectContaining({ id: 'hep-th/9901001', title: 'Strings & branes: 1 < 2', abstract: 'We study 0704.0001 things.', authors: ['A. Person'], date: '1999-01-04', arxiv_url: 'https://arxiv.org/abs/hep-th/9901001' }),
    ]);
    expect(() =>
      parseArxivAtom(`<feed xmlns="http://www.w3.org/2005/Atom"><entry><id>http://arxiv.org/api/errors#incorrect_id_format_for_1234</id><title>Error</title><summary>incorrect id format for 1234</summary></entry></feed>`),
    ).toThrow('arXiv refused the query: incorrect id format for 1234');
    expect(() => parseArxivAtom('<html><body>Service down</body></html>')).toThrow('not an Atom feed');
  });

  it('understands Retry-After as seconds or as an HTTP date', () => {
    const now = Date.parse('2026-11-30T12:00:00Z');
    expect(retryAfterSeconds('3', now)).toBe(3);
    expect(retryAfterSeconds('Mon, 30 Nov 2026 12:00:10 GMT', now)).toBe(10);
    expect(retryAfterSeconds('soon', now)).toBeUndefined();
    expect(retryAfterSeconds(null, now)).toBeUndefined();
  });
});

describe('the arXiv metadata snapshot in plain ingest', () => {
  it('reads its id, title, abstract, authors, categories and DOI, dated by its first version (not its last update)', () => {
    const line = JSON.stringify({
      id: '0704.0001',
      submitter: 'Pavel Nadolsky',
      authors: "C. Bal\\'azs, E. L. Berger, P. M. Nadolsky, C.-P. Yuan",
      title: 'Calculation of prompt diphoton production cross sections at Tevatron and\n  LHC energies',
      comments: '37 pages, 15 figures',
      'journal-ref': 'Phys.Rev.D76:013009,2007',
      doi: '10.1103/PhysRevD.76.013009',
      abstract: '  A fully differential calculation in perturbative quantum chromodynamics is\npresented for the production of massive photon pairs at hadron colliders.\n',
      categories: 'hep-ph cs.LG',
      versions: [{ version: 'v1', created: 'Mon, 2 Apr 2007 19:18:42 GMT' }],
      update_date: '2008-11-13',
      authors_parsed: [['Balázs', 'C.', '']],
    });
    const { papers, skipped } = parseSource(`${line}\n`, { filename: 'arxiv-metadata-oai-snapshot.json' });
    expect(skipped).toEqual([]);
    expect(papers).toEqual([
      {
        id: '0704.0001',
        title: 'Calculation of prompt diphoton production cross sections at Tevatron and LHC energies',
        abstract: 'A fully differential calculation in perturbative quantum chromodynamics is presented for the production of massive photon pairs at hadron colliders.',
        authors: ["C. Bal\\'azs", 'E. L. Berger', 'P. M. Nadolsky', 'C.-P. Yuan'],
        categories: ['hep-ph', 'cs.LG'],
        date: '2007-04-02',
        url: 'https://doi.org/10.1103/PhysRevD.76.013009',
        arxiv_url: 'https://arxiv.org/abs/0704.0001',
      },
    ]);
  });
});

describe('when papers were added', () => {
  it('is kept through a rebuild, and an index written before it existed still loads', async () => {
    const config = await testConfig({ sample: false, env: feedEnv() });
    engine = await openEngine(config);
    await engine.ingest([{ id: 'old-1', title: 'An old paper', abstract: 'Written before added_at existed.' }]);
    const addedAt = (await engine.getPaper('old-1'))!.added_at;
    await engine.ingest([], { rebuild: true });
    expect((await engine.getPaper('old-1'))!.added_at).toBe(addedAt);
    await engine.close();

    // Strip added_at from the stored papers, as an older papertalk wrote them.
    const manifest = JSON.parse(await readFile(path.join(config.indexDir, 'manifest.json'), 'utf8')) as { generation: string };
    const file = path.join(config.indexDir, manifest.generation, 'papers.jsonl');
    const rows = (await readFile(file, 'utf8')).trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    await writeFile(file, rows.map(({ added_at: _a, ...row }) => JSON.stringify(row)).join('\n') + '\n');
    engine = await openEngine(config);
    expect(await engine.getPaper('old-1')).toMatchObject({ title: 'An old paper' });
    expect((await engine.getPaper('old-1'))!.added_at).toBeUndefined();
    // Updating it does not pretend it is new.
    await engine.ingest([{ id: 'old-1', title: 'An old paper', abstract: 'Written before added_at existed, now revised.' }]);
    expect((await engine.getPaper('old-1'))!.added_at).toBeUndefined();
  });
});

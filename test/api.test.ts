// The HTTP API over a real port: every answer is JSON, bad input is a 4xx naming the field,
// and nothing a client sends can produce a 500.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleCorpus } from './support/corpus.js';
import { postWholeBodyFirst } from './support/hardened.js';
import { startTestServer, type TestServer } from './support/server.js';

interface Answer {
  status: number;
  type: string;
  body: any;
}

async function call(server: TestServer, method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<Answer> {
  const init: RequestInit = { method };
  if (body !== undefined) {
    init.body = typeof body === 'string' ? body : JSON.stringify(body);
    init.headers = { 'content-type': contentType };
  }
  const response = await fetch(`${server.url}${path}`, init);
  const text = await response.text();
  const type = response.headers.get('content-type') ?? '';
  return { status: response.status, type, body: type.includes('json') ? JSON.parse(text) : text };
}

function expectError(answer: Answer, status: number, field?: string) {
  expect(answer.status, JSON.stringify(answer.body).slice(0, 300)).toBe(status);
  expect(answer.type).toContain('application/json');
  expect(answer.body.error.code).toEqual(expect.any(String));
  expect(answer.body.error.message).toEqual(expect.any(String));
  if (field) {
    expect(answer.body.error.field).toBe(field);
    expect(answer.body.error.message).toContain(field);
  }
}

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

describe('POST /api/search', () => {
  it('answers ranked papers with the mode that ran and the time taken', async () => {
    const answer = await call(server, 'POST', '/api/search', { query: 'parameter-efficient fine-tuning', k: 4 });
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ results: expect.any(Array), evidence: expect.any(Object), mode: 'lexical', took_ms: expect.any(Number) });
    expect(answer.body.evidence).toMatchObject({ known_terms: 1, unknown_terms: [], top_coverage: expect.any(Number), lexical_strength: expect.any(Number) });
    expect(answer.body.results).toHaveLength(4);
    for (const hit of answer.body.results) {
      expect(hit).toMatchObject({
        id: expect.any(String),
        title: expect.any(String),
        abstract: expect.any(String),
        snippet: expect.any(String),
        score: expect.any(Number),
        retrievers: ['lexical'],
        coverage: expect.any(Number),
      });
      expect(hit).not.toHaveProperty('hash');
    }
  });

  it('returns 10 papers when k is not given', async () => {
    const answer = await call(server, 'POST', '/api/search', { query: 'language model' });
    expect(answer.body.results).toHaveLength(10);
  });

  it.each([
    ['the query is missing', { k: 5 }, 'query'],
    ['the query is empty', { query: '' }, 'query'],
    ['the query is only spaces', { query: '   ' }, 'query'],
    ['the query is not a string', { query: 42 }, 'query'],
    ['the query is longer than 2000 characters', { query: 'a'.repeat(2001) }, 'query'],
    ['k is 0', { query: 'bert', k: 0 }, 'k'],
    ['k is 101', { query: 'bert', k: 101 }, 'k'],
    ['k is the string "5"', { query: 'bert', k: '5' }, 'k'],
    ['k is a fraction', { query: 'bert', k: 2.5 }, 'k'],
    ['mode is unknown', { query: 'bert', mode: 'x' }, 'mode'],
  ])('answers 400 naming the field when %s', async (_name, body, field) => {
    expectError(await call(server, 'POST', '/api/search', body), 400, field);
  });

  it('answers 400 naming the body when the JSON is malformed', async () => {
    const answer = await call(server, 'POST', '/api/search', '{"query": "bert",', 'application/json');
    expectError(answer, 400);
    expect(answer.body.error.field).toBe('body');
  });

  it.each([
    ['an array', '[]'],
    ['null', 'null'],
    ['a bare string', '"bert"'],
  ])('answers 400 when the body is %s', async (_name, body) => {
    expectError(await call(server, 'POST', '/api/search', body, 'application/json'), 400);
  });

  it('answers 415 naming the content type when the body is not JSON', async () => {
    const answer = await call(server, 'POST', '/api/search', 'query=bert', 'application/x-www-form-urlencoded');
    expectError(answer, 415, 'content-type');
    expect(answer.body.error.code).toBe('unsupported_media_type');
  });

  it('answers 400 when there is no body at all', async () => {
    expectError(await call(server, 'POST', '/api/search'), 400);
  });
});

describe('GET /api/papers', () => {
  it('answers one paper by id, without index internals', async () => {
    const [first] = (await server.engine.listPapers(3, 1)).papers;
    const answer = await call(server, 'GET', `/api/papers/${encodeURIComponent(first!.id)}`);
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual(first);
  });

  it('answers 404 JSON naming the id for an unknown paper', async () => {
    const answer = await call(server, 'GET', '/api/papers/no-such-paper-00000000');
    expectError(answer, 404);
    expect(answer.body.error).toMatchObject({ code: 'not_found', field: 'id' });
    expect(answer.body.error.message).toContain('no-such-paper-00000000');
  });

  it('pages through the papers with offset and limit', async () => {
    const answer = await call(server, 'GET', '/api/papers?offset=10&limit=5');
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ papers: (await server.engine.listPapers(10, 5)).papers, total: sampleCorpus.uniquePapers, offset: 10, limit: 5 });
    expect(answer.body.papers).toHaveLength(5);
  });

  it('answers the first 50 by default and an empty page past the end', async () => {
    expect((await call(server, 'GET', '/api/papers')).body).toMatchObject({ offset: 0, limit: 50, total: sampleCorpus.uniquePapers });
    expect((await call(server, 'GET', '/api/papers')).body.papers).toHaveLength(50);
    expect((await call(server, 'GET', '/api/papers?offset=5000')).body).toMatchObject({ papers: [], total: sampleCorpus.uniquePapers });
  });

  it.each([
    ['limit=0', 'limit'],
    ['limit=501', 'limit'],
    ['limit=abc', 'limit'],
    ['offset=-1', 'offset'],
    ['offset=1.5', 'offset'],
  ])('answers 400 naming the field for %s', async (query, field) => {
    expectError(await call(server, 'GET', `/api/papers?${query}`), 400, field);
  });
});

describe('POST /api/ingest', () => {
  let writable: TestServer;

  beforeAll(async () => {
    writable = await startTestServer();
  });
  afterAll(() => writable.close());

  it('adds papers sent as a JSON array, and search finds them', async () => {
    const papers = [
      { title: 'Quokka-scale routing for mixture of experts', abstract: 'We route tokens among quokkarouter experts.', authors: 'Ada Lovelace, Alan Turing' },
      { id: 'arXiv:2401.00001', title: 'A second new paper', abstract: 'About something else entirely.', date: '2024-01-01' },
    ];
    const answer = await call(writable, 'POST', '/api/ingest', papers);
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({
      added: 2,
      updated: 0,
      unchanged: 0,
      total: sampleCorpus.uniquePapers + 2,
      embedded: 0,
      ids: [expect.stringMatching(/^quokka-scale-routing-for-mixture-of-experts-[0-9a-f]{8}$/), 'arXiv:2401.00001'],
      files: 1,
      skipped: [],
      skipped_total: 0,
      partial: false,
      updated_ids: [],
      warnings: [],
      took_ms: expect.any(Number),
    });
    expect((await call(writable, 'GET', `/api/papers/${encodeURIComponent('arXiv:2401.00001')}`)).body.title).toBe('A second new paper');

    const search = await call(writable, 'POST', '/api/search', { query: 'quokkarouter', k: 3 });
    expect(search.body.results[0]).toMatchObject({ title: papers[0]!.title, authors: ['Ada Lovelace', 'Alan Turing'] });
    const paper = await call(writable, 'GET', `/api/papers/${search.body.results[0].id}`);
    expect(paper.body.abstract).toBe(papers[0]!.abstract);

    const again = await call(writable, 'POST', '/api/ingest', { papers });
    expect(again.body).toMatchObject({ added: 0, unchanged: 2, total: sampleCorpus.uniquePapers + 2 });
  });

  it('adds papers from a listing sent as text/plain, and search finds them', async () => {
    const listing = [
      'Zebrafish Transformers for Striped Sequence Modeling',
      '',
      'We introduce zebrastripe attention, which alternates dense and sparse heads across layers, and show it models long striped sequences.',
      '',
      'Another Listing Paper About Kelp Forests',
      '',
      'We measure kelpfrond growth with satellite images and a small vision model trained on hand-labelled tiles.',
    ].join('\n');
    const answer = await call(writable, 'POST', '/api/ingest', listing, 'text/plain; charset=utf-8');
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    expect(answer.body).toMatchObject({ added: 2, updated: 0, skipped: [], skipped_total: 0 });

    const search = await call(writable, 'POST', '/api/search', { query: 'zebrastripe attention', k: 3 });
    expect(search.body.results[0].title).toBe('Zebrafish Transformers for Striped Sequence Modeling');
  });

  it('adds papers from a BibTeX export sent as text/plain, a CSV export as text/csv and an RIS export as application/x-research-info-systems', async () => {
    const bibtex = '@article{gecko2024, title={Gecko Routing for Sparse Experts}, author={Lee, Ann}, abstract={We route tokens with geckoroute, a sparse expert gate.}}';
    const fromBibtex = await call(writable, 'POST', '/api/ingest', bibtex, 'text/plain');
    expect(fromBibtex.status, JSON.stringify(fromBibtex.body)).toBe(200);
    expect(fromBibtex.body).toMatchObject({ added: 1, ids: ['gecko2024'] });

    const csv = 'Title,Abstract Note,Author\n"Newt Embeddings","We embed newtword tokens, quickly.","Chen, Bo"\n';
    const fromCsv = await call(writable, 'POST', '/api/ingest', csv, 'text/csv; charset=utf-8');
    expect(fromCsv.status, JSON.stringify(fromCsv.body)).toBe(200);
    expect(fromCsv.body).toMatchObject({ added: 1, skipped: [] });

    const ris = 'TY  - JOUR\nAU  - Diaz, Eva\nTI  - Axolotl Adapters\nAB  - We adapt axolotlnet layers.\nER  - \n';
    const fromRis = await call(writable, 'POST', '/api/ingest', ris, 'application/x-research-info-systems');
    expect(fromRis.status, JSON.stringify(fromRis.body)).toBe(200);
    expect(fromRis.body).toMatchObject({ added: 1, skipped: [] });

    const search = await call(writable, 'POST', '/api/search', { query: 'geckoroute newtword axolotlnet', k: 3 });
    expect(search.body.results.map((hit: { title: string }) => hit.title).sort()).toEqual(['Axolotl Adapters', 'Gecko Routing for Sparse Experts', 'Newt Embeddings']);
    expect(search.body.results.find((hit: { title: string }) => hit.title === 'Newt Embeddings').authors).toEqual(['Bo Chen']);
  });

  it.each([
    ['an empty array', [], 'body', /body/],
    ['an object without papers', { items: [] }, 'papers', /papers/],
    ['a batch whose only paper has no title', [{ abstract: 'No title here.' }], 'papers[0].title', /no papers found.*item 1: missing title/],
    ['a batch whose only paper has an empty abstract', [{ title: 'Empty', abstract: '  ' }], 'papers[0].abstract', /item 1: empty abstract/],
    ['a {papers} object whose only paper has no abstract', { papers: [{ title: 'T' }] }, 'papers[0].abstract', /item 1: missing abstract/],
  ])('answers 400 for %s', async (_name, body, field, message) => {
    const answer = await call(writable, 'POST', '/api/ingest', body);
    expectError(answer, 400, field);
    expect(answer.body.error.message).toMatch(message);
  });

  it('keeps source ids that differ in any way apart, and finds each by its own id (issue 12)', async () => {
    const ids = ['café', 'cafe\u0301', 'cafè', 'caf', 'paper 1', 'paper/1', 'paper\u200b1', 'paper-1', '論文-7', '논문-7', '7', 'a?b#c', '%41', 'A'];
    const papers = ids.map((id, i) => ({ id, title: `Colliding id ${i}`, abstract: `The paper whose source id is number ${i}.` }));
    const answer = await call(writable, 'POST', '/api/ingest', papers);
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    expect(answer.body).toMatchObject({ added: ids.length, updated: 0, ids });
    for (const [i, id] of ids.entries()) {
      const paper = await call(writable, 'GET', `/api/papers/${encodeURIComponent(id)}`);
      expect(paper.status, id).toBe(200);
      expect(paper.body).toMatchObject({ id, title: `Colliding id ${i}` });
    }
  });

  it.each([
    ['blank', '  ', 'papers[0].id'],
    ['a dot segment', '..', 'papers[0].id'],
    ['a control character', 'a\u0000b', 'papers[0].id'],
    ['a lone surrogate', 'a\ud800b', 'papers[0].id'],
    ['overlong', 'x'.repeat(257), 'papers[0].id'],
  ])('answers 400 naming the id for a source id that is %s', async (_name, id, field) => {
    expectError(await call(writable, 'POST', '/api/ingest', [{ id, title: 'T', abstract: 'A.' }]), 400, field);
  });

  it('reports at most 1000 ids', async () => {
    const papers = Array.from({ length: 1200 }, (_, i) => ({ id: `many-${i}`, title: `Many ${i}`, abstract: `Paper ${i} of many.` }));
    const answer = await call(writable, 'POST', '/api/ingest', papers);
    expect(answer.body.added).toBe(1200);
    expect(answer.body.ids).toEqual(papers.slice(0, 1000).map((paper) => paper.id));
  });

  it('answers 400 for an empty listing and for a listing with no papers in it', async () => {
    expectError(await call(writable, 'POST', '/api/ingest', '   \n', 'text/plain'), 400);
    expectError(await call(writable, 'POST', '/api/ingest', 'just one line of text', 'text/plain'), 400);
  });

  it('answers 415 naming the content type for other media types', async () => {
    const answer = await call(writable, 'POST', '/api/ingest', '<papers/>', 'application/xml');
    expectError(answer, 415, 'content-type');
  });

  it('lets a client that sends a large body of the wrong type whole before reading (urllib) get its 415', async () => {
    for (let i = 0; i < 5; i++) {
      const reply = await postWholeBodyFirst(writable.url, '/api/ingest', Buffer.alloc(3_000_000, '<'), 'application/xml');
      expect(reply, `attempt ${i}`).toMatchObject({ status: 415, error: undefined });
    }
  });

  it('never answers an ingest with a 500', async () => {
    const paper = fc.record({ title: fc.oneof(fc.string(), fc.jsonValue()), abstract: fc.oneof(fc.string(), fc.jsonValue()), authors: fc.jsonValue() }, { requiredKeys: [] });
    const body = fc.oneof(fc.jsonValue({ maxDepth: 3 }), fc.array(paper, { maxLength: 3 }), fc.record({ papers: fc.array(paper, { maxLength: 3 }) }));
    await fc.assert(
      fc.asyncProperty(body, fc.constantFrom('application/json', 'text/plain'), async (value, type) => {
        const answer = await call(writable, 'POST', '/api/ingest', type === 'text/plain' ? String(JSON.stringify(value)) : value, type);
        expect(answer.status).toBeLessThan(500);
        expect(answer.type).toContain('application/json');
      }),
      { numRuns: 40 },
    );
  });

  it('answers 415 naming the content type when a body comes without one', async () => {
    const response = await fetch(`${writable.url}/api/ingest`, { method: 'POST' });
    expect(response.status).toBe(415);
    expect((await response.json()).error.field).toBe('content-type');
  });
});

describe('limits and routing', () => {
  let small: TestServer;

  beforeAll(async () => {
    small = await startTestServer({ env: { PAPERTALK_MAX_BODY_BYTES: '4096' } });
  });
  afterAll(() => small.close());

  it.each([
    ['/api/ingest', 'application/json', JSON.stringify([{ title: 'Big', abstract: 'x'.repeat(5000) }])],
    ['/api/ingest', 'text/plain', `Big\n\n${'y'.repeat(5000)}`],
    ['/api/search', 'application/json', JSON.stringify({ query: 'z'.repeat(1900), k: 5, padding: 'p'.repeat(3000) })],
  ])('answers 413 JSON naming PAPERTALK_MAX_BODY_BYTES for an oversized body to %s (%s)', async (route, type, body) => {
    const answer = await call(small, 'POST', route, body, type);
    expectError(answer, 413);
    expect(answer.body.error.code).toBe('payload_too_large');
    expect(answer.body.error.message).toContain('PAPERTALK_MAX_BODY_BYTES');
    expect(small.engine.health().papers).toBe(sampleCorpus.uniquePapers);
  });

  it('still accepts a body under the limit', async () => {
    expect((await call(small, 'POST', '/api/search', { query: 'bert', k: 2 })).status).toBe(200);
  });

  it.each([
    ['GET', '/api/nothing-here'],
    ['POST', '/api/papers/abc/more'],
  ])('answers 404 JSON for %s %s', async (method, path) => {
    const answer = await call(server, method, path);
    expectError(answer, 404);
    expect(answer.body.error.code).toBe('not_found');
  });

  it.each([
    ['POST', '/api/papers/abc', 'GET, HEAD'],
    ['GET', '/api/search', 'POST'],
    ['DELETE', '/api/papers', 'GET, HEAD'],
    ['PUT', '/api/ingest', 'POST'],
    ['GET', '/api/export', 'POST'],
  ])('answers 405 with Allow for %s %s (the path exists under other methods)', async (method, path, allow) => {
    const response = await fetch(`${server.url}${path}`, { method });
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe(allow);
    expect((await response.json()).error).toMatchObject({ code: 'method_not_allowed', message: `${method} is not allowed on ${path}; it takes ${allow}` });
  });

  it('reports health over HTTP', async () => {
    const answer = await call(server, 'GET', '/api/health');
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({
      status: 'degraded',
      papers: sampleCorpus.uniquePapers,
      search_modes: ['lexical'],
      embedding: { loaded: false, reason: expect.any(String) },
      llm: { reachable: false },
    });
  });

  it('documents an operationId, the bearer scheme and 401/405 for every operation', async () => {
    const doc = (await call(server, 'GET', '/api/openapi.json')).body;
    expect(doc.components.securitySchemes.bearerToken).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(doc.servers).toEqual([{ url: '/', description: expect.any(String) }]);
    const operations = Object.values(doc.paths as Record<string, Record<string, { operationId: string; responses: Record<string, unknown> }>>).flatMap((path) => Object.values(path));
    expect(new Set(operations.map((op) => op.operationId)).size).toBe(operations.length);
    for (const op of operations) expect(Object.keys(op.responses)).toEqual(expect.arrayContaining(['401', '405']));
    expect(Object.keys(doc.paths['/api/ingest'].post.responses).sort()).toEqual(['200', '400', '401', '405', '413', '415', '429', '507']);
  });

  it('documents every route in /api/openapi.json', async () => {
    const answer = await call(server, 'GET', '/api/openapi.json');
    expect(answer.status).toBe(200);
    expect(answer.body.openapi).toMatch(/^3\.1/);
    const paths = answer.body.paths as Record<string, Record<string, unknown>>;
    expect(Object.keys(paths).sort()).toEqual([
      '/api/chat',
      '/api/export',
      '/api/health',
      '/api/import',
      '/api/ingest',
      '/api/new',
      '/api/papers',
      '/api/papers/{id}',
      '/api/papers/{id}/similar',
      '/api/saved',
      '/api/search',
    ]);
    expect(Object.keys(paths['/api/saved']!).sort()).toEqual(['delete', 'get', 'post']);
    expect(Object.keys(paths['/api/search']!)).toEqual(['post']);
    expect(Object.keys(paths['/api/ingest']!)).toEqual(['post']);
    expect(Object.keys(paths['/api/papers/{id}']!)).toEqual(['get']);
  });
});

describe('arbitrary input', () => {
  const jsonValue = fc.jsonValue({ maxDepth: 3 });
  const searchBody = fc.oneof(
    jsonValue,
    fc.record({ query: fc.oneof(fc.string(), jsonValue), k: fc.oneof(fc.integer(), jsonValue), mode: fc.oneof(fc.string(), jsonValue) }, { requiredKeys: [] }),
  );

  it('never answers a search with a 500', async () => {
    await fc.assert(
      fc.asyncProperty(searchBody, async (body) => {
        const answer = await call(server, 'POST', '/api/search', body);
        expect(answer.status).toBeLessThan(500);
        expect(answer.type).toContain('application/json');
      }),
      { numRuns: 60 },
    );
  });

  it('never answers a paper lookup or listing with a 500', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ minLength: 1 }), fc.string(), fc.string(), async (id, offset, limit) => {
        const lookup = await call(server, 'GET', `/api/papers/${encodeURIComponent(id)}`);
        expect(lookup.status).toBeLessThan(500);
        const page = await call(server, 'GET', `/api/papers?offset=${encodeURIComponent(offset)}&limit=${encodeURIComponent(limit)}`);
        expect(page.status).toBeLessThan(500);
      }),
      { numRuns: 40 },
    );
  });
});

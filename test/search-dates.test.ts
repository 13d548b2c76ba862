// Date ranges on search (POST /api/search from/to, and the MCP tool search_papers): inclusive,
// at day, month or year precision, undated papers left out.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './support/server.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ sample: false });
  await server.engine.ingest([
    { title: 'Pruning transformers in 2023', abstract: 'We prune transformer language models without retraining.', date: '2023-11-30' },
    { title: 'Pruning transformers in early 2024', abstract: 'We prune transformer language models with little retraining.', date: '2024-01-15' },
    { title: 'Pruning transformers, December 2024', abstract: 'Structured pruning of transformer language models.', date: '2024-12-31T10:00:00Z' },
    { title: 'Pruning transformers, a spelled-out date', abstract: 'Pruning transformer language models layer by layer.', date: 'March 3, 2025' },
    { title: 'Pruning transformers, undated', abstract: 'Pruning transformer language models, no date given.' },
  ]);
});
afterAll(async () => server.close());

async function search(body: object) {
  const response = await fetch(`${server.url}/api/search`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: response.status, body: (await response.json()) as any };
}
const titles = (body: any) => body.results.map((r: any) => r.title).sort();

describe('search within a date range', () => {
  it('keeps papers inside the range, both ends inclusive, at any precision', async () => {
    expect(titles((await search({ query: 'pruning transformers', from: '2024', to: '2024' })).body)).toEqual([
      'Pruning transformers in early 2024',
      'Pruning transformers, December 2024',
    ]);
    expect(titles((await search({ query: 'pruning transformers', from: '2024-01-15', to: '2024-12' })).body)).toHaveLength(2);
    expect(titles((await search({ query: 'pruning transformers', from: '2025-03' })).body)).toEqual(['Pruning transformers, a spelled-out date']);
    expect(titles((await search({ query: 'pruning transformers', to: '2023-11-30' })).body)).toEqual(['Pruning transformers in 2023']);
  });

  it('without a range finds every paper, the undated one included', async () => {
    expect((await search({ query: 'pruning transformers' })).body.results).toHaveLength(5);
  });

  it('does not pin an exact-title match that is outside the range', async () => {
    const { body } = await search({ query: 'Pruning transformers in 2023', from: '2024' });
    expect(body.results.map((r: any) => r.title)).not.toContain('Pruning transformers in 2023');
  });

  it('a malformed day is a 400 naming the field', async () => {
    const { status, body } = await search({ query: 'pruning', from: '2024-13-01' });
    expect(status).toBe(400);
    expect(body.error).toMatchObject({ field: 'from', message: 'from: must be YYYY, YYYY-MM or YYYY-MM-DD' });
  });
});

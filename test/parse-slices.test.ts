// parseSourceInSlices (how the server reads a text body) must read every text exactly as
// parseSource does, pausing between the lines of JSON Lines so searches run in between.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseSource } from '../src/ingest/index.js';
import { parseSourceInSlices } from '../src/ingest/parse.js';
import { rejectionOf } from './support/errors.js';
import { sampleFiles } from './support/corpus.js';

const record = (i: number) => JSON.stringify({ id: `p-${i}`, title: `Paper ${i}`, abstract: `Abstract ${i}.` });

const texts: Record<string, { text: string; filename?: string }> = {
  'JSON Lines with a bad line and a blank one': { text: `${record(1)}\n{"title": "no abstract"}\n\n${record(2)}\nnot json\n${record(3)}` },
  'BEIR corpus lines': { text: '{"_id": "b1", "title": "T one", "text": "Body one."}\n{"_id": "b2", "title": "T two", "text": "Body two."}', filename: 'corpus.jsonl' },
  'a pretty-printed single object (not JSON Lines)': { text: JSON.stringify({ title: 'One paper', abstract: 'Its abstract.' }, null, 2) },
  'a listing page': { text: readFileSync(sampleFiles[0]!, 'utf8') },
  'a JSON array': { text: JSON.stringify([{ title: 'A', abstract: 'B.' }, { abstract: 'no title' }], null, 1) },
  'CSV by its name': { text: 'title,abstract\n"First","One."\n"Second","Two."', filename: 'x.csv' },
  'RIS records': { text: 'TY  - JOUR\nTI  - A paper in RIS\nAB  - Its abstract.\nER  - \n', filename: 'x.ris' },
  'a saved arXiv feed': { text: readFileSync(new URL('./fixtures/exports/arxiv-query.xml', import.meta.url), 'utf8'), filename: 'feed.xml' },
  'a PubMed export': { text: readFileSync(new URL('./fixtures/exports/pubmed.nbib', import.meta.url), 'utf8'), filename: 'pubmed.nbib' },
  'a PubMed XML export': { text: readFileSync(new URL('./fixtures/exports/pubmed.xml', import.meta.url), 'utf8'), filename: 'pubmed.xml' },
  'OpenAlex works as JSON Lines': { text: readFileSync(new URL('./fixtures/exports/openalex-works.jsonl', import.meta.url), 'utf8'), filename: 'works.jsonl' },
  'a BOM before JSON Lines': { text: `\uFEFF${record(4)}\n${record(5)}` },
};

describe('parseSourceInSlices', () => {
  it.each(Object.entries(texts))('%s: the same result as parseSource', async (_name, { text, filename }) => {
    expect(await parseSourceInSlices(text, { filename }, async () => undefined)).toEqual(parseSource(text, { filename }));
  });

  it('pauses between the lines of JSON Lines', async () => {
    let pauses = 0;
    const text = Array.from({ length: 50 }, (_, i) => record(i)).join('\n');
    const result = await parseSourceInSlices(text, {}, async () => {
      pauses++;
    });
    expect(result.papers).toHaveLength(50);
    expect(pauses).toBeGreaterThanOrEqual(50);
  });

  it('refuses JSON Lines without a paper as parseSource does', async () => {
    const text = '{"title": "no abstract"}\n{"x": 1}';
    const error = await rejectionOf(parseSourceInSlices(text, { filename: 'body' }, async () => undefined));
    expect(error).toMatchObject({ code: 'parse_failed' });
    expect(() => parseSource(text, { filename: 'body' })).toThrow((error as Error).message);
  });
});

// Taking cited lists away (BibTeX, RIS, Markdown, CSV over the API and the CLI), since/until
// date filters on search and chat, and a notice when the asked search mode cannot run.
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../src/cli/main.js';
import type { Io } from '../src/cli/output.js';
import { tempDir } from './support/engine.js';
import { startTestServer, type TestServer } from './support/server.js';

const PAPERS = [
  { id: '2301.00001', title: 'Quokka Routing in January', abstract: 'We route quokka tokens among experts and measure quokka throughput.', date: '2023-01-15', authors: ['Ada Lovelace', 'Alan Turing'] },
  { id: '2406.00002', title: 'Quokka Routing in June', abstract: 'A later study of quokka routing with sparse quokka experts.', date: '2024-06-03T10:00:00Z', url: 'https://example.org/june' },
  { id: 'undated-quokka', title: 'Quokka Routing Without a Date', abstract: 'Quokka routing, but the listing gave no date for this quokka paper.' },
];

async function cli(argv: string[], indexDir: string) {
  let out = '';
  let err = '';
  const io: Io = { out: (text) => void (out += text), err: (text) => void (err += text), isTTY: false };
  const env = { PAPERTALK_INDEX_DIR: indexDir, PAPERTALK_DENSE: 'false', PAPERTALK_LOG_LEVEL: 'silent', OLLAMA_HOST: 'http://127.0.0.1:9' };
  return { code: await main(argv, io, env), out, err };
}

async function postJson(server: TestServer, route: string, body: unknown) {
  const response = await fetch(`${server.url}${route}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: response.status, headers: response.headers, text: await response.text() };
}

describe('export and date filters over HTTP', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ sample: false });
    await server.engine.ingest(PAPERS);
  });
  afterAll(() => server.close());

  it('exports papers as BibTeX with citation-js: authors, year, url, arXiv journal', async () => {
    const answer = await postJson(server, '/api/export', { ids: ['2301.00001', '2406.00002'], format: 'bibtex' });
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toBe('application/x-bibtex; charset=utf-8');
    expect(answer.headers.get('content-disposition')).toBe('attachment; filename="papertalk-papers.bib"');
    const entries = answer.text.split(/\n(?=@)/);
    expect(entries).toHaveLength(2);
    expect(entries[0]).toMatch(/^@article\{Lovelace2023Quokka,/);
    expect(entries[0]).toContain('author = {Lovelace, Ada and Turing, Alan}');
    expect(entries[0]).toContain('year = {2023}');
    expect(entries[0]).toContain('journal = {arXiv preprint arXiv:2301.00001}');
    expect(entries[0]).toContain('url = {https://arxiv.org/abs/2301.00001}');
    expect(entries[1]).toContain('url = {https://example.org/june}');
  });

  it('exports RIS, Markdown and CSV in the order given', async () => {
    const ris = await postJson(server, '/api/export', { ids: ['2406.00002', '2301.00001'], format: 'ris' });
    expect(ris.text.match(/^TI {2}- .*$/gm)).toEqual(['TI  - Quokka Routing in June', 'TI  - Quokka Routing in January']);
    expect(ris.text).toContain('AU  - Lovelace, Ada');
    expect(ris.text.trimEnd().endsWith('ER  -')).toBe(true);

    const md = await postJson(server, '/api/export', { ids: ['2301.00001', 'undated-quokka'], format: 'md' });
    expect(md.text).toBe('1. [Quokka Routing in January](https://arxiv.org/abs/2301.00001). Ada Lovelace, Alan Turing · 2023-01-15\n2. **Quokka Routing Without a Date**\n');

    const csv = await postJson(server, '/api/export', { ids: ['2301.00001'], format: 'csv' });
    expect(csv.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(csv.text.split('\r\n')).toEqual([
      '"id","title","authors","date","url","abstract"',
      `"2301.00001","Quokka Routing in January","Ada Lovelace; Alan Turing","2023-01-15","https://arxiv.org/abs/2301.00001","${PAPERS[0]!.abstract}"`,
      '',
    ]);
  });

  it('answers 404 naming an unknown id, and 400 for an unknown format', async () => {
    const unknown = await postJson(server, '/api/export', { ids: ['2301.00001', 'nope'], format: 'md' });
    expect(unknown.status).toBe(404);
    expect(JSON.parse(unknown.text).error).toMatchObject({ code: 'not_found', field: 'ids', message: 'no paper with id nope' });
    const format = await postJson(server, '/api/export', { ids: ['2301.00001'], format: 'docx' });
    expect(format.status).toBe(400);
    expect(JSON.parse(format.text).error.field).toBe('format');
  });

  it('filters search by since/until (inclusive, by the precision given) and says undated papers are left out', async () => {
    const titles = async (body: Record<string, unknown>) => {
      const answer = await postJson(server, '/api/search', { query: 'quokka routing', k: 10, ...body });
      return JSON.parse(answer.text);
    };
    expect((await titles({})).results).toHaveLength(3);
    const since = await titles({ from: '2024' });
    expect(since.results.map((hit: { id: string }) => hit.id)).toEqual(['2406.00002']);
    expect(since.notice).toBe('1 of 3 papers carry no date and are left out by the date range.');
    expect((await titles({ to: '2023-01' })).results.map((hit: { id: string }) => hit.id)).toEqual(['2301.00001']);
    expect((await titles({ from: '2023-01-16', to: '2024-06-03' })).results.map((hit: { id: string }) => hit.id)).toEqual(['2406.00002']);
    const bad = await postJson(server, '/api/search', { query: 'quokka', from: 'last week' });
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.text).error).toMatchObject({ field: 'from', message: 'from: must be YYYY, YYYY-MM or YYYY-MM-DD' });
  });

  it('filters chat sources by since/until', async () => {
    const answer = await postJson(server, '/api/chat', { messages: [{ role: 'user', content: 'quokka routing' }], stream: false, mode: 'extractive', to: '2023' });
    const result = JSON.parse(answer.text);
    expect(result.sources.map((source: { id: string }) => source.id)).toEqual(['2301.00001']);
    expect(result.sources[0]).toMatchObject({ date: '2023-01-15', authors: ['Ada Lovelace', 'Alan Turing'] });
  });

  it('says so when dense search is asked for without a model, instead of silently running lexical', async () => {
    const answer = JSON.parse((await postJson(server, '/api/search', { query: 'quokka', mode: 'dense' })).text);
    expect(answer.mode).toBe('lexical');
    expect(answer.notice).toMatch(/^dense search is not available \(.+\); ran lexical search instead\.$/);
    const plain = JSON.parse((await postJson(server, '/api/search', { query: 'quokka' })).text);
    expect(plain.notice).toBeUndefined();
  });
});

describe('export and notices on the command line', () => {
  let indexDir: string;
  beforeAll(async () => {
    indexDir = await tempDir();
    const file = path.join(indexDir, '..', `${path.basename(indexDir)}-papers.jsonl`);
    await writeFile(file, PAPERS.map((paper) => JSON.stringify(paper)).join('\n'));
    expect((await cli(['ingest', file], indexDir)).code).toBe(0);
  });

  it('search --format bibtex prints only BibTeX, one entry per result', async () => {
    const result = await cli(['search', 'quokka routing', '--format', 'bibtex', '--since', '2023'], indexDir);
    expect(result.code).toBe(0);
    expect(result.out.match(/^@article\{/gm)).toHaveLength(2);
    expect(result.err).toContain('note: 1 of 3 papers carry no date');
  });

  it('ask --format md prints the cited papers as Markdown', async () => {
    const result = await cli(['ask', 'quokka routing with experts', '--mode', 'extractive', '--format', 'md'], indexDir);
    expect(result.code, result.err).toBe(0);
    expect(result.out).toMatch(/^1\. (\[|\*\*)Quokka Routing/);
    expect(result.out).not.toContain('[1]');
  });

  it('search --mode dense without a model prints a notice in text and in --json', async () => {
    const text = await cli(['search', 'quokka', '--mode', 'dense'], indexDir);
    expect(text.out).toMatch(/^note: dense search is not available \(.+\); ran lexical search instead\./);
    const json = JSON.parse((await cli(['search', 'quokka', '--mode', 'dense', '--json'], indexDir)).out);
    expect(json.notice).toMatch(/dense search is not available/);
  });

  it('refuses a malformed --since with one line, exit 2', async () => {
    const result = await cli(['search', 'quokka', '--since', 'yesterday'], indexDir);
    expect(result.code).toBe(2);
    expect(result.err).toMatch(/--since must be YYYY, YYYY-MM or YYYY-MM-DD/);
  });
});

// One ingest core behind the CLI and the HTTP API: the same record reads the same way over
// either face, unusable entries and files are skipped and reported with where and why, folders
// are walked, and updates that look like damage are flagged. Real files, real HTTP.
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../src/cli/main.js';
import type { Io } from '../src/cli/output.js';
import { repoRoot } from './support/corpus.js';
import { makeTestEngine, tempDir } from './support/engine.js';
import { startTestServer, type TestServer } from './support/server.js';

const ABSTRACT = 'We study how ingest reads the same record over every face, and show that it does so with one set of rules for all of them.';

async function cli(argv: string[], indexDir: string) {
  let out = '';
  let err = '';
  const io: Io = { out: (text) => void (out += text), err: (text) => void (err += text), isTTY: false };
  const env = { PAPERTALK_INDEX_DIR: indexDir, PAPERTALK_DENSE: 'false', PAPERTALK_LOG_LEVEL: 'silent', OLLAMA_HOST: 'http://127.0.0.1:9' };
  const code = await main(argv, io, env);
  return { code, out, err };
}

async function post(server: TestServer, body: string | Blob, type: string) {
  const response = await fetch(`${server.url}/api/ingest`, { method: 'POST', headers: { 'content-type': type }, body });
  return { status: response.status, body: await response.json() };
}

describe('one ingest core for JSON records and text', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ sample: false });
  });
  afterAll(() => server.close());

  const record = {
    title: 'Same Rules Everywhere',
    summary: ABSTRACT,
    link: 'javascript:alert(1)',
    authors: 'Ann Lee; Bob Roy and Cy Fox',
  };

  it('reads a {title, summary} record the same over JSON and as JSONL text: same paper, no javascript: URL, three authors', async () => {
    const overJson = await post(server, JSON.stringify([record]), 'application/json');
    expect(overJson.status, JSON.stringify(overJson.body)).toBe(200);
    expect(overJson.body).toMatchObject({ added: 1, skipped: [] });
    const asText = await post(server, JSON.stringify(record), 'text/plain');
    expect(asText.status).toBe(200);
    expect(asText.body).toMatchObject({ added: 0, unchanged: 1 });

    const dir = await tempDir();
    await writeFile(path.join(dir, 'one.jsonl'), `${JSON.stringify(record)}\n`);
    const engine = await makeTestEngine({ sample: false });
    await engine.ingestFrom({ paths: [dir] });
    // When each index first saw the paper differs; everything read from the record must not.
    const content = ({ added_at: _when, ...paper }: { added_at?: string }) => paper;
    const fromFile = (await engine.listPapers(0, 10)).papers.map(content);
    await engine.close();
    const overHttp = (await server.engine.listPapers(0, 10)).papers.map(content);
    expect(overHttp).toEqual(fromFile);
    expect(overHttp).toEqual([{ id: expect.any(String), title: record.title, abstract: ABSTRACT, authors: ['Ann Lee', 'Bob Roy', 'Cy Fox'] }]);
  });

  it('skips one bad record of a JSON batch and reports it; the rest is ingested', async () => {
    const batch = [
      { title: 'Good Paper One', abstract: ABSTRACT },
      { abstract: 'A record without a title.' },
      'not an object',
      { title: 'Good Paper Two', abstract: ABSTRACT },
    ];
    const answer = await post(server, JSON.stringify(batch, null, 2), 'application/json');
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ added: 2, skipped_total: 2, partial: false });
    expect(answer.body.skipped).toEqual([
      // The lines the items start on in the body sent (the route reads the validator's parse).
      { source: 'body', line: 6, reason: 'item 2: missing title', field: 'papers[1].title' },
      { source: 'body', line: 9, reason: 'item 3: not a JSON object' },
    ]);
  });

  it('refuses random bytes sent as text/plain with a 400 that says they are not text', async () => {
    const answer = await post(server, new Blob([randomBytes(3000)]), 'text/plain');
    expect(answer.status).toBe(400);
    expect(answer.body.error).toMatchObject({ code: 'parse_failed', field: 'body' });
    expect(answer.body.error.message).toMatch(/binary data|not UTF-8 text/);
  });

  it('refuses a README sent as a listing: it does not look like a paper listing', async () => {
    const readme = await readFile(path.join(repoRoot, 'README.md'));
    const answer = await post(server, new Blob([readme]), 'text/plain');
    expect(answer.status).toBe(400);
    expect(answer.body.error.message).toMatch(/does not look like a paper listing/);
  });
});

describe('papertalk ingest over folders', () => {
  let root: string;
  beforeAll(async () => {
    root = await tempDir('papertalk-folders-');
    await mkdir(path.join(root, 'sub', 'deeper'), { recursive: true });
    await writeFile(path.join(root, 'top.jsonl'), `${JSON.stringify({ title: 'Top Level Paper', abstract: ABSTRACT })}\n{"title": "No abstract"}\n`);
    await writeFile(path.join(root, 'sub', 'deeper', 'nested.txt'), `Nested Folder Paper\n\n${ABSTRACT}\n`);
    await writeFile(path.join(root, 'paper.pdf'), '%PDF-1.7 not read');
    await writeFile(path.join(root, 'garbage.txt'), randomBytes(3000));
    await symlink(path.join(root, 'gone.txt'), path.join(root, 'dangling.txt'));
  });

  it('reads subfolders, lists unsupported files, garbage and broken links as skipped, and exits 3 (partial)', async () => {
    const result = await cli(['ingest', root, '--json'], await tempDir());
    expect(result.code, result.err).toBe(3);
    const report = JSON.parse(result.out);
    expect(report).toMatchObject({ added: 2, files: 3, partial: true, skipped_total: 4 });
    const bySource = Object.fromEntries(report.skipped.map((entry: { source: string; line: number; reason: string }) => [path.relative(root, entry.source), entry]));
    expect(bySource['dangling.txt']).toEqual({ source: path.join(root, 'dangling.txt'), line: 0, reason: expect.stringMatching(/^broken link/) });
    expect(bySource['paper.pdf'].reason).toMatch(/^unsupported file type \.pdf/);
    expect(bySource['garbage.txt']).toMatchObject({ line: 0, reason: expect.stringMatching(/binary data|not UTF-8 text/) });
    expect(bySource['top.jsonl']).toEqual({ source: path.join(root, 'top.jsonl'), line: 2, reason: 'missing abstract' });
  });

  it('--no-recursive leaves subfolders out', async () => {
    const result = await cli(['ingest', root, '--no-recursive', '--json'], await tempDir());
    expect(JSON.parse(result.out)).toMatchObject({ added: 1, files: 2 });
  });

  it('prints the skipped entries with file:line and reason on the terminal, and says it was partial', async () => {
    const result = await cli(['ingest', root], await tempDir());
    expect(result.out).toContain(`${path.join(root, 'top.jsonl')}:2: missing abstract`);
    expect(result.out).toContain(`${path.join(root, 'paper.pdf')}: unsupported file type .pdf`);
    expect(result.out).toMatch(/^2 added, 0 updated, 0 unchanged, 4 skipped; 2 papers in /);
    expect(result.out).toMatch(/partial: some files could not be read/);
  });

  it('ingests several paths as one ingest with one report', async () => {
    const result = await cli(['ingest', path.join(root, 'top.jsonl'), path.join(root, 'sub'), '--json'], await tempDir());
    expect(result.code).toBe(0);
    expect(JSON.parse(result.out)).toMatchObject({ added: 2, files: 2, total: 2, partial: false, skipped_total: 1 });
  });

  it.skipIf(process.getuid?.() === 0)('an unreadable file does not block the others', async () => {
    const dir = await tempDir();
    await writeFile(path.join(dir, 'a.jsonl'), `${JSON.stringify({ title: 'Readable Paper', abstract: ABSTRACT })}\n`);
    await writeFile(path.join(dir, 'b.jsonl'), `${JSON.stringify({ title: 'Locked Paper', abstract: ABSTRACT })}\n`);
    await chmod(path.join(dir, 'b.jsonl'), 0o000);
    const result = await cli(['ingest', dir, '--json'], await tempDir());
    expect(result.code).toBe(3);
    expect(JSON.parse(result.out)).toMatchObject({ added: 1, partial: true, skipped: [{ line: 0, reason: expect.stringMatching(/cannot read/) }] });
  });

  it('a folder with nothing usable is one error line, exit 1', async () => {
    const dir = await tempDir();
    await writeFile(path.join(dir, 'noise.txt'), randomBytes(2000));
    const result = await cli(['ingest', dir], await tempDir());
    expect(result.code).toBe(1);
    expect(result.err.trim().split('\n')).toHaveLength(1);
    expect(result.err).toMatch(/noise\.txt: (binary data|not UTF-8 text)/);
  });
});

describe('updated papers', () => {
  it('lists the ids of updated papers and warns when an abstract shrinks to a prefix of itself', async () => {
    const dir = await tempDir();
    const indexDir = await tempDir();
    const full = { id: '2401.00001', title: 'A Paper That Gets Truncated', abstract: `${ABSTRACT} It has a second sentence that the cut-off copy loses.` };
    const revised = { id: '2401.00002', title: 'A Paper That Gets Revised', abstract: ABSTRACT };
    await writeFile(path.join(dir, 'full.jsonl'), [full, revised].map((r) => JSON.stringify(r)).join('\n'));
    expect((await cli(['ingest', path.join(dir, 'full.jsonl')], indexDir)).code).toBe(0);

    const cut = { ...full, abstract: `${full.abstract.slice(0, 60)}…` };
    const changed = { ...revised, abstract: `${ABSTRACT} Now with new results.` };
    await writeFile(path.join(dir, 'cut.jsonl'), [cut, changed].map((r) => JSON.stringify(r)).join('\n'));
    const result = await cli(['ingest', path.join(dir, 'cut.jsonl'), '--json'], indexDir);
    const report = JSON.parse(result.out);
    expect(report).toMatchObject({ updated: 2, updated_ids: ['2401.00001', '2401.00002'] });
    expect(report.warnings).toEqual([{ id: '2401.00001', message: expect.stringMatching(/^abstract shrank from \d+ to 61 characters and is the start of the old one/) }]);

    // Restoring the full abstract is an update without a warning, and the terminal says which.
    await writeFile(path.join(dir, 'restore.jsonl'), JSON.stringify(full));
    const text = await cli(['ingest', path.join(dir, 'restore.jsonl')], indexDir);
    expect(text.out).toContain('updated: 2401.00001\n');
    expect(text.out).not.toContain('warning:');
  });
});

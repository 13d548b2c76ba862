// `papertalk import`, `similar`, `follow` and `new` on the command line.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { titleId } from '../src/ingest/index.js';
import { cliEnv, expectOneErrorLine, run, runBin } from './support/cli.js';
import { sampleDir } from './support/corpus.js';
import { tempDir } from './support/engine.js';
import { feedPapers, startFakeFeeds, type FakeFeeds } from './support/fake-feeds.js';

let feeds: FakeFeeds;
let indexDir: string;
let env: NodeJS.ProcessEnv;
beforeAll(async () => {
  feeds = await startFakeFeeds();
  indexDir = await tempDir();
  env = cliEnv(indexDir, { PAPERTALK_HF_ENDPOINT: feeds.url, PAPERTALK_ARXIV_ENDPOINT: feeds.url, PAPERTALK_ARXIV_DELAY_MS: '10' });
  expect((await run(['ingest', sampleDir], env)).code).toBe(0);
});
afterAll(async () => {
  await feeds?.close();
});

describe('papertalk import', () => {
  it('hf-daily shows progress on stderr and reports the papers it added', async () => {
    feeds.hfDays.set('2026-11-27', feedPapers(2, { from: 40 }));
    const result = await run(['import', 'hf-daily', '--from', '2026-11-27', '--to', '2026-11-28'], env);
    expect(result.code, result.err).toBe(0);
    expect(result.err).toBe('import hf-daily: 2026-11-27: 2 papers, 2 new [1/2]\nimport hf-daily: 2026-11-28: no papers [2/2]\n');
    const [first, second] = feedPapers(2, { from: 40 });
    expect(result.out).toMatch(/^2 added, 0 updated, 0 unchanged from Hugging Face daily papers 2026-11-27\.\.2026-11-28; \d+ papers in .+ \(2 requests, \d+ ms\)\n/);
    expect(result.out).toContain(`  + ${first!.title} (2611.00041)\n  + ${second!.title} (2611.00042)\n`);
  });

  it('arxiv --json prints the report for scripts', async () => {
    feeds.arxiv.push(...feedPapers(3, { from: 50 }));
    const result = await run(['import', 'arxiv', '--category', 'cs.CL', '--category', 'cs.LG', '--from', '2026-11-28', '--to', '2026-11-28', '--page-size', '2', '--json', '-q'], env);
    expect(result.code, result.err).toBe(0);
    expect(result.err).toBe('');
    expect(JSON.parse(result.out)).toMatchObject({ source: 'arxiv', categories: ['cs.CL', 'cs.LG'], requests: 2, added: 3, index_dir: indexDir });
  });

  it('offline: one line and exit code 1, from the real bin', async () => {
    const result = await runBin(['import', 'hf-daily', '--date', '2026-11-28'], { ...env, PAPERTALK_HF_ENDPOINT: 'http://127.0.0.1:9' });
    expect(result.code).toBe(1);
    expectOneErrorLine(result, 'cannot reach Hugging Face at http://127.0.0.1:9', 'are you offline?');
  });

  it('a bad date or a missing category is a usage error (exit 2)', async () => {
    expectOneErrorLine(await run(['import', 'hf-daily', '--date', 'tomorrow'], env), 'date: "tomorrow" is not a date (YYYY-MM-DD)');
    const missing = await run(['import', 'arxiv'], env);
    expect(missing.code).toBe(2);
    expectOneErrorLine(missing, 'give at least one arXiv category');
  });
});

describe('papertalk similar, follow and new', () => {
  it('similar lists other papers like the one given', async () => {
    const id = titleId('DyLoRA: Parameter Efficient Tuning of Pre-trained Models using Dynamic Search-Free Low-Rank Adaptation');
    const result = await run(['similar', id, '--k', '3'], env);
    expect(result.code, result.err).toBe(0);
    expect(result.out).toMatch(/^1\. .+\n/);
    expect(result.out).not.toContain(`id: ${id} `);
    expect(result.out).toMatch(/3 papers, lexical search/);
    expectOneErrorLine(await run(['similar', 'no-such-id'], env), 'no paper with id "no-such-id"');
  });

  it('follow saves a topic, new lists what arrived for it since the last look', async () => {
    expect((await run(['follow', 'speculative decoding'], env)).out).toMatch(/^following "speculative decoding" \(s-[0-9a-f]{8}\)\n$/);
    expect((await run(['follow', 'speculative decoding'], env)).out).toMatch(/^already following/);
    await run(['new'], env); // the first look: everything up to now is seen
    feeds.hfDays.set('2026-11-29', [
      { id: '2611.07777', title: 'Speculative decoding without a draft model', abstract: 'Speculative decoding made simple: the model drafts for itself.', authors: ['A. B'], published: '2026-11-29T10:00:00Z', categories: ['cs.CL'], upvotes: 12 },
    ]);
    expect((await run(['import', 'hf-daily', '--date', '2026-11-29', '-q'], env)).code).toBe(0);

    const found = await run(['new', '--peek'], env);
    expect(found.code, found.err).toBe(0);
    expect(found.out).toMatch(/^1\. Speculative decoding without a draft model\n {3}for: "speculative decoding" {2}added: .+ {2}id: 2611\.07777\n/);
    expect(found.out).toMatch(/1 new for you since .+ \(your last look\) \(1 papers added\)\n$/);
    const json = JSON.parse((await run(['new', '--json'], env)).out);
    expect(json.results.map((hit: { id: string }) => hit.id)).toEqual(['2611.07777']);
    expect((await run(['new'], env)).out).toMatch(/^Nothing new for your 1 saved searches since .+ \(your last look\); 0 papers were added\.\n$/);
    expect(JSON.parse((await run(['new', '--since', '7d', '--json'], env)).out).results.map((hit: { id: string }) => hit.id)).toContain('2611.07777');

    expect((await run(['follow', '--list'], env)).out).toMatch(/^s-[0-9a-f]{8} {2}speculative decoding\n$/);
    expect((await run(['follow', '--remove', 'speculative decoding'], env)).out).toMatch(/^no longer following "speculative decoding"/);
    expect((await run(['new'], env)).out).toBe('No saved searches yet: follow a topic with papertalk follow "your topic".\n');
    const bad = await run(['new', '--since', 'soonish'], env);
    expect(bad.code).toBe(2);
  });
});

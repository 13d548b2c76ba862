// The same behaviour asked of both index backends (vectra + MiniSearch, and LanceDB): what a
// user sees through the engine and the `papertalk` command must not depend on which one stores
// the index.
import { watch } from 'node:fs';
import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { chunkEmbeddingText, chunkPaper } from '../src/index/chunk.js';
import { approximateTokenCount } from '../src/text/tokens.js';
import { openEngine, type Engine } from '../src/engine.js';
import { readSource } from '../src/ingest/read.js';
import type { Paper } from '../src/types.js';
import { sampleCorpus, sampleDir, sampleFiles } from './support/corpus.js';
import { makeTestEngine, tempDir, testConfig } from './support/engine.js';
import { rejectionOf } from './support/errors.js';
import { generatedPapers, writeJsonl } from './support/papers.js';
import { cliEnv, runCli } from './support/processes.js';
import { makeTinyModelsDir } from './support/tiny-model.js';

const BACKENDS = ['vectra', 'lancedb'] as const;
/** Budget for tests that spawn `papertalk` processes: minutes on a loaded 2-core machine. */
const PROCESS_TEST_MS = 240_000;

/** Every paper of an engine, page by page. */
async function allPapers(engine: Engine): Promise<Paper[]> {
  const papers: Paper[] = [];
  for (let offset = 0; ; offset += 500) {
    const page = await engine.listPapers(offset, 500);
    papers.push(...page.papers);
    if (page.papers.length < 500) return papers;
  }
}

describe.each(BACKENDS)('the %s backend', (backend) => {
  const engines: Engine[] = [];
  const track = (engine: Engine) => (engines.push(engine), engine);
  afterAll(async () => {
    await Promise.all(engines.map((engine) => engine.close()));
  });

  describe('ingest, dedup and update', () => {
    it('indexes the sample corpus, records its backend, and finds a paper by its title', async () => {
      const engine = track(await makeTestEngine({ backend }));
      expect(engine.health()).toMatchObject({ backend, papers: sampleCorpus.uniquePapers, search_modes: ['lexical'] });
      const [paper] = (await engine.listPapers(100, 1)).papers;
      const { results, mode } = await engine.search(paper!.title, { k: 5 });
      expect(mode).toBe('lexical');
      expect(results[0]).toMatchObject({ id: paper!.id, title: paper!.title, abstract: paper!.abstract, retrievers: ['lexical'] });
      expect(results[0]!.coverage).toBeGreaterThan(0.9);
      expect(await engine.getPaper(paper!.id)).toEqual(paper);
      expect(await engine.getPaper('no-such-paper')).toBeUndefined();
      const ids = (await allPapers(engine)).map((p) => p.id);
      expect(new Set(ids).size).toBe(sampleCorpus.uniquePapers);
    });

    it('adds nothing when the same and overlapping sources come again', async () => {
      const engine = track(await makeTestEngine({ backend }));
      const again = await engine.ingestPath(sampleDir);
      expect(again).toMatchObject({ added: 0, updated: 0, total: sampleCorpus.uniquePapers });
      const one = await engine.ingestPath(sampleFiles[0]!);
      expect(one).toMatchObject({ added: 0, updated: 0, total: sampleCorpus.uniquePapers });
      expect(engine.health().papers).toBe(sampleCorpus.uniquePapers);
    });

    it('updates a paper whose abstract changed, and searches its new text', async () => {
      const engine = track(await makeTestEngine({ backend }));
      const [paper] = (await engine.listPapers(7, 1)).papers;
      const counts = await engine.ingest([{ ...paper!, abstract: `${paper!.abstract} It also studies quokkaphysics at length.` }]);
      expect(counts).toMatchObject({ added: 0, updated: 1, total: sampleCorpus.uniquePapers });
      expect((await engine.getPaper(paper!.id))?.abstract).toContain('quokkaphysics');
      const { results } = await engine.search('quokkaphysics', { k: 3 });
      expect(results.map((hit) => hit.id)).toEqual([paper!.id]);
      expect(engine.health().papers).toBe(sampleCorpus.uniquePapers);
    });

    it('an ingest read in batches (file by file) counts a paper given twice once, and its later copy wins', async () => {
      const engine = track(await makeTestEngine({ backend }));
      const [known] = (await engine.listPapers(3, 1)).papers;
      const dir = await tempDir();
      const first = { id: 'twice-1', title: 'Wombat burrow acoustics', abstract: 'Wombatsound in burrows.' };
      const second = { id: 'twice-2', title: 'Wombat burrow thermals', abstract: 'First version.' };
      await writeJsonl(dir, 'a.jsonl', [first, second, { ...known!, abstract: `${known!.abstract} Draft.` }]);
      await writeJsonl(dir, 'b.jsonl', [first, { ...second, abstract: 'Second version, wombatheat.' }, { ...known!, abstract: `${known!.abstract} Final.` }]);
      const report = await engine.ingestFrom({ paths: [dir] });
      expect(report).toMatchObject({ added: 2, updated: 1, unchanged: 0, total: sampleCorpus.uniquePapers + 2, files: 2 });
      expect(report.ids).toEqual(['twice-1', 'twice-2', known!.id]);
      expect(report.updated_ids).toEqual([known!.id]);
      expect((await engine.getPaper('twice-2'))?.abstract).toBe('Second version, wombatheat.');
      expect((await engine.getPaper(known!.id))?.abstract).toMatch(/ Final\.$/);
      expect((await engine.search('wombatheat', { k: 3 })).results.map((hit) => hit.id)).toEqual(['twice-2']);
      const ids = (await allPapers(engine)).map((p) => p.id);
      expect(ids.length).toBe(new Set(ids).size);
      expect(await engine.ingestPath(dir)).toMatchObject({ added: 0, updated: 0, total: sampleCorpus.uniquePapers + 2 });
      // Term statistics describe the papers as they ended up, as if given once.
      const direct = track(await makeTestEngine({ backend }));
      await direct.ingest([first, { ...second, abstract: 'Second version, wombatheat.' }, { ...known!, abstract: `${known!.abstract} Final.` }]);
      for (const term of ['wombatheat', 'wombatsound', 'version', 'draft', 'final']) expect(engine.index().docFrequency(term), term).toBe(direct.index().docFrequency(term));
    });

    it('keeps added_at and the source fields through an update and a rebuild, and filters search by date', async () => {
      const engine = track(await makeTestEngine({ backend, sample: false }));
      const dated = { id: '2411.00001', title: 'Numbat foraging maps', abstract: 'We map numbatforage sites.', date: '2024-11-02', upvotes: 12, categories: ['cs.CV', 'cs.LG'], arxiv_url: 'https://arxiv.org/abs/2411.00001' };
      const old = { id: '2301.00002', title: 'Numbat foraging in winter', abstract: 'Winter numbatforage sites.', date: '2023-01-05' };
      const undated = { id: 'x-3', title: 'Numbat foraging without a date', abstract: 'Undated numbatforage notes.' };
      await engine.ingest([dated, old, undated]);
      const stored = (await engine.getPaper(dated.id))!;
      expect(stored).toMatchObject({ upvotes: 12, categories: ['cs.CV', 'cs.LG'], arxiv_url: dated.arxiv_url });
      expect(Date.parse(stored.added_at!)).not.toBeNaN();

      expect(await engine.ingest([{ ...dated, upvotes: 40 }])).toMatchObject({ updated: 1, added: 0 });
      expect(await engine.getPaper(dated.id)).toMatchObject({ upvotes: 40, added_at: stored.added_at });
      await engine.ingest([], { rebuild: true });
      expect((await engine.getPaper(dated.id))!.added_at).toBe(stored.added_at);

      const ranged = await engine.search('numbatforage', { k: 5, from: '2024' });
      expect(ranged.results.map((hit) => hit.id)).toEqual([dated.id]);
      expect(ranged.notice).toContain('1 of 3 papers carry no date');
      expect((await engine.search('numbatforage', { k: 5, to: '2023-12' })).results.map((hit) => hit.id)).toEqual([old.id]);
      expect(await engine.exportPapers([old.id], 'csv')).toContain('Numbat foraging in winter');
    });

    it('a paper read by a search is the paper stored, all its fields, and its new version once updated', async () => {
      const engine = track(await makeTestEngine({ backend, sample: false }));
      const paper = { id: '2411.00007', title: 'Quokka grin survey', abstract: 'We count quokkagrin events.', date: '2024-11-07', url: 'https://example.org/q', authors: ['Ann Lee', 'Bob Roy'], upvotes: 3, categories: ['cs.CV'] };
      await engine.ingest([paper, { title: 'Quokka habitat', abstract: 'Where quokkagrin happens.' }]);
      const stored = (await engine.getPaper(paper.id))!;
      const { results } = await engine.search('quokkagrin survey', { k: 5 });
      expect(results[0]).toMatchObject({ id: paper.id, title: paper.title, abstract: paper.abstract, date: paper.date, url: paper.url, authors: paper.authors });
      // After the search (which may have read the paper with its ranking), the same paper.
      expect(await engine.getPaper(paper.id)).toEqual(stored);
      await engine.ingest([{ ...paper, abstract: 'We count quokkagrin events twice.', upvotes: 9 }]);
      expect((await engine.search('quokkagrin survey', { k: 5 })).results[0]).toMatchObject({ id: paper.id, abstract: 'We count quokkagrin events twice.' });
      expect(await engine.getPaper(paper.id)).toMatchObject({ abstract: 'We count quokkagrin events twice.', upvotes: 9, added_at: stored.added_at });
    });

    it('finds similar papers and what is new on vectra; says LanceDB cannot yet', async () => {
      const engine = track(await makeTestEngine({ backend }));
      const [paper] = (await engine.listPapers(3, 1)).papers;
      await engine.follow('language models');
      if (backend === 'vectra') {
        const { results } = await engine.similar(paper!.id, 3);
        expect(results.length).toBe(3);
        expect(results.map((hit) => hit.id)).not.toContain(paper!.id);
        expect((await engine.whatsNew({ since: new Date(0), peek: true })).results.length).toBeGreaterThan(0);
      } else {
        for (const error of [await rejectionOf(engine.similar(paper!.id, 3)), await rejectionOf(engine.whatsNew({ peek: true }))]) {
          expect(error).toMatchObject({ code: 'input_invalid', field: 'backend' });
          expect((error as Error).message).toContain('vectra backend');
        }
      }
    });

    it('answers an empty or punctuation-only query with no results rather than an error', async () => {
      const engine = track(await makeTestEngine({ backend }));
      expect((await engine.search('?!', { k: 5 })).results).toEqual([]);
      expect((await engine.search('the of and', { k: 5 })).results).toEqual([]);
    });
  });

  describe('lexical, dense and hybrid search (tiny model)', () => {
    it('serves all three modes, a dense query for a chunk finding its paper, embedding only what changed', async () => {
      const engine = track(await makeTestEngine({ backend, dense: true, sample: false }));
      const papers = (await readSource(sampleFiles[0]!)).papers;
      const first = await engine.ingest(papers);
      const health = engine.health();
      expect(health).toMatchObject({ backend, search_modes: ['lexical', 'dense', 'hybrid'] });
      expect(health.vectors).toBe(health.chunks);
      expect(first.embedded).toBe(health.chunks);

      const target = papers[3]!;
      const embedder = engine.embedder!;
      const chunk = chunkPaper(target, (text) => embedder.countTokens(text), embedder.maxTokens)[0]!;
      const dense = await engine.search(chunkEmbeddingText(target, chunk), { k: 5, mode: 'dense' });
      expect(dense.mode).toBe('dense');
      expect(dense.results[0]).toMatchObject({ id: target.id, retrievers: ['dense'] });
      const hybrid = await engine.search(target.title, { k: 10, mode: 'hybrid' });
      expect(hybrid.mode).toBe('hybrid');
      expect(hybrid.results[0]!.id).toBe(target.id);
      expect(new Set(hybrid.results.flatMap((hit) => hit.retrievers))).toEqual(new Set(['lexical', 'dense']));

      const update = await engine.ingest([{ ...target, abstract: `${target.abstract} A new closing sentence.` }]);
      expect(update).toMatchObject({ updated: 1, added: 0 });
      expect(update.embedded).toBeGreaterThan(0);
      expect(update.embedded).toBeLessThanOrEqual(chunkPaper(target, approximateTokenCount, 10_000).length + 4);
      expect((await engine.ingest(papers.slice(4, 14))).embedded).toBe(0);
      expect(engine.health().vectors).toBe(engine.health().chunks);
    });

    it('an ingest of several commits where a later file changes a paper an earlier commit wrote: one copy, the later one, embedded', async () => {
      // With a model LanceDB commits every 1k papers, the next batch read while one is written.
      const engine = track(await makeTestEngine({ backend, dense: true, sample: false }));
      const dir = await tempDir();
      const papers = generatedPapers(1500, 11).map((paper, i) => ({ ...paper, id: `many-${i}` }));
      await writeJsonl(dir, 'a.jsonl', papers);
      const changed = { ...papers[5]!, abstract: `${papers[5]!.abstract} Then the numbatquoll result changed.` };
      await writeJsonl(dir, 'b.jsonl', [changed]);
      expect(await engine.ingestPath(dir)).toMatchObject({ added: 1500, updated: 0, total: 1500 });
      expect(await engine.getPaper('many-5')).toMatchObject({ abstract: changed.abstract });
      const ids = (await allPapers(engine)).map((p) => p.id);
      expect(ids).toHaveLength(1500);
      expect(new Set(ids).size).toBe(1500);
      expect(engine.health().vectors).toBe(engine.health().chunks);
      expect((await engine.search('numbatquoll', { k: 3, mode: 'lexical' })).results.map((hit) => hit.id)).toEqual(['many-5']);
      expect((await engine.search(changed.abstract, { k: 3, mode: 'dense' })).results[0]!.id).toBe('many-5');
    });
  });

  describe('two processes', () => {
    it('a running engine finds papers another process ingested', async () => {
      const server = track(await makeTestEngine({ backend }));
      const file = await writeJsonl(await tempDir(), 'wombat.jsonl', [{ title: 'Wombat burrow geometry', abstract: 'We measure wombatburrow tunnels with lidar.' }]);
      const cli = runCli(['ingest', file], cliEnv(server.config.indexDir, { PAPERTALK_INDEX_BACKEND: backend }));
      expect(await cli.exited, cli.output()).toBe(0);
      await vi.waitFor(
        async () => {
          const { results } = await server.search('wombatburrow', { k: 3 });
          expect(results.map((hit) => hit.title)).toEqual(['Wombat burrow geometry']);
        },
        { timeout: 60_000, interval: 200 },
      );
      expect(server.health().papers).toBe(sampleCorpus.uniquePapers + 1);
    }, PROCESS_TEST_MS);

    it('two writers: an engine writing after another process keeps both papers; concurrent CLI ingests never corrupt or double', async () => {
      const server = track(await makeTestEngine({ backend }));
      const other = track(await openEngine(server.config));
      await other.ingest([{ title: 'Written by the CLI', abstract: 'A paper the command line added while the server ran.' }]);
      const counts = await server.ingest([{ title: 'Written by the server', abstract: 'A paper posted to the running server.' }]);
      expect(counts).toMatchObject({ added: 1, total: sampleCorpus.uniquePapers + 2 });

      const dir = await tempDir();
      const a = await writeJsonl(dir, 'a.jsonl', generatedPapers(300, 1).map((p) => ({ ...p, id: `a-${p.id}` })));
      const b = await writeJsonl(dir, 'b.jsonl', generatedPapers(300, 2).map((p) => ({ ...p, id: `b-${p.id}` })));
      const env = cliEnv(server.config.indexDir, { PAPERTALK_INDEX_BACKEND: backend });
      const runs = [runCli(['ingest', a], env), runCli(['ingest', b], env)];
      const codes = await Promise.all(runs.map((run) => run.exited));
      for (const [i, code] of codes.entries()) {
        // The loser of the lock race is told another process is writing; it never half-writes.
        if (code !== 0) expect(runs[i]!.output()).toMatch(/another papertalk process \(pid \d+\) is writing/);
      }
      expect(codes).toContain(0);
      const fresh = track(await openEngine(server.config));
      const ids = (await allPapers(fresh)).map((p) => p.id);
      expect(new Set(ids).size).toBe(ids.length);
      const expected = sampleCorpus.uniquePapers + 2 + codes.filter((code) => code === 0).length * 300;
      expect(fresh.health().papers).toBe(expected);
    }, PROCESS_TEST_MS);
  });

  describe('faults', () => {
    it('a kill -9 mid-ingest leaves a committed index; the next ingest resumes and embeds only what is missing', async () => {
      const config = await testConfig({ backend, dense: true });
      const papers = generatedPapers(2500, 7);
      const file = await writeJsonl(await tempDir(), 'many.jsonl', papers);
      const env = cliEnv(config.indexDir, {
        PAPERTALK_INDEX_BACKEND: backend,
        PAPERTALK_DENSE: 'true',
        PAPERTALK_MODELS_DIR: await makeTinyModelsDir(),
      });
      const child = runCli(['ingest', file], env);
      // Kill at the first sign of writing: a generation folder (vectra) or a commit (lancedb).
      await vi.waitFor(async () => expect((await readdir(config.indexDir).catch(() => [])).length).toBeGreaterThan(0), { timeout: 120_000, interval: 20 });
      const watcher = watch(config.indexDir, (_event, name) => {
        if (name === 'manifest.json' || name?.startsWith('g-')) child.child.kill('SIGKILL');
      });
      const code = await child.exited;
      watcher.close();
      expect(code, child.output()).toBe('SIGKILL');

      const after = track(await openEngine(config));
      const stopped = after.health();
      const ids = (await allPapers(after)).map((p) => p.id);
      expect(new Set(ids).size).toBe(ids.length);
      expect(stopped.vectors).toBe(stopped.chunks);
      await after.close();

      const resumed = runCli(['ingest', file, '--json'], env);
      expect(await resumed.exited, resumed.output()).toBe(0);
      const counts = JSON.parse(resumed.output().slice(resumed.output().indexOf('{'))) as { added: number; embedded: number; total: number };
      expect(counts.total).toBe(papers.length);
      expect(counts.added).toBe(papers.length - stopped.papers);
      const final = track(await openEngine(config));
      expect(final.health().vectors).toBe(final.health().chunks);
      // Only the chunks of papers the killed ingest had not committed were embedded again.
      expect(counts.embedded).toBe(final.health().chunks - stopped.chunks);
      if (backend === 'lancedb') expect(stopped.papers).toBeGreaterThan(0);
    }, PROCESS_TEST_MS);

    it('a damaged index is one clear error naming the rebuild, and `ingest --rebuild <sources>` repairs it', async () => {
      const engine = await makeTestEngine({ backend });
      const dir = engine.config.indexDir;
      await engine.close();
      const manifest = JSON.parse(await readFile(path.join(dir, 'manifest.json'), 'utf8')) as { generation: string; db?: string; terms?: string };
      // Damage a data file the index cannot open without.
      const victim = backend === 'lancedb' ? path.join(dir, manifest.db!, manifest.terms!) : path.join(dir, manifest.generation, 'papers.jsonl');
      await writeFile(victim, '{"truncated');
      const error = await rejectionOf(openEngine(engine.config));
      expect(error).toMatchObject({ code: 'index_corrupt' });
      expect(error.message).toContain('papertalk ingest --rebuild');

      const cli = runCli(['ingest', '--rebuild', sampleDir], cliEnv(dir, { PAPERTALK_INDEX_BACKEND: backend }));
      expect(await cli.exited, cli.output()).toBe(0);
      const repaired = track(await openEngine(engine.config));
      expect(repaired.health()).toMatchObject({ backend, papers: sampleCorpus.uniquePapers });
    }, PROCESS_TEST_MS);

    it('a garbage manifest is an index_corrupt error, not an empty index', async () => {
      const engine = await makeTestEngine({ backend });
      await engine.close();
      await writeFile(path.join(engine.config.indexDir, 'manifest.json'), '{"format":1,"backend":');
      expect(await rejectionOf(openEngine(engine.config))).toMatchObject({ code: 'index_corrupt' });
    });
  });

  describe('choosing and moving backends', () => {
    const other = backend === 'vectra' ? 'lancedb' : 'vectra';

    it('opening the index with the other backend is a clear error; without a setting it opens as recorded', async () => {
      const engine = await makeTestEngine({ backend });
      await engine.close();
      const error = await rejectionOf(openEngine({ ...engine.config, indexBackend: other }));
      expect(error).toMatchObject({ code: 'index_backend_mismatch' });
      expect(error.message).toContain(`uses the ${backend} backend but papertalk is set to ${other}`);
      expect(error.message).toContain(`papertalk migrate --backend ${other}`);
      const recorded = track(await openEngine({ ...engine.config, indexBackend: undefined }));
      expect(recorded.health()).toMatchObject({ backend, papers: sampleCorpus.uniquePapers });
    });

    it(`papertalk migrate --backend ${other} moves every paper over and removes the old files`, async () => {
      const engine = await makeTestEngine({ backend });
      const dir = engine.config.indexDir;
      const before = (await allPapers(engine)).map((p) => p.id).sort();
      await engine.close();
      const cli = runCli(['migrate', '--backend', other, '--json'], cliEnv(dir));
      expect(await cli.exited, cli.output()).toBe(0);
      expect(cli.output()).toContain(`"from": "${backend}"`);
      const moved = track(await openEngine({ ...engine.config, indexBackend: other }));
      expect(moved.health()).toMatchObject({ backend: other, papers: sampleCorpus.uniquePapers });
      expect((await allPapers(moved)).map((p) => p.id).sort()).toEqual(before);
      const stats = runCli(['stats', '--json'], cliEnv(dir));
      expect(await stats.exited).toBe(0);
      expect(JSON.parse(stats.output().slice(stats.output().indexOf('{')))).toMatchObject({ backend: other });
      const leftovers = (await readdir(dir)).filter((name) => (backend === 'vectra' ? name.startsWith('g-') : name.startsWith('lance-')));
      expect(leftovers).toEqual([]);
      await rm(dir, { recursive: true, force: true });
    }, PROCESS_TEST_MS);
  });
});

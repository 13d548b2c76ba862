// The `papertalk` command: exit codes, --json output for scripts, one readable line on error.
// Most specs call main() in-process (fast); a few spawn the real bin end to end.
import { readFile, truncate } from 'node:fs/promises';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { openEngine } from '../src/engine.js';
import { cliEnv, expectOneErrorLine, run, runBin, type Run } from './support/cli.js';
import { repoRoot, sampleCorpus, sampleDir, sampleFiles } from './support/corpus.js';
import { makeTestEngine, tempDir, testConfig } from './support/engine.js';
import { fakeEmbedder } from './support/papers.js';
import { makeTinyModelsDir, TINY_MODEL, TINY_MODEL_DIM } from './support/tiny-model.js';

describe('on an index of the sample corpus', () => {
  let indexDir: string;
  let ingest: Run;

  beforeAll(async () => {
    indexDir = await tempDir();
    ingest = await run(['ingest', sampleDir, '--json'], cliEnv(indexDir));
  });

  it('ingest --json prints a summary of what changed', () => {
    expect(ingest.code).toBe(0);
    expect(JSON.parse(ingest.out)).toEqual({
      added: sampleCorpus.uniquePapers,
      updated: 0,
      unchanged: 0,
      total: sampleCorpus.uniquePapers,
      embedded: 0,
      ids: expect.any(Array),
      files: sampleFiles.length,
      skipped: [],
      skipped_total: 0,
      partial: false,
      updated_ids: [],
      warnings: [],
      took_ms: expect.any(Number),
      index_dir: indexDir,
    });
    const { ids } = JSON.parse(ingest.out);
    expect(ids).toHaveLength(sampleCorpus.uniquePapers);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('ingest of the same file again reports it unchanged, in one line of text', async () => {
    const result = await run(['ingest', sampleFiles[0]!], cliEnv(indexDir));
    expect(result.code).toBe(0);
    expect(result.out).toMatch(new RegExp(`^0 added, 0 updated, \\d+ unchanged.*; ${sampleCorpus.uniquePapers} papers in `));
    expect(result.out.trim().split('\n')).toHaveLength(1);
  });

  it('search --json prints the search response', async () => {
    const result = await run(['search', 'sparse pre-training', '--json', '-k', '3'], cliEnv(indexDir));
    expect(result.code).toBe(0);
    const response = JSON.parse(result.out);
    expect(response).toEqual({ results: expect.any(Array), evidence: expect.any(Object), mode: 'lexical', took_ms: expect.any(Number) });
    expect(response.results).toHaveLength(3);
    expect(response.results[0]).toMatchObject({ id: expect.any(String), title: expect.any(String), snippet: expect.any(String), retrievers: ['lexical'] });
  });

  it('search prints numbered results for people', async () => {
    const result = await run(['search', 'sparse pre-training', '--k', '2', '--mode', 'lexical'], cliEnv(indexDir));
    expect(result.code).toBe(0);
    expect(result.out).toMatch(/^1\. .+\n {3}.+\n {3}id: \S+ {2}score: [\d.]+ {2}via: lexical\n/);
    expect(result.out).toContain('\n2. ');
    expect(result.out).toMatch(/2 papers, lexical search, [\d.]+ ms\n$/);
  });

  it('stats --json prints the health report', async () => {
    const result = await run(['stats', '--json'], cliEnv(indexDir));
    expect(result.code).toBe(0);
    expect(JSON.parse(result.out)).toMatchObject({
      papers: sampleCorpus.uniquePapers,
      chunks: expect.any(Number),
      index_dir: indexDir,
      search_modes: ['lexical'],
      embedding: { loaded: false, reason: expect.stringContaining('PAPERTALK_DENSE=false') },
    });
  });

  it.each([
    ['search --k 0', ['search', 'bert', '--k', '0'], '--k'],
    ['search --k 101', ['search', 'bert', '--k', '101'], '--k'],
    ['search -k five', ['search', 'bert', '-k', 'five'], '--k'],
    ['search --mode semantic', ['search', 'bert', '--mode', 'semantic'], '--mode'],
    ['search without a query', ['search'], 'query'],
    ['search with a blank query', ['search', '   '], 'query'],
    ['search with a 2001-character query', ['search', 'q'.repeat(2001)], '2000'],
    ['serve --port 99999', ['serve', '--port', '99999'], '--port'],
    ['ingest without paths', ['ingest'], 'file or folder'],
    ['an unknown command', ['frobnicate'], 'frobnicate'],
    ['an unknown flag', ['stats', '--verbose'], '--verbose'],
  ])('exits 2 with one line for %s', async (_name, argv, mention) => {
    const result = await run(argv, cliEnv(indexDir));
    expect(result.code).toBe(2);
    expectOneErrorLine(result, mention);
  });

  it('exits 2 with one line naming a path that does not exist, before touching the index', async () => {
    const missing = path.join(indexDir, 'no-such-listing.txt');
    const result = await run(['ingest', sampleFiles[0]!, missing], cliEnv(indexDir));
    expect(result.code).toBe(2);
    expectOneErrorLine(result, missing);
  });

  it('exits 2 with one line naming the variable when the configuration is bad', async () => {
    for (const [name, value] of [['PAPERTALK_PORT', 'abc'], ['PAPERTALK_LOG_LEVEL', 'loud'], ['PAPERTALK_DENSE', 'maybe']]) {
      const result = await run(['stats'], cliEnv(indexDir, { [name!]: value! }));
      expect(result.code).toBe(2);
      expectOneErrorLine(result, name!, value!);
    }
  });

  it('prints help and exits 0', async () => {
    const result = await run(['--help'], cliEnv(indexDir));
    expect(result.code).toBe(0);
    for (const command of ['serve', 'ingest', 'search', 'stats']) expect(result.out).toContain(command);
  });
});

describe('repairing an index', () => {
  it('exits 1 naming the rebuild command when the index is corrupt, and `ingest --rebuild <paths>` repairs it', async () => {
    const engine = await makeTestEngine();
    await engine.close();
    const indexDir = engine.config.indexDir;
    const generation = JSON.parse(await readFile(path.join(indexDir, 'manifest.json'), 'utf8')).generation;
    await truncate(path.join(indexDir, generation, 'lexical.json'), 64);

    const broken = await run(['search', 'bert'], cliEnv(indexDir));
    expect(broken.code).toBe(1);
    expectOneErrorLine(broken, 'lexical.json', 'papertalk ingest --rebuild');

    const rebuilt = await run(['ingest', '--rebuild', sampleDir, '--json'], cliEnv(indexDir));
    expect(rebuilt.code, rebuilt.err).toBe(0);
    expect(JSON.parse(rebuilt.out)).toMatchObject({ total: sampleCorpus.uniquePapers });
    const stats = await run(['stats', '--json'], cliEnv(indexDir));
    expect(JSON.parse(stats.out)).toMatchObject({ papers: sampleCorpus.uniquePapers });
  });

  it('refuses `ingest --rebuild` without paths when the papers themselves cannot be read', async () => {
    const engine = await makeTestEngine();
    await engine.close();
    await truncate(path.join(engine.config.indexDir, 'manifest.json'), 10);
    const result = await run(['ingest', '--rebuild'], cliEnv(engine.config.indexDir));
    expect(result.code).toBe(1);
    expectOneErrorLine(result, 'manifest.json', 'papertalk ingest --rebuild <');
  });

  it('re-embeds an index made with another model on `ingest --rebuild`, as the mismatch error advises', async () => {
    // An index whose vectors came from another model than the one configured (the tiny model).
    const indexDir = await tempDir();
    const other = fakeEmbedder('Xenova/bge-small-en-v1.5', 16);
    const built = await openEngine(await testConfig({}, indexDir), { embedder: { loaded: true, embedder: other } });
    await built.ingestPath(sampleFiles[0]!);
    await built.close();
    const env = cliEnv(indexDir, { PAPERTALK_DENSE: 'true', PAPERTALK_MODELS_DIR: await makeTinyModelsDir(), PAPERTALK_ALLOW_REMOTE_MODELS: 'false' });

    const mismatch = await run(['search', 'bert'], env);
    expect(mismatch.code).toBe(1);
    expectOneErrorLine(mismatch, other.model, TINY_MODEL, 'papertalk ingest --rebuild');

    const rebuilt = await run(['ingest', '--rebuild', '--json'], env);
    expect(rebuilt.code, rebuilt.err).toBe(0);
    const summary = JSON.parse(rebuilt.out);
    expect(summary.total).toBe(built.health().papers);
    expect(summary.embedded).toBeGreaterThanOrEqual(summary.total);

    const stats = JSON.parse((await run(['stats', '--json'], env)).out);
    expect(stats).toMatchObject({ papers: built.health().papers, vectors: stats.chunks, embedding: { loaded: true, model: TINY_MODEL, dim: TINY_MODEL_DIM } });
    expect(stats.search_modes).toContain('hybrid');
  });
});

describe('the real `papertalk` binary', () => {
  it('ingests and searches with --json, and exits 2 with one line on a bad flag', async () => {
    const indexDir = await tempDir();
    const env = cliEnv(indexDir);
    const ingest = await runBin(['ingest', sampleFiles[1]!, '--json'], env);
    expect(ingest.code, ingest.err).toBe(0);
    const summary = JSON.parse(ingest.out);
    expect(summary).toMatchObject({ updated: 0, files: 1, index_dir: indexDir });
    expect(summary.added).toBe(summary.total);

    const search = await runBin(['search', 'language model', '--json', '--k', '4'], env);
    expect(search.code, search.err).toBe(0);
    expect(JSON.parse(search.out).results).toHaveLength(4);

    const bad = await runBin(['search', 'language model', '--k', '0'], env);
    expect(bad.code).toBe(2);
    expectOneErrorLine(bad, '--k');
  }, 60_000);

  it('exits 2 with one line naming PAPERTALK_PORT when it is not a number', async () => {
    const result = await runBin(['stats'], cliEnv(await tempDir(), { PAPERTALK_PORT: 'abc' }));
    expect(result.code).toBe(2);
    expectOneErrorLine(result, 'PAPERTALK_PORT');
  }, 30_000);
});

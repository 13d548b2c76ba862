// The on-disk index: incremental ingest that never duplicates, embeds only what changed,
// survives a crash at any point, and says how to repair itself when it cannot be used.
import { spawn } from 'node:child_process';
import { watch } from 'node:fs';
import { cp, mkdir, readdir, readFile, rm, stat, truncate, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { openEngine, type Engine } from '../src/engine.js';
import { lockHolder } from '../src/index/lock.js';
import { openIndex } from '../src/index/store.js';
import { snapshotOf } from './support/engine.js';
import { readSource } from '../src/ingest/read.js';
import type { PaperInput } from '../src/types.js';
import { repoRoot, sampleCorpus, sampleDir, sampleFiles } from './support/corpus.js';
import { makeTestEngine, tempDir, testConfig } from './support/engine.js';
import { fakeEmbedder, generatedPapers, writeJsonl } from './support/papers.js';
import { TINY_MODEL, TINY_MODEL_DIM } from './support/tiny-model.js';
import { rejectionOf } from './support/errors.js';
import { lockState, plantLock } from './support/locks.js';

async function generationFolders(dir: string): Promise<string[]> {
  return (await readdir(dir)).filter((name) => name.startsWith('g-')).sort();
}

/** Some real papers from the first sample listing. */
async function samplePapers(count: number): Promise<PaperInput[]> {
  return (await readSource(sampleFiles[0]!)).papers.slice(0, count);
}

describe('incremental ingest', () => {
  it('adds nothing, and writes nothing, when the same folder is ingested again', async () => {
    const engine = await makeTestEngine();
    const before = engine.health();
    expect(before.papers).toBe(sampleCorpus.uniquePapers);

    const again = await engine.ingestPath(sampleDir);
    expect(again).toMatchObject({ added: 0, updated: 0, unchanged: sampleCorpus.uniquePapers, total: sampleCorpus.uniquePapers, embedded: 0 });
    expect(engine.health()).toMatchObject({ papers: before.papers, chunks: before.chunks, generation: before.generation });
  });

  it('counts a paper once when overlapping sources are ingested one after another', async () => {
    const whole = await makeTestEngine();
    const engine = await makeTestEngine({ sample: false });
    const first = await engine.ingestPath(sampleFiles[0]!);
    await engine.ingestPath(sampleFiles[1]!);
    const last = await engine.ingestPath(sampleDir);
    expect(last.unchanged).toBeGreaterThanOrEqual(first.added);
    expect(last.total).toBe(sampleCorpus.uniquePapers);
    expect(engine.health()).toMatchObject({ papers: sampleCorpus.uniquePapers, chunks: whole.health().chunks });
    expect(snapshotOf(engine).lexical.size).toBe(sampleCorpus.uniquePapers);

    // A paper found by its own title comes back once, not once per file it appeared in.
    const paper = (await engine.listPapers(0, 1)).papers[0]!;
    const { results } = await engine.search(paper.title, { k: 20 });
    expect(results.filter((hit) => hit.id === paper.id)).toHaveLength(1);
  });

  it('updates a paper whose abstract changed, and searches see only the new text', async () => {
    const engine = await makeTestEngine({ sample: false });
    const papers = await samplePapers(5);
    await engine.ingest(papers);
    const target = papers[2]!;
    const changed = { ...target, abstract: `${target.abstract} We also study zyxquasar calibration.` };

    const counts = await engine.ingest([changed, papers[0]!]);
    expect(counts).toMatchObject({ added: 0, updated: 1, unchanged: 1, total: 5 });
    const id = [...snapshotOf(engine).papers.values()].find((paper) => paper.title === target.title)!.id;
    expect((await engine.getPaper(id))?.abstract).toBe(changed.abstract);
    const { results } = await engine.search('zyxquasar', { k: 5 });
    expect(results.map((hit) => hit.id)).toEqual([id]);
  });
});

describe('embedding with a model loaded (tiny model)', () => {
  it('embeds every chunk once, nothing on a re-ingest, and only the chunks of a changed paper', async () => {
    const engine = await makeTestEngine({ dense: true, sample: false });
    const papers = await samplePapers(12);

    const first = await engine.ingest(papers);
    const snapshot = snapshotOf(engine);
    expect(first.embedded).toBe(snapshot.chunkCount);
    expect(first.embedded).toBeGreaterThanOrEqual(papers.length);
    expect(engine.health().vectors).toBe(snapshot.chunkCount);

    const again = await engine.ingest(papers);
    expect(again).toMatchObject({ added: 0, updated: 0, unchanged: papers.length, embedded: 0 });

    const target = papers[4]!;
    const changed = { ...target, abstract: `${target.abstract} A closing sentence that changes the last chunk.` };
    const update = await engine.ingest([changed]);
    const id = [...snapshotOf(engine).papers.values()].find((paper) => paper.title === target.title)!.id;
    expect(update).toMatchObject({ updated: 1, added: 0 });
    expect(update.embedded).toBeGreaterThan(0);
    expect(update.embedded).toBeLessThanOrEqual(snapshotOf(engine).chunks.get(id)!.length);
    expect(engine.health().vectors).toBe(snapshotOf(engine).chunkCount);
    await engine.close();

    // The vectors are on disk: a fresh open needs to embed nothing.
    const reopened = await openEngine(engine.config, { embedder: { loaded: true, embedder: engine.embedder! } });
    expect(reopened.health()).toMatchObject({ vectors: snapshotOf(engine).chunkCount, search_modes: ['lexical', 'dense', 'hybrid'] });
    expect(await reopened.ingest([changed])).toMatchObject({ unchanged: 1, embedded: 0 });
  });
});

describe('two processes on one index folder', () => {
  it('keeps the papers of both when a server and `papertalk ingest` write one after the other', async () => {
    const server = await makeTestEngine();
    const cli = await openEngine(server.config);
    await cli.ingest([{ title: 'Written by the CLI', abstract: 'A paper the command line added while the server ran.' }]);
    // The server has not looked at the disk since: its own ingest must still keep the CLI's paper.
    const counts = await server.ingest([{ title: 'Written by the server', abstract: 'A paper posted to the running server.' }]);
    expect(counts).toMatchObject({ added: 1, total: sampleCorpus.uniquePapers + 2 });

    const fresh = await openEngine(server.config);
    const titles = (await fresh.listPapers(0, 1000)).papers.map((paper) => paper.title);
    expect(titles).toEqual(expect.arrayContaining(['Written by the CLI', 'Written by the server']));
    expect(fresh.health().papers).toBe(sampleCorpus.uniquePapers + 2);
  });

  it('lets a running engine find papers another process ingested', async () => {
    const server = await makeTestEngine();
    const cli = await openEngine(server.config);
    await cli.ingest([{ title: 'Wombat burrow geometry', abstract: 'We measure wombatburrow tunnels with lidar.' }]);
    await vi.waitFor(
      async () => {
        const { results } = await server.search('wombatburrow', { k: 3 });
        expect(results.map((hit) => hit.title)).toEqual(['Wombat burrow geometry']);
      },
      { timeout: 10_000, interval: 200 },
    );
    expect(server.health().papers).toBe(sampleCorpus.uniquePapers + 1);
  });
});

describe('a crash while writing', () => {
  it('leaves the old index loadable when a half-written generation and a stale temp manifest are lying around', async () => {
    const engine = await makeTestEngine();
    const dir = engine.config.indexDir;
    const before = engine.health();
    await engine.close();

    const half = path.join(dir, 'g-zzzzzzzz-crash');
    await mkdir(path.join(half, 'vectors'), { recursive: true });
    await writeFile(path.join(half, 'papers.jsonl'), '{"id":"x","title":"Half a pa');
    await writeFile(path.join(half, 'lexical.json'), '{"documentCount":');
    await writeFile(path.join(half, '.lexical.json.4242.1.tmp'), 'garbage');
    await writeFile(path.join(dir, '.manifest.json.4242.1.tmp'), '{"format":1,"generation":"g-zzzzzzzz-cra');

    const reopened = await openEngine(engine.config);
    expect(reopened.health()).toMatchObject({ papers: before.papers, chunks: before.chunks, generation: before.generation });
    expect((await reopened.search('sparse pre-training', { k: 3 })).results).toHaveLength(3);

    // The next ingest writes a new generation and clears away what the crash left.
    const counts = await reopened.ingest([{ title: 'After the crash', abstract: 'A paper added once the index was reopened.' }]);
    expect(counts).toMatchObject({ added: 1, total: before.papers + 1 });
    expect(await generationFolders(dir)).toEqual([reopened.health().generation]);
    expect((await readdir(dir)).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });

  it('keeps the old index when `papertalk ingest` is killed with SIGKILL mid-write, and the next ingest takes over its lock', async () => {
    const engine = await makeTestEngine();
    const dir = engine.config.indexDir;
    const before = engine.health();
    await engine.close();
    const big = await writeJsonl(await tempDir(), 'big.jsonl', generatedPapers(1500));

    const child = spawn(process.execPath, [path.join(repoRoot, 'bin/papertalk.js'), 'ingest', big], {
      env: { ...process.env, PAPERTALK_INDEX_DIR: dir, PAPERTALK_DENSE: 'false', PAPERTALK_LOG_LEVEL: 'silent' },
      stdio: 'ignore',
    });
    // Kill the moment the new generation folder appears: the writer is between its first
    // file and the manifest rename.
    const watcher = watch(dir, (_event, name) => {
      if (name?.startsWith('g-') && name !== before.generation) child.kill('SIGKILL');
    });
    const signal = await new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, sig) => resolve(sig)));
    watcher.close();
    expect(signal).toBe('SIGKILL');
    expect(await lockState(dir), 'the killed writer left its lock').toBe(String(child.pid));

    const snapshot = await openIndex(dir);
    expect(snapshot.manifest?.generation).toBe(before.generation);
    expect(snapshot.papers.size).toBe(before.papers);

    const reopened = await openEngine(engine.config);
    expect(reopened.health()).toMatchObject({ papers: before.papers, chunks: before.chunks });
    const counts = await reopened.ingest([{ title: 'After the kill', abstract: 'Written once the stale lock was taken over.' }]);
    expect(counts).toMatchObject({ added: 1, total: before.papers + 1 });
    expect(await generationFolders(dir)).toEqual([reopened.health().generation]);
    expect(await lockHolder(dir), 'the lock is released').toBeUndefined();
  }, 90_000);

  it('refuses to write while another live process holds the lock, naming its pid', async () => {
    const engine = await makeTestEngine({ sample: false });
    await plantLock(engine.config.indexDir, process.ppid);
    const error = await rejectionOf(engine.ingest([{ title: 'Blocked', abstract: 'Another writer is busy.' }]));
    expect(error.code).toBe('index_write_failed');
    expect(error.message).toContain(`pid ${process.ppid}`);
  });
});

describe('a corrupt index', () => {
  let dir: string;
  let config: Engine['config'];

  beforeAll(async () => {
    const engine = await makeTestEngine();
    await engine.close();
    config = engine.config;
    dir = config.indexDir;
  });

  async function damagedCopy(damage: (dir: string, generation: string) => Promise<void>) {
    const copy = await testConfig({}, await tempDir());
    await cp(dir, copy.indexDir, { recursive: true });
    const generation = JSON.parse(await readFile(path.join(copy.indexDir, 'manifest.json'), 'utf8')).generation as string;
    await damage(copy.indexDir, generation);
    return copy;
  }

  it.each([
    ['a truncated lexical.json', 'lexical.json', (d: string, g: string) => truncate(path.join(d, g, 'lexical.json'), 100)],
    ['a truncated manifest', 'manifest.json', (d: string) => truncate(path.join(d, 'manifest.json'), 20)],
    ['papers.jsonl cut at a line boundary', 'papers.jsonl', async (d: string, g: string) => {
      const file = path.join(d, g, 'papers.jsonl');
      const lines = (await readFile(file, 'utf8')).split('\n');
      await writeFile(file, `${lines.slice(0, 10).join('\n')}\n`);
    }],
    ['a missing chunks.jsonl', 'chunks.jsonl', async (d: string, g: string) => {
      await rm(path.join(d, g, 'chunks.jsonl'));
    }],
  ])('fails to open with index_corrupt naming the file and `papertalk ingest --rebuild` for %s', async (_name, file, damage) => {
    const copy = await damagedCopy(damage);
    const error = await rejectionOf(openEngine(copy));
    expect(error.code).toBe('index_corrupt');
    expect(error.message).toContain(file);
    expect(error.message).toContain('papertalk ingest --rebuild');
  });

  it('opens an index whose lexical file an older papertalk wrote by rebuilding it from the papers, and serve saves it', async () => {
    const copy = await damagedCopy(async (d, g) => {
      const file = path.join(d, g, 'lexical.json');
      const stored = JSON.parse(await readFile(file, 'utf8'));
      await writeFile(file, JSON.stringify({ ...stored, layout: { fields: ['title', 'abstract'] } }));
    });
    const reader = await openEngine(copy);
    expect(snapshotOf(reader).lexicalRebuilt).toBe(true);
    expect(reader.health().papers).toBe(sampleCorpus.uniquePapers);
    const { results } = await reader.search('Prepacking: A Simple Method for Fast Prefilling', { k: 1 });
    expect(results[0]?.title).toMatch(/^Prepacking/);
    await reader.close();

    const server = await openEngine(copy, { seed: true });
    await server.close();
    const reopened = await openIndex(copy.indexDir);
    expect(reopened.lexicalRebuilt).toBe(false);
    expect(reopened.lexical.size).toBe(sampleCorpus.uniquePapers);
  });

  it('is replaced by a rebuild from the source files, which does not need the old index to load', async () => {
    const copy = await damagedCopy((d, g) => truncate(path.join(d, g, 'papers.jsonl'), 50));
    const engine = await openEngine(copy, { rebuild: { fromSources: true } });
    const counts = await engine.ingestPath(sampleDir, { rebuild: true });
    expect(counts.total).toBe(sampleCorpus.uniquePapers);
    await engine.close();

    const repaired = await openEngine(copy);
    expect(repaired.health().papers).toBe(sampleCorpus.uniquePapers);
    expect(await generationFolders(copy.indexDir)).toEqual([repaired.health().generation]);
  });

  it('still refuses a rebuild without sources when its papers cannot be read', async () => {
    const copy = await damagedCopy((d) => truncate(path.join(d, 'manifest.json'), 20));
    const error = await rejectionOf(openEngine(copy, { rebuild: { fromSources: false } }));
    expect(error.code).toBe('index_corrupt');
  });
});

describe('an index built with another embedding model', () => {
  let dense: Engine;

  beforeAll(async () => {
    dense = await makeTestEngine({ dense: true, sample: false });
    await dense.ingest(await samplePapers(8));
    await dense.close();
  });

  it.each([
    ['another model name', fakeEmbedder('Xenova/bge-small-en-v1.5', 384)],
    ['the same name with another dimension', fakeEmbedder(TINY_MODEL, TINY_MODEL_DIM * 2)],
  ])('fails to open with index_model_mismatch for %s', async (_name, embedder) => {
    const error = await rejectionOf(openEngine(dense.config, { embedder: { loaded: true, embedder } }));
    expect(error.code).toBe('index_model_mismatch');
    expect(error.message).toContain(TINY_MODEL);
    expect(error.message).toContain(embedder.model);
    expect(error.message).toContain('papertalk ingest --rebuild');
  });

  it('opens lexical-only without the model, keeping its vectors for later', async () => {
    const engine = await openEngine(await testConfig({}, dense.config.indexDir));
    expect(engine.health()).toMatchObject({ papers: 8, vectors: snapshotOf(dense).chunkCount, search_modes: ['lexical'] });
  });

  it('re-embeds every chunk with the new model on `ingest --rebuild`', async () => {
    const copy = await testConfig({}, await tempDir());
    await cp(dense.config.indexDir, copy.indexDir, { recursive: true });
    const embedder = fakeEmbedder('Xenova/bge-small-en-v1.5', 48);

    const engine = await openEngine(copy, { embedder: { loaded: true, embedder }, rebuild: { fromSources: false } });
    const counts = await engine.ingest([], { rebuild: true });
    const chunks = snapshotOf(engine).chunkCount;
    expect(counts).toMatchObject({ total: 8, embedded: chunks });
    await engine.close();

    const reopened = await openEngine(copy, { embedder: { loaded: true, embedder } });
    expect(reopened.health()).toMatchObject({ papers: 8, vectors: chunks, embedding: { model: embedder.model, dim: 48 } });
    expect((await reopened.search('language model', { k: 3, mode: 'dense' })).mode).toBe('dense');
    expect((await rejectionOf(openEngine(copy, { embedder: { loaded: true, embedder: dense.embedder! } }))).code).toBe('index_model_mismatch');
  });
});

// Embeddings from Ollama (PAPERTALK_EMBED_PROVIDER=ollama) through the real `ollama` client
// against the Ollama stand-in: batched, never silently truncated, recorded in the index, and a
// missing model tells the user what to pull while search stays lexical.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openEngine, type Engine } from '../src/engine.js';
import { sampleDir } from './support/corpus.js';
import { snapshotOf, testConfig } from './support/engine.js';
import { FAKE_EMBED_DIM, refusedUrl, startFakeOllama, type FakeOllama } from './support/fake-ollama.js';
import { fakeEmbedder } from './support/papers.js';

let fake: FakeOllama;
let engine: Engine | undefined;
beforeEach(async () => {
  fake = await startFakeOllama();
});
afterEach(async () => {
  await engine?.close();
  engine = undefined;
  await fake.close();
});

async function open(env: Record<string, string> = {}): Promise<Engine> {
  const config = await testConfig({
    env: { PAPERTALK_DENSE: 'true', PAPERTALK_EMBED_PROVIDER: 'ollama', PAPERTALK_EMBED_MODEL: 'nomic-embed-text', OLLAMA_HOST: fake.url, ...env },
  });
  engine = await openEngine(config);
  return engine;
}

describe('embeddings from Ollama', () => {
  it('embeds the corpus in batches with truncate: false and the window as num_ctx, and searches hybrid', async () => {
    const e = await open();
    await e.ingestPath(sampleDir);
    const health = e.health();
    expect(health.embedding).toEqual({ loaded: true, provider: 'ollama', model: 'nomic-embed-text', dim: FAKE_EMBED_DIM });
    expect(health.search_modes).toEqual(['lexical', 'dense', 'hybrid']);
    expect(health.vectors).toBe(health.chunks);

    const calls = fake.embedRequests();
    expect(calls.every((r) => r.body.truncate === false && r.body.options.num_ctx === 2048 && r.body.model === 'nomic-embed-text')).toBe(true);
    const sizes = calls.map((r) => r.body.input.length);
    expect(Math.max(...sizes)).toBe(32);
    // The probe, then the corpus chunks: nothing embedded twice, nothing left out.
    expect(sizes.slice(1).reduce((a, b) => a + b, 0)).toBe(health.chunks);
    // nomic-embed-text's task prefixes, from its model card.
    expect(calls[1]!.body.input[0]).toMatch(/^search_document: /);

    const paper = [...snapshotOf(e).papers.values()][100]!;
    const { results, mode } = await e.search(paper.abstract.slice(0, 300), { k: 5, mode: 'dense' });
    expect(mode).toBe('dense');
    expect(results[0]!.id).toBe(paper.id);
    expect(fake.embedRequests().at(-1)!.body.input).toEqual([`search_query: ${paper.abstract.slice(0, 300)}`]);
  });

  it('records the provider and model in the index; another provider is told to rebuild', async () => {
    const e = await open();
    await e.ingest([{ title: 'Sparse attention for long documents', abstract: 'We make attention sparse so that long documents fit.' }]);
    const manifest = JSON.parse(await readFile(path.join(e.config.indexDir, 'manifest.json'), 'utf8'));
    expect(manifest.embedding).toEqual({ provider: 'ollama', model: 'nomic-embed-text', dim: FAKE_EMBED_DIM });
    await e.close();
    engine = undefined;

    const config = await testConfig({ env: { PAPERTALK_DENSE: 'true', PAPERTALK_INDEX_DIR: e.config.indexDir } });
    await expect(openEngine(config, { embedder: { loaded: true, embedder: fakeEmbedder('nomic-embed-text', FAKE_EMBED_DIM) } })).rejects.toThrow(
      /from ollama .* but papertalk is set to nomic-embed-text from transformers .*papertalk ingest --rebuild.*PAPERTALK_EMBED_PROVIDER=ollama/,
    );
  });

  it('never lets Ollama cut a text: one over the window is refused, then embedded in halves', async () => {
    const e = await open();
    fake.embedMaxChars = 400;
    const ending = 'Finally the zebrafish xylophone quorum appears only at the very end of this abstract.';
    const abstract = `${'We study efficient training of language models on modest hardware. '.repeat(8)}${ending}`;
    await e.ingest([
      { title: 'A long abstract', abstract },
      { title: 'A short one', abstract: 'Quantization of convolutional networks for phones.' },
    ]);
    const calls = fake.embedRequests();
    expect(calls.every((r) => r.body.truncate === false)).toBe(true);
    // The long chunk was sent whole once (and refused), then as two halves that fit.
    const long = "search_document: A long abstract. ";
    expect(calls.some((r) => r.body.input.some((t: string) => t.length > 400))).toBe(true);
    const halves = calls.filter((r) => r.body.input.length === 1 && r.body.input[0].length <= 400 && (r.body.input[0].startsWith(long) || r.body.input[0].includes('zebrafish')));
    expect(halves.length).toBeGreaterThanOrEqual(2);
    expect(e.health().vectors).toBe(e.health().chunks);
    // The words at the very end still count.
    const { results } = await e.search('zebrafish xylophone quorum', { k: 2, mode: 'dense' });
    expect(results[0]!.title).toBe('A long abstract');
  });

  it('a model that is not pulled says `ollama pull <model>` and search stays lexical', async () => {
    fake.embedModels = [];
    const e = await open();
    const health = e.health();
    expect(health.embedding).toMatchObject({ loaded: false, provider: 'ollama', model: 'nomic-embed-text' });
    expect(health.embedding.reason).toContain('run `ollama pull nomic-embed-text`');
    expect(health.search_modes).toEqual(['lexical']);
    await e.ingest([{ title: 'Sparse attention for long documents', abstract: 'We make attention sparse so that long documents fit.' }]);
    const { results, mode } = await e.search('sparse attention', { k: 3 });
    expect(mode).toBe('lexical');
    expect(results[0]!.title).toBe('Sparse attention for long documents');
  });

  it('an unreachable Ollama is named in the reason, and a model it loses later costs only the dense half', async () => {
    const down = await open({ OLLAMA_HOST: await refusedUrl() });
    expect(down.health().embedding.reason).toMatch(/Ollama not reachable at http:\/\/127\.0\.0\.1:\d+ for embeddings/);
    await down.close();

    const e = await open();
    await e.ingest([{ title: 'Sparse attention for long documents', abstract: 'We make attention sparse so that long documents fit.' }]);
    fake.embedModels = [];
    const { results, mode } = await e.search('sparse attention', { k: 3 });
    expect(mode).toBe('lexical');
    expect(results[0]!.title).toBe('Sparse attention for long documents');
  });
});
